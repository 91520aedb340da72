/* grepreport.c: the grep scanner's reports: a hit, with its context lines
   and captures decoded to UTF-8, given to the sink; a line a pattern could
   not be searched to its end, as a fault; the count of count mode. */
#include "core/grepscan.h"

/* Appends the UTF-8 form of w[a..b) to tmp; returns its offset. Text that
   is not valid UTF-8 is read as Windows-1252. */
static size_t put_text(scan *sc, size_t a, size_t b) {
  size_t len = b - a, at = sc->ntmp;
  char *t = grow(sc->tmp, &sc->tmpcap, at + 3 * len + 1, 1, &sc->nomem);
  if (!t) return 0;
  sc->tmp = t;
  if (sx_utf8_valid(sc->w + a, len)) { memcpy(t + at, sc->w + a, len); sc->ntmp += len; }
  else sc->ntmp += sx_cp1252_to_utf8(sc->w + a, len, t + at);
  t[sc->ntmp++] = '\0';
  return at;
}

/* Appends a marker string; returns nothing (sc->nomem on failure). */
static void put_mark(scan *sc, const char *mark) {
  size_t len = strlen(mark);
  char *t = grow(sc->tmp, &sc->tmpcap, sc->ntmp + len + 1, 1, &sc->nomem);
  if (!t) return;
  sc->tmp = t;
  memcpy(t + sc->ntmp, mark, len + 1);
  sc->ntmp += len;
}

/* A hit on a line too long to print: the match (at most PRINT_MATCH
   bytes of it) with PRINT_AROUND bytes either side, "[...]" marking what
   is left out; *start and *end become the match's place in that text.
   Returns its offset in tmp, NUL-terminated. */
enum { PRINT_AROUND = 200, PRINT_MATCH = 1024 };
static size_t put_cut(scan *sc, const hit *h, size_t *start, size_t *end) {
  size_t a = h->ms > h->ls + PRINT_AROUND ? h->ms - PRINT_AROUND : h->ls;
  size_t me = h->me - h->ms > PRINT_MATCH ? h->ms + PRINT_MATCH : h->me;
  size_t b = h->le - me > PRINT_AROUND ? me + PRINT_AROUND : h->le;
  size_t at = sc->ntmp;
  int head = a > h->ls || (on_long(sc, h->ls) && h->ls == 0);  /* (at 0: an earlier part went before) */
  if (head) put_mark(sc, "[...]");
  size_t pre = sc->ntmp - at;
  put_text(sc, a, b);
  if (sc->nomem) return 0;
  sc->ntmp--;  /* its NUL */
  *start = pre + (h->ms - a);
  *end = pre + (me - a);
  /* a part of a long line that ends before the line does: more follows
     (a part is cut short of the window's end; the line's own end is a
     line break, or the window's end at the end of the file) */
  int more = on_long(sc, h->ls) && h->le < sc->n && !TERM(sc->w[h->le]);
  put_mark(sc, b < h->le || more ? "[...]" : "");
  if (sc->nomem) return 0;
  sc->ntmp++;  /* keep the NUL */
  return at;
}

/* The lines around a hit, as offsets into tmp (pointers are set later). */
typedef struct ctxline { uint64_t line; size_t off, len; } ctxline;

/* A line pattern h->pat could not be searched to its end: a fault. */
static void report_fault(scan *sc, const hit *h, uint64_t line) {
  const sx_pat *p = &sc->g->pat[h->pat];
  char why[120] = "search failed";
#if SXSFIX_HAVE_PCRE2
  pcre2_get_error_message(h->err, (PCRE2_UCHAR *)why, sizeof why);
#endif
  plat_err e;  /* a PCRE2 limit on this line (0: count mode, which numbers no lines) */
  if (line)
    plat_failc(&e, PLAT_EC_RESOURCE, h->err, "%s:%llu: pattern '%.100s%s': %s; the line was not fully searched for it",
               sc->name, (unsigned long long)line, p->src, strlen(p->src) > 100 ? "..." : "", why);
  else
    plat_failc(&e, PLAT_EC_RESOURCE, h->err, "%s: pattern '%.100s%s': %s; a line was not fully searched for it",
               sc->name, p->src, strlen(p->src) > 100 ? "..." : "", why);
  sc->ntmp = 0;
  size_t le = h->le - h->ls > PRINT_MATCH ? h->ls + PRINT_MATCH : h->le;  /* (a long line: its start) */
  size_t toff = put_text(sc, h->ls, le);
  sx_grep_match m = {
    .file = sc->name, .encoding = sc->enc, .line = line,
    .text = sc->nomem ? "" : sc->tmp + toff, .len = sc->nomem ? 0 : sc->ntmp - toff - 1,
    .pattern = h->pat, .start = 0, .end = 0,
  };
  sc->nomem = 0;
  if (sc->s->fault) sc->s->fault(sc->s->ud, &m, &e);
  else sc->s->error(sc->s->ud, sc->name, &e);
}

