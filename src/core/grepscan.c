/* grepscan.c: the grep engine's scanner. A stream is read in blocks into a
   window; each round scans the window's complete lines with every pattern,
   reports the hits in line order, counts the lines it leaves behind, and
   keeps the unfinished line (plus context lines) for the next round.
   grepreport.c gives the hits to the sink. */
#include "core/grepscan.h"

/* Where the window's complete lines end: after its last line end, never
   between the CR and LF of a CRLF. Only w[lo..n) is new since the last
   call, which found known: a line without an end that grows over many
   blocks is not scanned again and again. */
static size_t complete_lines(const char *w, size_t n, size_t lo, size_t known) {
  size_t i = n;
  while (i > lo && !TERM(w[i - 1])) i--;
  if (i == lo) return known;  /* no line end among the new bytes */
  if (i == n && w[i - 1] == '\r') {  /* an LF may follow */
    i = line_start(w, i - 1);
    if (i < known) i = known;
  }
  return i;
}

static int cmp_hit(const void *a, const void *b) {
  const hit *x = a, *y = b;
  if (x->ls != y->ls) return x->ls < y->ls ? -1 : 1;
  return x->pat - y->pat;
}

static int add_hit(scan *sc, hit h) {
  hit *hs = grow(sc->hits, &sc->hcap, sc->nh + 1, sizeof *hs, &sc->nomem);
  if (!hs) return -1;
  sc->hits = hs;
  hs[sc->nh++] = h;
  if (on_long(sc, h.ls)) sc->lhit[h.pat] = 1;
  return 0;
}

/* The prefiltered patterns over the lines in [from, to): only a line
   holding a literal (sx_filt_next checks candidates in full) is searched,
   by each pattern whose literal it holds (a fixed string is its own
   match; a regex runs on that line alone). */
static int scan_filtered(scan *sc, size_t from, size_t to) {
  sx_grep *g = sc->g;
  uint64_t max = sc->o->count_only ? 0 : sc->o->max_count;
  for (size_t pos = from; pos < to;) {
    size_t s = sx_filt_next(&sc->filt, sc->w, pos, to);  /* a literal in place */
    if (s >= to) break;
    size_t ls = line_start(sc->w, s), le = line_end(sc->w, s, to);
    int live = 0;
    for (int k = 0; k < g->filt.n; k++) {
      int i = g->filt_pat[k];
      sx_pat *p = &g->pat[i];
      if (max && sc->count[i] >= max) continue;
      live++;
      if (on_long(sc, ls) && sc->lhit[i]) continue;  /* found in an earlier part */
      long at = sx_filt_find(p, sc->w + ls, le - ls);
      if (at < 0) continue;
      size_t nov = 2 * ((size_t)p->ncap + 1), ms = ls + (size_t)at, me = ms + p->reqlen;
      size_t *ov = grow(sc->ov, &sc->ovcap, sc->nov + nov, sizeof *ov, &sc->nomem);
      if (!ov) return -1;
      sc->ov = ov;
      int r = 1;
      if (!p->direct) r = sx_pat_find(p, sc->w, ls, le, &ms, &me, ov + sc->nov);
      if (r == 0) continue;
      if (add_hit(sc, (hit){ ls, le, r < 0 ? ls : ms, r < 0 ? ls : me, sc->nov, i, r < 0 ? r : 0 }) < 0) return -1;
      if (r < 0) continue;
      if (p->direct) ov[sc->nov] = ms, ov[sc->nov + 1] = me;
      sc->nov += nov;
      sc->count[i]++;
    }
    if (!live) break;
    pos = next_line(sc->w, le, to);
  }
  return 0;
}

/* Scans the lines in [from, to) with every pattern; lim bounds the lines
   available as after-context. Returns 1 when stopped, -1 on no memory. */
