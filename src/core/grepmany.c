/* grepmany.c: many paths searched on several threads (plat_parallel).
   The paths are first expanded to files (a wildcard to the folder's
   matching files, as sx_grep_path would search them), and each file is
   one task: the files of one "CbsPersist_*.log" spread over the workers.
   A worker searches a file with its own copy of the pattern set (the
   compiled patterns are shared; each copy has its own PCRE2 match data),
   and what it finds is recorded; the caller's thread then replays the
   records file by file, so the sink sees exactly what a search of the
   paths one after the other would show, in the same order. A single file
   is searched on the caller's thread directly, without records, or when
   it is big in parts on several threads (grepsplit.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grep_int.h"

typedef struct task task;

typedef struct many {
  sx_grep *g;
  task *tasks;
  const sx_grep_opts *o;
} many;

static char *dup_n(const char *s, size_t n, sx_rec *r) {
  char *d = malloc(n + 1);
  if (!d) { r->nomem = 1; return NULL; }
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

static sx_ev *push(sx_rec *r, int type, const char *file) {
  sx_ev *v = calloc(1, sizeof *v);
  if (!v) { r->nomem = 1; return NULL; }
  v->type = type;
  if (!(v->file = dup_n(file, strlen(file), r))) { free(v); return NULL; }
  *r->tail = v;
  r->tail = &v->next;
  return v;
}

static sx_grep_line *dup_lines(const sx_grep_line *l, int n, sx_rec *r) {
  if (n == 0) return NULL;
  sx_grep_line *d = calloc((size_t)n, sizeof *d);
  if (!d) { r->nomem = 1; return NULL; }
  for (int i = 0; i < n; i++) d[i] = (sx_grep_line){ l[i].line, dup_n(l[i].text, l[i].len, r), l[i].len };
  return d;
}

static void copy_match(sx_ev *v, const sx_grep_match *m, sx_rec *r) {
  v->m = *m;
  v->m.file = v->file;
  v->m.text = dup_n(m->text, m->len, r);
  v->m.cap = NULL;
  v->m.caplen = NULL;
  if (m->ncap > 0) {
    const char **cap = calloc((size_t)m->ncap, sizeof *cap);
    size_t *caplen = calloc((size_t)m->ncap, sizeof *caplen);
    if (!cap || !caplen) { free(cap); free(caplen); r->nomem = 1; v->m.ncap = 0; }
    else {
      for (int i = 0; i < m->ncap; i++) {
        cap[i] = m->cap[i] ? dup_n(m->cap[i], m->caplen[i], r) : NULL;
        caplen[i] = m->caplen[i];
      }
      v->m.cap = cap;
      v->m.caplen = caplen;
    }
  }
  v->m.before = dup_lines(m->before, m->nbefore, r);
  v->m.after = dup_lines(m->after, m->nafter, r);
  if (!v->m.before) v->m.nbefore = 0;
  if (!v->m.after) v->m.nafter = 0;
}

int sx_rec_match(void *ud, const sx_grep_match *m) {
  sx_rec *r = ud;
  sx_ev *v = push(r, SX_EV_MATCH, m->file);
  if (v) copy_match(v, m, r);
  return 0;
}

void sx_rec_error(void *ud, const char *file, const plat_err *e) {
  sx_ev *v = push(ud, SX_EV_ERROR, file);
  if (v) v->e = *e;
}

void sx_rec_longline(void *ud, const char *file, uint64_t line, size_t limit) {
  sx_ev *v = push(ud, SX_EV_LONGLINE, file);
  if (v) { v->n = line; v->m.len = limit; }
}

void sx_rec_done(void *ud, const char *file, uint64_t n) {
  sx_ev *v = push(ud, SX_EV_DONE, file);
  if (v) v->n = n;
}

void sx_rec_fault(void *ud, const sx_grep_match *m, const plat_err *e) {
  sx_rec *r = ud;
  sx_ev *v = push(r, SX_EV_FAULT, m->file);
  if (v) { copy_match(v, m, r); v->e = *e; }
}

static void sx_free_ev(sx_ev *v) {
  free(v->file);
  if (v->type == SX_EV_MATCH || v->type == SX_EV_FAULT) {
    free((char *)v->m.text);
    for (int i = 0; i < v->m.ncap && v->m.cap; i++) free((char *)v->m.cap[i]);
    free(v->m.cap);
    free((size_t *)v->m.caplen);
    for (int i = 0; i < v->m.nbefore; i++) free((char *)v->m.before[i].text);
    for (int i = 0; i < v->m.nafter; i++) free((char *)v->m.after[i].text);
    free((sx_grep_line *)v->m.before);
    free((sx_grep_line *)v->m.after);
  }
  free(v);
}

void sx_replay(sx_ev *v, const sx_grep_sink *s, int *stopped) {
  if (!*stopped) {
    if (v->type == SX_EV_MATCH) *stopped = s->match(s->ud, &v->m) != 0;
    else if (v->type == SX_EV_ERROR) s->error(s->ud, v->file, &v->e);
    else if (v->type == SX_EV_DONE) { if (s->done) s->done(s->ud, v->file, v->n); }
    else if (v->type == SX_EV_LONGLINE) { if (s->longline) s->longline(s->ud, v->file, v->n, v->m.len); }
    else if (s->fault) s->fault(s->ud, &v->m, &v->e);
    else s->error(s->ud, v->file, &v->e);
  }
  sx_free_ev(v);
}

sx_grep *sx_grep_clone(const sx_grep *g) {
  sx_grep *c = malloc(sizeof *c);
  sx_pat *p = malloc((size_t)(g->n ? g->n : 1) * sizeof *p);
  if (!c || !p) { free(c); free(p); return NULL; }
  *c = *g;
  memcpy(p, g->pat, (size_t)g->n * sizeof *p);
  c->pat = p;
  for (int i = 0; i < g->n; i++) {
#if SXSFIX_HAVE_PCRE2
    if (p[i].code && !(p[i].md = pcre2_match_data_create_from_pattern(p[i].code, NULL))) {
      for (int k = 0; k < i; k++) pcre2_match_data_free(p[k].md);
      free(p); free(c);
      return NULL;
    }
#endif
  }
  return c;
}

void sx_grep_free_clone(sx_grep *c) {
#if SXSFIX_HAVE_PCRE2
  for (int i = 0; i < c->n; i++) pcre2_match_data_free(c->pat[i].md);
#endif
  free(c->pat);
  free(c);
}

/* One file to search (path), or, with path NULL, what listing a
   folder for a wildcard reported (name: the path given). */