int sx_scan_report(scan *sc, const hit *h, size_t lim) {
  const sx_pat *p = &sc->g->pat[h->pat];
  sc->cnt_line += count_lines(sc->w + sc->cnt_pos, h->ls - sc->cnt_pos);
  sc->cnt_pos = h->ls;
  uint64_t line = sc->cnt_line;
  if (h->err) { report_fault(sc, h, line); return 0; }
  int nb = sc->o->before, na = sc->o->after;
  ctxline cl[2 * 64];
  size_t capoff[64], caplen[64];
  const char *cap[64];
  int ncap = p->ncap < 64 ? p->ncap : 64;
  sc->ntmp = 0;
  size_t toff, tlen, start = h->ms - h->ls, end = h->me - h->ls;
  if (on_long(sc, h->ls) || h->le - h->ls > sc->g->maxline) {
    toff = put_cut(sc, h, &start, &end);
    tlen = sc->ntmp - toff - 1;
  } else {
    toff = put_text(sc, h->ls, h->le);
    tlen = sc->ntmp - toff - 1;
  }
  int bi = 0, ai = 0;
  for (size_t pos = h->ls; bi < nb && bi < 64 && pos > 0; bi++) {  /* before: nearest first */
    size_t st = prev_line(sc->w, pos);
    cl[bi].off = put_text(sc, st, line_end(sc->w, st, pos));
    cl[bi].len = sc->ntmp - cl[bi].off - 1;
    cl[bi].line = line - 1 - (uint64_t)bi;
    pos = st;
  }
  for (size_t pos = next_line(sc->w, h->le, lim); ai < na && ai < 64 && pos < lim; ai++) {
    size_t e = line_end(sc->w, pos, lim);
    cl[64 + ai].off = put_text(sc, pos, e);
    cl[64 + ai].len = sc->ntmp - cl[64 + ai].off - 1;
    cl[64 + ai].line = line + 1 + (uint64_t)ai;
    pos = next_line(sc->w, e, lim);
  }
  for (int i = 0; i < ncap; i++) {
    size_t a = sc->ov[h->ov + 2 * (i + 1)], b = sc->ov[h->ov + 2 * (i + 1) + 1];
    capoff[i] = a == (size_t)-1 ? (size_t)-1 : put_text(sc, a, b);
    caplen[i] = a == (size_t)-1 ? 0 : sc->ntmp - capoff[i] - 1;
  }
  if (sc->nomem) return -1;
  sx_grep_line before[64], after[64];
  for (int i = 0; i < bi; i++)  /* in file order */
    before[i] = (sx_grep_line){ cl[bi - 1 - i].line, sc->tmp + cl[bi - 1 - i].off, cl[bi - 1 - i].len };
  for (int i = 0; i < ai; i++)
    after[i] = (sx_grep_line){ cl[64 + i].line, sc->tmp + cl[64 + i].off, cl[64 + i].len };
  for (int i = 0; i < ncap; i++) cap[i] = capoff[i] == (size_t)-1 ? NULL : sc->tmp + capoff[i];
  sx_grep_match m = {
    .file = sc->name, .encoding = sc->enc, .line = line, .text = sc->tmp + toff, .len = tlen,
    .pattern = h->pat, .start = start, .end = end,
    .ncap = ncap, .cap = cap, .caplen = caplen,
    .nbefore = bi, .nafter = ai, .before = before, .after = after,
  };
  sc->total++;
  return sc->s->match(sc->s->ud, &m) ? 1 : 0;
}

int sx_scan_count(scan *sc) {
  uint64_t max = sc->o->max_count;
  for (size_t k = 0; k < sc->nh; k++) {
    const hit *h = &sc->hits[k];
    if (h->err) { report_fault(sc, h, 0); continue; }
    if (max && sc->total >= max) break;
    int ok = 1;  /* not a line counted already, by a hit of another pattern */
    for (size_t j = k; ok && j-- > 0 && sc->hits[j].ls == h->ls;) ok = sc->hits[j].err != 0;
    if (ok && on_long(sc, h->ls)) {  /* (or in an earlier part of it) */
      ok = !sc->lcounted;
      sc->lcounted = 1;
    }
    if (ok) sc->total++;
  }
  return 0;
}
