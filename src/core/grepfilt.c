/* grepfilt.c: the literal prefilter of the grep engine. Each pattern that
   has a required literal (a run of bytes every match contains: a fixed
   string itself, or the longest such run of a regex) joins one prefilter;
   the scanner runs the prefilter over a block once for all of them, and
   only a line holding a candidate is searched, by each pattern whose
   literal is in that line. PCRE2 remains the matcher: the prefilter only
   narrows where it looks. */
#include <stdlib.h>
#include <string.h>

#include "core/grep_int.h"

/* ---- the required literal of a regex ---- */

typedef struct lx { const char *p; size_t n, i; char *best, *cur; size_t nbest, ncur; } lx;

static void end_run(lx *x) {
  if (x->ncur > x->nbest) { memcpy(x->best, x->cur, x->ncur); x->nbest = x->ncur; }
  x->ncur = 0;
}

/* Index just past the class starting at '[' at i, or 0. */
static size_t skip_class(const char *p, size_t n, size_t i) {
  size_t j = i + 1;
  if (j < n && p[j] == '^') j++;
  if (j < n && p[j] == ']') j++;
  while (j < n) {
    if (p[j] == '\\') { if (j + 1 < n && p[j + 1] == 'Q') return 0; j += 2; continue; }
    if (p[j] == '[' && j + 1 < n && p[j + 1] == ':') {
      const char *e = NULL;
      for (size_t k = j + 2; k + 1 < n && !e; k++) if (p[k] == ':' && p[k + 1] == ']') e = p + k;
      if (!e) return 0;
      j = (size_t)(e - p) + 2;
      continue;
    }
    if (p[j] == ']') return j + 1;
    j++;
  }
  return 0;
}

/* Index just past the group starting at '(' at i, or 0. */
static size_t skip_group(const char *p, size_t n, size_t i) {
  int depth = 0;
  for (size_t j = i; j < n;) {
    if (p[j] == '\\') { if (j + 1 < n && p[j + 1] == 'Q') return 0; j += 2; continue; }
    if (p[j] == '[') { if (!(j = skip_class(p, n, j))) return 0; continue; }
    if (p[j] == '(') depth++;
    else if (p[j] == ')' && --depth == 0) return j + 1;
    j++;
  }
  return 0;
}

static int digit(char c) { return c >= '0' && c <= '9'; }

/* A quantifier at i: its length (with a lazy/possessive suffix), its
   minimum in *min; 0 when there is none; -1 when unsure ("{" not a plain
   {n}, {n,} or {n,m}). */
static int quantifier(const char *p, size_t n, size_t i, unsigned *min) {
  if (i >= n) return 0;
  size_t j = i + 1;
  if (p[i] == '?' || p[i] == '*') *min = 0;
  else if (p[i] == '+') *min = 1;
  else if (p[i] == '{') {
    if (j >= n || !digit(p[j])) return -1;
    unsigned m = 0;
    while (j < n && digit(p[j])) { m = m < 100000 ? m * 10 + (unsigned)(p[j] - '0') : m; j++; }
    if (j < n && p[j] == ',') { j++; while (j < n && digit(p[j])) j++; }
    if (j >= n || p[j] != '}') return -1;
    j++;
    *min = m;
  } else return 0;
  if (j < n && (p[j] == '?' || p[j] == '+')) j++;
  return (int)(j - i);
}

/* After a non-literal atom ending at i: skips its quantifier. 0, or -1. */
static int skip_quant(lx *x) {
  unsigned min;
  int q = quantifier(x->p, x->n, x->i, &min);
  if (q < 0) return -1;
  x->i += (size_t)q;
  return 0;
}

/* The longest run of literal bytes every match of regex p[0..n) holds,
   written to out (room for n bytes); 0 when unsure or there is none. */