struct task { char *path; const char *name; int listed; sx_rec r; };

static void work(void *ud, size_t i) {
  many *w = ud;
  task *t = &w->tasks[i];
  if (!t->path) return;
  sx_grep *c = sx_grep_clone(w->g);
  if (!c) { t->r.nomem = 1; return; }
  sx_grep_sink s = { sx_rec_match, sx_rec_error, sx_rec_done, &t->r, sx_rec_fault, sx_rec_longline };
  sx_grep_file(c, t->path, t->listed, w->o, &s);
  sx_grep_free_clone(c);
}

void sx_free_rec(sx_rec *r) {
  for (sx_ev *v = r->head, *next; v; v = next) { next = v->next; sx_free_ev(v); }
}

/* The paths as tasks, in order; NULL when out of memory. */
static task *plan(const char *const *paths, size_t n, size_t *nt, size_t *nfiles) {
  task *ts = NULL;
  size_t k = 0, cap = 0;
  *nfiles = 0;
  for (size_t i = 0; i < n; i++) {
    sx_rec lr = { NULL, &lr.head, 0 };
    sx_grep_sink ls = { sx_rec_match, sx_rec_error, sx_rec_done, &lr, sx_rec_fault, sx_rec_longline };
    size_t nf;
    int listed;
    char **files = sx_grep_expand(paths[i], &nf, &listed, &ls);
    if (k + nf + 1 > cap) {
      size_t nc = (k + nf + 1) * 2;
      task *nts = realloc(ts, nc * sizeof *nts);
      if (!nts) {
        for (size_t f = 0; f < nf; f++) free(files[f]);
        free(files);
        sx_free_rec(&lr);
        for (size_t t = 0; t < k; t++) { free(ts[t].path); sx_free_rec(&ts[t].r); }
        free(ts);
        return NULL;
      }
      ts = nts;
      cap = nc;
    }
    ts[k++] = (task){ NULL, paths[i], 0, lr };
    for (size_t f = 0; f < nf; f++) ts[k++] = (task){ files[f], paths[i], listed, { NULL, NULL, 0 } };
    *nfiles += nf;
    free(files);
  }
  for (size_t i = 0; i < k; i++)
    if (!ts[i].r.head) ts[i].r.tail = &ts[i].r.head;  /* set once the array no longer moves */
  *nt = k;
  return ts;
}

int sx_grep_paths(sx_grep *g, const char *const *paths, size_t n, int threads,
                  const sx_grep_opts *o, const sx_grep_sink *s) {
  size_t nt = 0, nfiles = 0;
  task *tasks = plan(paths, n, &nt, &nfiles);
  if (!tasks) {  /* no memory for a plan: one after the other */
    for (size_t i = 0; i < n; i++)
      if (sx_grep_path(g, paths[i], o, s)) return 1;
    return 0;
  }
  int direct = threads < 2 || nfiles < 2;
  if (!direct) {
    many w = { g, tasks, o };
    plat_parallel(nt, threads, work, &w);
  }
  int stopped = 0;
  for (size_t i = 0; i < nt; i++) {
    task *t = &tasks[i];
    for (sx_ev *v = t->r.head, *next; v; v = next) {
      next = v->next;
      sx_replay(v, s, &stopped);
    }
    if (direct && t->path && !stopped) {  /* a single file: in parts on several threads, when it is big */
      int r = nfiles == 1 && threads > 1 ? sx_grep_split(g, t->path, threads, o, s) : -1;
      stopped = r >= 0 ? r : sx_grep_file(g, t->path, t->listed, o, s);
    }
    if (t->r.nomem && !stopped) {  /* what was lost is said, never silently dropped */
      const char *name = t->path ? t->path : t->name;
      plat_err e;
      plat_failc(&e, PLAT_EC_RESOURCE, plat_errcode(PLAT_E_NOMEM),
                 "%s: out of memory: results of this search are incomplete", name);
      s->error(s->ud, name, &e);
    }
    free(t->path);
  }
  free(tasks);
  return stopped;
}
