/* grepsplit.c: one big file searched in parts on several threads. The
   file is cut into up to `threads` parts at line ends (just after an LF,
   so a CRLF stays whole). Each part is searched by a worker with its own
   copy of the pattern set and its own handle, and what it finds is
   recorded with line numbers counted from the part's start; the caller's
   thread then replays the parts in order, adding to each line number the
   lines of the parts before it, and gives done() the sum of their counts.
   The sink sees what a search of the whole file shows. Only 8-bit text
   (UTF-8, ANSI: as the file's start says) is split, and only without
   context lines or max_count, which would reach across the cuts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grep_int.h"

typedef struct part {
  uint64_t from, to;
  sx_part p;
  sx_rec r;
  int done;             /* the part was read to its end */
} part;

typedef struct split {
  sx_grep *g;
  const char *path;
  const sx_grep_opts *o;
  part *parts;
} split;

typedef struct range { plat_rfile *f; uint64_t left; } range;

static int range_read(void *src, void *buf, size_t len, size_t *got, plat_err *e) {
  range *r = src;
  if (len > r->left) len = (size_t)r->left;
  *got = 0;
  if (len == 0) return 0;
  if (plat_rfile_read(r->f, buf, len, got, e) != 0) return -1;
  r->left -= *got;
  return 0;
}

static void work(void *ud, size_t i) {
  split *sp = ud;
  part *pt = &sp->parts[i];
  sx_grep *c = sx_grep_clone(sp->g);
  if (!c) { pt->r.nomem = 1; return; }
  sx_grep_sink s = { sx_rec_match, sx_rec_error, sx_rec_done, &pt->r, sx_rec_fault, sx_rec_longline };
  plat_err e;
  plat_rfile *f = plat_rfile_open(sp->path, &e);
  if (!f || plat_rfile_seek(f, pt->from, &e) != 0) sx_rec_error(&pt->r, sp->path, &e);
  else {
    range rg = { f, pt->to - pt->from };
    pt->done = sx_grep_part(c, sp->path, range_read, &rg, sp->o, &s, &pt->p) == 0;
  }
  plat_rfile_close(f);
  sx_grep_free_clone(c);
}

/* The first byte after an LF at or after off (within 64 KiB), or 0. */
static uint64_t cut_after(plat_rfile *f, uint64_t off, char *buf, size_t len) {
  plat_err e;
  size_t got = 0;
  if (plat_rfile_seek(f, off, &e) != 0 || plat_rfile_read(f, buf, len, &got, &e) != 0) return 0;
  const char *lf = memchr(buf, '\n', got);
  return lf ? off + (uint64_t)(lf - buf) + 1 : 0;
}

/* The parts of f (size bytes), at most n; how many. */
static size_t plan(plat_rfile *f, uint64_t size, size_t n, part *parts) {
  enum { LOOK = 64 << 10 };
  char *buf = malloc(LOOK);
  if (!buf) return 1;
  size_t k = 0;
  uint64_t from = 0;
  for (size_t i = 1; i < n; i++) {
    uint64_t at = cut_after(f, size / n * i, buf, LOOK);
    if (at <= from || at >= size) continue;  /* no line end near there: a bigger part */
    parts[k++].to = at;
    parts[k].from = from = at;
  }
  parts[k++].to = size;
  free(buf);
  return k;
}

int sx_grep_split(sx_grep *g, const char *path, int threads, const sx_grep_opts *o, const sx_grep_sink *s) {
  if (o->before || o->after || o->max_count || sx_grep_is_cab(path)) return -1;
  plat_err e;
  plat_rfile *f = plat_rfile_open(path, &e);
  if (!f) return -1;  /* searched whole, which reports it */
  int64_t size = plat_rfile_size(f, &e);
  size_t n = threads > PLAT_MAX_THREADS ? PLAT_MAX_THREADS : (size_t)threads;
  if (size > 0 && (uint64_t)size / g->split < n) n = (size_t)((uint64_t)size / g->split);
  unsigned char head[4096];
  size_t got = 0, bom;
  if (n < 2 || plat_rfile_read(f, head, sizeof head, &got, &e) != 0) { plat_rfile_close(f); return -1; }
  sx_enc enc = sx_text_detect(head, got, &bom);
  part parts[PLAT_MAX_THREADS];
  memset(parts, 0, sizeof parts);
  if (enc == SX_ENC_UTF16LE || enc == SX_ENC_UTF16BE || (n = plan(f, (uint64_t)size, n, parts)) < 2) {
    plat_rfile_close(f);
    return -1;
  }
  plat_rfile_close(f);
  for (size_t i = 0; i < n; i++) {
    parts[i].p = (sx_part){ i == 0, enc, 0 };
    parts[i].r.tail = &parts[i].r.head;
  }
  split sp = { g, path, o, parts };
  plat_parallel(n, threads, work, &sp);
  int stopped = 0, done = 1, warned = 0;
  uint64_t base = 0, total = 0;
  for (size_t i = 0; i < n; i++) {
    for (sx_ev *v = parts[i].r.head, *next; v; v = next) {
      next = v->next;
      int skip = v->type == SX_EV_DONE;  /* the parts' counts: one done() for the file, below */
      if (skip) total += v->n;
      if ((v->type == SX_EV_MATCH || v->type == SX_EV_FAULT) && v->m.line) v->m.line += base;
      if (v->type == SX_EV_LONGLINE) {  /* once for the file, not once a part */
        if (v->n) v->n += base;
        if (warned++) skip = 1;
      }
      sx_replay(v, s, skip ? &skip : &stopped);
    }
    done = done && parts[i].done && !parts[i].r.nomem;
    if (parts[i].r.nomem && !stopped) {  /* what was lost is said, never silently dropped */
      plat_failc(&e, PLAT_EC_RESOURCE, plat_errcode(PLAT_E_NOMEM),
                 "%s: out of memory: results of this search are incomplete", path);
      s->error(s->ud, path, &e);
    }
    base += parts[i].p.lines;
  }
  if (done && !stopped && s->done) s->done(s->ud, path, total);
  return stopped;
}