static size_t regex_literal(const char *p, size_t n, char *out, char *tmp) {
  lx x = { p, n, 0, out, tmp, 0, 0 };
  while (x.i < n) {
    unsigned char c = (unsigned char)p[x.i];
    size_t w = 1;
    if (c >= 0x80 || c == '|' || c == ')' || c == '{') return 0;  /* alternation, odd syntax: no literal */
    if (c == '(' || c == '[' || c == '.' || c == '^' || c == '$') {
      end_run(&x);
      if (c == '(') {
        if (x.i + 1 < n && p[x.i + 1] == '*') return 0;  /* (*VERB) */
        if (x.i + 2 < n && p[x.i + 1] == '?' && (!p[x.i + 2] || !strchr(":=!<>|#P'", p[x.i + 2])))
          return 0;  /* (?i) and the like */
        if (!(x.i = skip_group(p, n, x.i))) return 0;
      } else if (c == '[') {
        if (!(x.i = skip_class(p, n, x.i))) return 0;
      } else x.i++;
      if (skip_quant(&x) < 0) return 0;
      continue;
    }
    if (c == '\\') {
      if (x.i + 1 >= n) return 0;
      unsigned char e = (unsigned char)p[x.i + 1];
      if (e >= 0x80 || digit((char)e) || strchr("QkgE", e)) return 0;
      if (!((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z'))) { c = e; w = 2; }  /* \. \[ \\ ... */
      else {  /* a class, an assertion or a coded character: not part of a run */
        end_run(&x);
        x.i += 2;
        if (x.i < n && p[x.i] == '{' && strchr("xopPN", e)) {
          while (x.i < n && p[x.i] != '}') x.i++;
          if (x.i++ >= n) return 0;
        } else if (e == 'x') {
          for (int k = 0; k < 2 && x.i < n && strchr("0123456789abcdefABCDEF", p[x.i]); k++) x.i++;
        } else if (e == 'c' || e == 'p' || e == 'P') {
          x.i++;  /* \cX, \pL: one more character */
        } else if (e == 'o') return 0;
        if (skip_quant(&x) < 0) return 0;
        continue;
      }
    }
    unsigned min = 1;
    int q = quantifier(p, n, x.i + w, &min);
    if (q < 0) return 0;
    if (q > 0 && min == 0) { end_run(&x); x.i += w + (size_t)q; continue; }  /* may be absent */
    x.cur[x.ncur++] = (char)c;
    x.i += w;
    if (q > 0) { end_run(&x); x.i += (size_t)q; }  /* repeated: the run stops after one */
  }
  end_run(&x);
  return x.nbest;
}

/* How common a byte is in log text: higher is more common. The order was
   measured on real CBS, DISM and setupact logs (printable ASCII, rarest
   first); other bytes count as rarest. */
int sx_commonness(unsigned char c) {
  static const char order[] =
    "+!@#Z;qJY%&?$jQ*<>|Xz\"'}{)(K/VHU[]=NOGL_xRTFBWhy~wkvA7E9PbD\\M.86muC,4g5SpIflcd13-s:2rtaino0e ";
  const char *p = c ? strchr(order, c) : NULL;
  return p ? (int)(p - order) + 1 : 0;
}

static unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c; }

/* Counts of the 3-byte sequences of a sample, by a hash (collisions only
   add): how common a literal's fingerprint is in the text searched. */
enum { TRI_BITS = 14 };
static unsigned tri_hash(const unsigned char *q) {
  return (((unsigned)q[0] << 16 | (unsigned)q[1] << 8 | q[2]) * 2654435761u) >> (32 - TRI_BITS);
}

/* The nibble tables of the fingerprints at f->ta (see sx_filt). */
static void teddy_tables(sx_filt *f) {
  memset(f->tlo, 0, sizeof f->tlo);
  memset(f->thi, 0, sizeof f->thi);
  for (int k = 0; k < f->n; k++) {
    unsigned char bit = (unsigned char)(1u << (k & 7));
    for (int j = 0; j < 3; j++) {
      unsigned char c = f->lit[k][f->ta[k] + j];
      f->tlo[j][c & 15] |= bit;
      f->thi[j][c >> 4] |= bit;
      if (f->icase[k] && c >= 'a' && c <= 'z') f->thi[j][(c ^ 0x20) >> 4] |= bit;  /* same low nibble */
    }
  }
}

/* In each literal, the 3 bytes in a row least often in the sample (when
   there is one: counts of its bytes, and folded, of its bytes with ASCII
   letters in lower case), then the rarest by sx_commonness. */
static void fingerprints(sx_filt *f, const uint16_t *counts, const uint16_t *folded) {
  f->teddy = f->n >= 3;  /* fewer: two compares per literal are cheaper than six lookups */
  for (int k = 0; k < f->n; k++) {
    const unsigned char *q = f->lit[k];
    const uint16_t *c = f->icase[k] ? folded : counts;
    size_t best = 0;
    long bestcost = -1;
    for (size_t a = 0; a + 3 <= f->litlen[k]; a++) {
      long cost = sx_commonness(q[a]) + sx_commonness(q[a + 1]) + sx_commonness(q[a + 2]);
      if (c) cost += 1000L * c[tri_hash(q + a)];
      if (bestcost < 0 || cost < bestcost) { bestcost = cost; best = a; }
    }
    f->ta[k] = best;
  }
  teddy_tables(f);
}

static void count_tri(uint16_t *counts, const unsigned char *q, size_t n) {
  for (size_t i = 0; i + 3 <= n; i++) {
    uint16_t *c = &counts[tri_hash(q + i)];
    if (*c < 0xFFFF) (*c)++;
  }
}

void sx_filt_tune(sx_filt *f, const char *sample, size_t n) {
  if (!f->teddy || n < 4096) return;
  int icase = 0;
  for (int k = 0; k < f->n; k++) icase |= f->icase[k];
  size_t nt = (size_t)1 << TRI_BITS;
  uint16_t *counts = calloc(2 * nt, sizeof *counts);
  unsigned char *low = icase ? malloc(n) : NULL;
  if (!counts || (icase && !low)) { free(counts); return; }  /* the fingerprints stay as they were */
  count_tri(counts, (const unsigned char *)sample, n);
  if (icase) {
    for (size_t i = 0; i < n; i++) low[i] = fold((unsigned char)sample[i]);
    count_tri(counts + nt, low, n);
  }
  fingerprints(f, counts, counts + nt);
  free(low);
  free(counts);
}

/* Pattern i (just added) joins the prefilter when it has a required
   literal of 3 bytes or more, ASCII, without a line end. */
void sx_filt_add(sx_grep *g, int i, const char *pat, size_t len, int fixed, int icase) {
  sx_pat *p = &g->pat[i];
  p->filt = -1;
  if (g->filt.n >= SX_FILT_MAX || len < 3) return;
  char *lit = malloc(2 * len + 1);
  if (!lit) return;
  size_t n = len;
  if (fixed) memcpy(lit, pat, len);
  else n = regex_literal(pat, len, lit, lit + len);
  for (size_t k = 0; k < n; k++)
    if ((unsigned char)lit[k] >= 0x80 || lit[k] == '\n' || lit[k] == '\r') n = 0;
  if (n < 3) { free(lit); return; }
  if (icase) for (size_t k = 0; k < n; k++) lit[k] = (char)fold((unsigned char)lit[k]);
  size_t a = 0, b = 1;  /* the two rarest bytes, a != b */
  for (size_t k = 0; k < n; k++)
    if (sx_commonness((unsigned char)lit[k]) < sx_commonness((unsigned char)lit[a])) a = k;
  b = a == 0 ? 1 : 0;
  for (size_t k = 0; k < n; k++)
    if (k != a && sx_commonness((unsigned char)lit[k]) < sx_commonness((unsigned char)lit[b])) b = k;
  sx_filt *f = &g->filt;
  int k = f->n++;
  unsigned char ca = (unsigned char)lit[a], cb = (unsigned char)lit[b];
  int la = icase && ca >= 'a' && ca <= 'z', lb = icase && cb >= 'a' && cb <= 'z';
  f->c1[k] = ca; f->f1[k] = la ? 0x20 : 0; f->o1[k] = a;
  f->c2[k] = cb; f->f2[k] = lb ? 0x20 : 0; f->o2[k] = b;
  f->fold |= la || lb;
  if ((a > b ? a : b) + 1 > f->reach) f->reach = (a > b ? a : b) + 1;
  f->lit[k] = (const unsigned char *)lit;
  f->litlen[k] = n;
  f->icase[k] = (unsigned char)(icase != 0);
  g->filt_pat[k] = i;
  p->filt = k;
  p->req = lit;
  p->reqlen = n;
  p->req_icase = icase;
  p->direct = fixed;  /* a fixed ASCII string: its literal is its match */
  fingerprints(f, NULL, NULL);
}

/* The first place of p's required literal in s[0..n), or -1. */
long sx_filt_find(const sx_pat *p, const char *s, size_t n) {
  size_t m = p->reqlen;
  if (n < m) return -1;
  const unsigned char *q = (const unsigned char *)p->req;
  if (!p->req_icase) {
    for (const char *at = s, *last = s + n - m; at <= last; at++) {
      at = memchr(at, q[0], (size_t)(last - at) + 1);
      if (!at) return -1;
      if (memcmp(at, q, m) == 0) return at - s;
    }
    return -1;
  }
  for (size_t i = 0; i + m <= n; i++) {
    size_t k = 0;
    while (k < m && fold((unsigned char)s[i + k]) == q[k]) k++;
    if (k == m) return (long)i;
  }
  return -1;
}