static int scan_region(scan *sc, size_t from, size_t to, size_t lim) {
  sc->nh = sc->nov = 0;
  uint64_t max = sc->o->count_only ? 0 : sc->o->max_count;
  int filtered = sc->g->use_filt && sc->g->filt.n > 0;
  if (filtered && scan_filtered(sc, from, to) < 0) return -1;
  for (int i = 0; i < sc->g->n; i++) {
    sx_pat *p = &sc->g->pat[i];
    if (filtered && p->filt >= 0) continue;
    size_t nov = 2 * ((size_t)p->ncap + 1), ms, me;
    size_t pos = from;    /* always a line start */
    int bylines = 0;      /* after a PCRE2 error: one line at a time until its line */
    if (on_long(sc, pos) && sc->lhit[i]) pos = next_line(sc->w, line_end(sc->w, pos, to), to);
    while (pos < to && !(max && sc->count[i] >= max)) {
      size_t *ov = grow(sc->ov, &sc->ovcap, sc->nov + nov, sizeof *ov, &sc->nomem);
      if (!ov) return -1;
      sc->ov = ov;
      size_t lim = bylines ? line_end(sc->w, pos, to) : to;
      int r = sx_pat_find(p, sc->w, pos, lim, &ms, &me, ov + sc->nov);
      if (r < 0 && !bylines) { bylines = 1; continue; }  /* which line? search again line by line */
      if (r < 0) {  /* this line cannot be searched: say so, and go on after it */
        if (add_hit(sc, (hit){ pos, lim, pos, pos, sc->nov, i, r }) < 0) return -1;
        bylines = 0;
        pos = next_line(sc->w, lim, to);
        continue;
      }
      if (r == 0) {
        if (!bylines) break;
        pos = next_line(sc->w, lim, to);
        continue;
      }
      bylines = 0;
      if (ms >= to) break;  /* an empty match at the very end */
      size_t a = ms;
      if (a > 0 && sc->w[a] == '\n' && sc->w[a - 1] == '\r') a--;
      size_t ls = line_start(sc->w, a), le = line_end(sc->w, a, to);
      if (me > le) {  /* it spans a line end: look again within the line */
        size_t from2 = pos > ls ? pos : ls;
        int r2 = sx_pat_find(p, sc->w, from2, le, &ms, &me, ov + sc->nov);
        if (r2 <= 0) {
          if (r2 < 0) {  /* a limit within the line: a fault on it */
            if (add_hit(sc, (hit){ ls, le, ls, ls, sc->nov, i, r2 }) < 0) return -1;
          }
          pos = next_line(sc->w, le, to);
          continue;
        }
      }
      if (add_hit(sc, (hit){ ls, le, ms, me, sc->nov, i, 0 }) < 0) return -1;
      sc->nov += nov;
      sc->count[i]++;
      pos = next_line(sc->w, le, to);
    }
  }
  if (sc->nh > 1) qsort(sc->hits, sc->nh, sizeof *sc->hits, cmp_hit);
  if (sc->o->count_only) return sx_scan_count(sc);
  for (size_t k = 0; k < sc->nh; k++) {
    int r = sx_scan_report(sc, &sc->hits[k], lim);
    if (r) return r;
  }
  return 0;
}

static int exhausted(const scan *sc) {
  if (!sc->o->max_count || sc->g->n == 0) return 0;
  if (sc->o->count_only) return sc->total >= sc->o->max_count;
  for (int i = 0; i < sc->g->n; i++)
    if (sc->count[i] < sc->o->max_count) return 0;
  return 1;
}

static void end_long(scan *sc) {
  sc->inlong = sc->lcounted = 0;
  memset(sc->lhit, 0, (size_t)sc->g->n + 1);
}

/* The window holds complete lines [from, cut) and then more than maxline
   bytes of a line without an end: scans those lines, then what there is
   of the long line as a part of it, and keeps only its last overlap bytes
   (at 0) for the next part. 1 when stopped, -1 on no memory. */
static int long_part(scan *sc, size_t from, size_t cut, size_t overlap) {
  int numbered = !sc->o->count_only;
  if (cut > from) {  /* (context after these lines stops at the long line) */
    int r = scan_region(sc, from, cut, cut);
    if (r) return r;
  }
  if (sc->inlong && cut > 0) end_long(sc);  /* that line ended; a new one starts at cut */
  if (!sc->inlong) {
    sc->inlong = 1;
    sc->lstart = cut;
    if (!sc->warned && sc->s->longline)
      sc->s->longline(sc->s->ud, sc->name,
                      numbered ? sc->cnt_line + count_lines(sc->w + sc->cnt_pos, cut - sc->cnt_pos) : 0, sc->g->maxline);
    sc->warned = 1;
  }
  int r = scan_region(sc, sc->lstart, sc->n, sc->n);
  if (r) return r;
  if (numbered) sc->cnt_line += count_lines(sc->w + sc->cnt_pos, sc->lstart - sc->cnt_pos);
  size_t keep = sc->n - overlap;
  if (keep < sc->lstart) keep = sc->lstart;
  memmove(sc->w, sc->w + keep, sc->n - keep);
  sc->n -= keep;
  sc->cnt_pos = sc->lstart = 0;
  return 0;
}

int sx_grep_stream(sx_grep *g, const char *name, sx_grep_reader rd, void *src,
                   const sx_grep_opts *o, const sx_grep_sink *s) {
  return sx_grep_part(g, name, rd, src, o, s, NULL);
}

