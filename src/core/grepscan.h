/* grepscan.h: what the grep scanner's two files share (grepscan.c finds
   the hits, grepreport.c gives them to the sink): the scan's state and the
   line helpers over its window. Not an interface. */
#ifndef SXSFIX_GREPSCAN_H
#define SXSFIX_GREPSCAN_H

#include <stdlib.h>
#include <string.h>

#include "core/grep_int.h"

typedef struct hit {
  size_t ls, le, ms, me;  /* line [ls, le) and match [ms, me) in the window */
  size_t ov;              /* index of its capture offsets in scan.ov */
  int pat;
  int err;                /* 0, or the PCRE2 error that stopped pattern pat on this line */
} hit;

typedef struct scan {
  sx_grep *g;
  const sx_grep_opts *o;
  const sx_grep_sink *s;
  const char *name, *enc;
  sx_filt filt;           /* the prefilter, its fingerprints tuned to this text */
  char *w;                /* the window */
  size_t n, cap;
  size_t cnt_pos;         /* a line start whose number is cnt_line */
  uint64_t cnt_line, total, *count;
  hit *hits;
  size_t nh, hcap;
  size_t *ov, nov, ovcap;
  char *tmp;              /* decoded text of one report */
  size_t ntmp, tmpcap;
  int stopped, nomem;
  /* a line longer than g->maxline, searched in parts: it starts at lstart
     in the window (0 once its start has gone); lhit[i]: pattern i has hit it
     (each pattern reports a line once); lcounted: count mode counted it */
  int inlong, lcounted, warned;
  size_t lstart;
  unsigned char *lhit;
} scan;

/* 1 when h is a hit on the long line being searched in parts. */
static inline int on_long(const scan *sc, size_t ls) { return sc->inlong && ls == sc->lstart; }

#define TERM(c) ((c) == '\n' || (c) == '\r')

static inline uint64_t count_lines(const char *p, size_t n) { return sx_count_lines(p, n); }

static inline size_t line_start(const char *w, size_t a) {
  while (a > 0 && !TERM(w[a - 1])) a--;
  return a;
}

static inline size_t line_end(const char *w, size_t a, size_t to) {
  const char *lf = memchr(w + a, '\n', to - a);
  size_t e = lf ? (size_t)(lf - w) : to;
  const char *cr = memchr(w + a, '\r', e - a);
  return cr ? (size_t)(cr - w) : e;
}

/* Start of the line after the one ending at le. */
static inline size_t next_line(const char *w, size_t le, size_t to) {
  if (le >= to) return to;
  return (w[le] == '\r' && le + 1 < to && w[le + 1] == '\n') ? le + 2 : le + 1;
}

/* Start of the line before the one starting at pos (> 0). */
static inline size_t prev_line(const char *w, size_t pos) {
  size_t e = (w[pos - 1] == '\n' && pos >= 2 && w[pos - 2] == '\r') ? pos - 2 : pos - 1;
  return line_start(w, e);
}

/* p with room for need items of size bytes (doubling); NULL and *nomem
   set when out of memory (p is kept). */
static inline void *grow(void *p, size_t *cap, size_t need, size_t size, int *nomem) {
  if (need <= *cap) return p;
  size_t nc = *cap ? *cap : 64;
  while (nc < need) nc *= 2;
  void *np = realloc(p, nc * size);
  if (!np) { *nomem = 1; return NULL; }
  *cap = nc;
  return np;
}

/* Gives the hit h to the sink, with its context lines (lim bounds the
   lines after it): 1 when the sink stopped, -1 on no memory, else 0. A
   hit that is a fault (h->err) is reported as one. */
int sx_scan_report(scan *sc, const hit *h, size_t lim);

/* Count mode: the lines of the hits (in line order), each once, up to
   max_count; a fault is reported without its line number (none is
   counted). */
int sx_scan_count(scan *sc);

#endif