int sx_grep_part(sx_grep *g, const char *name, sx_grep_reader rd, void *src,
                 const sx_grep_opts *o, const sx_grep_sink *s, sx_part *part) {
  scan sc = { .g = g, .o = o, .s = s, .name = name, .cnt_line = 1, .filt = g->filt };
  int numbered = !o->count_only;  /* count mode numbers no lines */
  size_t block = g->block, first_len = block < 4096 ? 4096 : block;
  unsigned char *raw = NULL;  /* UTF-16 only: the bytes before decoding */
  sc.count = calloc((size_t)g->n + 1, sizeof *sc.count);
  sc.lhit = calloc((size_t)g->n + 1, 1);
  size_t overlap = g->overlap;  /* the longest literal fits in what parts share */
  for (int i = 0; i < g->n; i++) {
    size_t l = g->pat[i].lit ? g->pat[i].litlen : g->pat[i].reqlen;
    if (l > overlap) overlap = l;
  }
  if (overlap > g->maxline / 2) overlap = g->maxline / 2;
  plat_err e = { 0 };
  int rc = 0, first = 1, eof = 0;
  sx_enc enc = SX_ENC_8BIT;
  sx_u16dec dec = { 0 };
  size_t scan_from = 0, known = 0;  /* known: a complete-lines end found before */
  if (!sc.count || !sc.lhit) goto nomem;
  while (!eof) {
    size_t lo = sc.n ? sc.n - 1 : 0;  /* the last old byte may be a CR whose LF comes now */
    int u16 = enc == SX_ENC_UTF16LE || enc == SX_ENC_UTF16BE;
    size_t need = sc.n + SX_U16_OUTMAX(first_len) + 16;
    char *w = grow(sc.w, &sc.cap, need, 1, &sc.nomem);
    if (!w) goto nomem;
    sc.w = w;
    size_t got = 0, more = 1;
    if (first) {  /* enough of the start to recognise the encoding, into the window */
      while (more && got < first_len && (rc = rd(src, sc.w + got, first_len - got, &more, &e)) == 0)
        got += more;
      if (rc != 0) break;
    } else {
      void *dst = u16 ? (void *)raw : (void *)(sc.w + sc.n);
      if ((rc = rd(src, dst, block, &got, &e)) != 0) break;
    }
    const unsigned char *in = raw;
    if (first) {
      size_t bom = 0;
      enc = part && !part->detect ? part->enc : sx_text_detect((const unsigned char *)sc.w, got, &bom);
      if (part) part->enc = enc;
      sc.enc = sx_text_encname(enc);
      if (part && !part->detect) enc = SX_ENC_8BIT;  /* (only 8-bit text is split) */
      u16 = enc == SX_ENC_UTF16LE || enc == SX_ENC_UTF16BE;
      dec.be = enc == SX_ENC_UTF16BE;
      got -= bom;
      if (u16) {  /* decoded from raw into the window from now on */
        if (!(raw = malloc(first_len))) goto nomem;
        memcpy(raw, sc.w + bom, got);
        in = raw;
      } else if (bom) memmove(sc.w, sc.w + bom, got);
      if (g->use_filt) sx_filt_tune(&sc.filt, sc.w, u16 ? 0 : got);
      first = 0;
    }
    if (got == 0) {
      eof = 1;
      if (u16) sc.n += sx_u16_flush(&dec, sc.w + sc.n);
    } else if (u16) {
      sc.n += sx_u16_decode(&dec, in, got, sc.w + sc.n);
    } else {
      sc.n += got;
    }
    size_t cut = eof ? sc.n : complete_lines(sc.w, sc.n, lo, known), to = cut;
    if (!eof && sc.n - cut > g->maxline) {  /* the unfinished line is too long to keep whole */
      int r = long_part(&sc, scan_from, cut, overlap);
      if (r < 0) goto nomem;
      if (r > 0) { rc = 1; break; }
      if (exhausted(&sc)) { eof = 1; break; }
      known = scan_from = 0;
      continue;
    }
    for (int k = 0; !eof && k < o->after && to > scan_from; k++) to = prev_line(sc.w, to);
    if (to < scan_from) to = scan_from;
    if (to > scan_from) {
      int r = scan_region(&sc, scan_from, to, cut);
      if (r < 0) goto nomem;
      if (r > 0) { rc = 1; break; }
      if (sc.inlong) end_long(&sc);  /* its last part (at 0) is behind us */
    }
    if (eof || exhausted(&sc)) {
      if (part && eof && numbered) part->lines = sc.cnt_line - 1 + count_lines(sc.w + sc.cnt_pos, sc.n - sc.cnt_pos);
      eof = 1;
      break;
    }
    size_t keep = to;
    for (int k = 0; k < o->before && keep > 0; k++) keep = prev_line(sc.w, keep);
    if (numbered) sc.cnt_line += count_lines(sc.w + sc.cnt_pos, to - sc.cnt_pos);
    memmove(sc.w, sc.w + keep, sc.n - keep);
    sc.n -= keep;
    sc.cnt_pos = to - keep;
    known = cut - keep;
    scan_from = to - keep;
  }
  if (rc < 0) s->error(s->ud, name, &e);
  else if (rc == 0 && s->done) s->done(s->ud, name, sc.total);
  goto out;
nomem:
  plat_failc(&e, PLAT_EC_RESOURCE, plat_errcode(PLAT_E_NOMEM), "%s: out of memory", name);
  s->error(s->ud, name, &e);
  rc = -1;
out:
  free(raw); free(sc.count); free(sc.lhit); free(sc.w); free(sc.hits); free(sc.ov); free(sc.tmp);
  return rc;
}
