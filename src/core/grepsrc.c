/* grepsrc.c: what the grep engine reads: buffers, files, .cab members (through the
   archive module's cabinet reader, as expand reads them) and folder +
   wildcard arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/archive.h"
#include "core/glob.h"
#include "core/grep_int.h"
#include "core/winpath.h"

static int file_read(void *src, void *buf, size_t len, size_t *got, plat_err *e) {
  return plat_rfile_read(src, buf, len, got, e);
}

static int ends_with_ci(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  if (n < k) return 0;
  for (size_t i = 0; i < k; i++) {
    char c = s[n - k + i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != suffix[i]) return 0;
  }
  return 1;
}

/* A .cab member, read through the archive module's block reader. */
typedef struct member {
  sx_reader *r;
  const char *blk;
  size_t left;
} member;

static int member_read(void *src, void *buf, size_t len, size_t *got, plat_err *e) {
  member *m = src;
  if (m->left == 0) {
    const void *b;
    int64_t n = m->r->next(m->r, &b, e);
    if (n < 0) return -1;
    m->blk = b;
    m->left = (size_t)n;
  }
  *got = len < m->left ? len : m->left;
  if (*got == 0) return 0;  /* the end: there is no block to copy from */
  memcpy(buf, m->blk, *got);
  m->blk += *got;
  m->left -= *got;
  return 0;
}

typedef struct cabgrep {
  sx_grep *g;
  const char *path;
  const sx_grep_opts *o;
  const sx_grep_sink *s;
  int stop;    /* 1: the sink stopped the search; -1: a member failed (reported) */
} cabgrep;

/* Each regular member is searched as "path:member". */
static int cab_member(sx_visit *v, const sx_entry *ent, sx_reader *r, plat_err *e) {
  cabgrep *c = v->ud;
  if (ent->is_dir || !r) return 0;
  char *name = malloc(strlen(c->path) + strlen(ent->name) + 2);
  if (!name) return plat_fail(e, c->path, plat_errcode(PLAT_E_NOMEM));
  sprintf(name, "%s:%s", c->path, ent->name);
  member m = { r, NULL, 0 };
  int rc = sx_grep_stream(c->g, name, member_read, &m, c->o, c->s);
  free(name);
  if (rc == 0) return 0;
  c->stop = rc;  /* a damaged member: the rest cannot be read */
  return -1;
}

static int search_cab(sx_grep *g, const char *path, const sx_grep_opts *o, const sx_grep_sink *s) {
  cabgrep c = { g, path, o, s, 0 };
  sx_visit v = { NULL, cab_member, NULL, &c };
  plat_err e;
  if (sx_cab_walk(path, path, &v, &e) != 0 && !c.stop) s->error(s->ud, path, &e);
  return c.stop == 1;
}

int sx_grep_is_cab(const char *path) { return ends_with_ci(path, ".cab"); }

static int search_file(sx_grep *g, const char *path, const sx_grep_opts *o, const sx_grep_sink *s) {
  if (sx_grep_is_cab(path)) return search_cab(g, path, o, s);
  plat_err e;
  plat_rfile *f = plat_rfile_open(path, &e);
  if (!f) { s->error(s->ud, path, &e); return 0; }
  int rc = sx_grep_stream(g, path, file_read, f, o, s);
  plat_rfile_close(f);
  return rc == 1;
}

/* Name order as Windows shows it: ASCII case ignored, then bytes. */
static int cmp_str(const void *a, const void *b) {
  const char *x = *(char *const *)a, *y = *(char *const *)b;
  for (size_t i = 0;; i++) {
    int cx = (unsigned char)x[i], cy = (unsigned char)y[i];
    if (cx >= 'A' && cx <= 'Z') cx += 'a' - 'A';
    if (cy >= 'A' && cy <= 'Z') cy += 'a' - 'A';
    if (cx != cy) return cx - cy;
    if (!cx) return strcmp(x, y);
  }
}

/* The folder part of path, and where its last component starts. */
static char *split_dir(const char *path, const char **base) {
  const char *slash = strrchr(path, '/');
  if (plat_sep() == '\\') {
    const char *bs = strrchr(path, '\\');
    if (bs && (!slash || bs > slash)) slash = bs;
  }
  *base = slash ? slash + 1 : path;
  size_t dl = slash ? (size_t)(slash - path) : 1;
  char *dir = malloc(dl + 2);
  if (!dir) return NULL;
  if (slash) { memcpy(dir, path, dl); dir[dl] = '\0'; if (dl == 0) strcpy(dir, "/"); }
  else strcpy(dir, ".");
  return dir;
}

char **sx_grep_expand(const char *path, size_t *count, int *listed, const sx_grep_sink *s) {
  const char *pat;
  *count = 0;
  *listed = 0;
  char *dir = split_dir(path, &pat);
  if (!dir) return NULL;
  if (!sx_glob_has_wildcard(pat)) {  /* the path itself */
    free(dir);
    char **one = malloc(sizeof *one);
    if (one && !(one[0] = strdup(path))) { free(one); one = NULL; }
    if (one) *count = 1;
    return one;
  }
  *listed = 1;
  plat_err e;
  plat_dir *d = plat_dir_open(dir, &e);
  if (!d) { s->error(s->ud, dir, &e); free(dir); return NULL; }
  char **names = NULL;
  size_t n = 0, cap = 0;
  plat_dirent ent;
  int r;
  while ((r = plat_dir_next(d, &ent, &e)) == 1) {
    if (ent.type == PLAT_DIR || !sx_glob_match(pat, ent.name)) continue;
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      char **nn = realloc(names, nc * sizeof *nn);
      if (!nn) break;
      names = nn;
      cap = nc;
    }
    if ((names[n] = strdup(ent.name))) n++;
  }
  if (r < 0) s->error(s->ud, dir, &e);
  plat_dir_close(d);
  if (n > 1) qsort(names, n, sizeof *names, cmp_str);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {  /* each name as dir<sep>name */
    char *p = sx_path_join(dir, names[i], 0);
    free(names[i]);
    if (p) names[k++] = p;
  }
  free(dir);
  *count = k;
  return names;
}

int sx_grep_file(sx_grep *g, const char *path, int listed, const sx_grep_opts *o, const sx_grep_sink *s) {
  if (listed) {  /* an entry of a folder: a folder created since is left out */
    plat_err e;
    plat_info st;
    if (plat_stat(path, 1, &st, &e) != 0) { s->error(s->ud, path, &e); return 0; }
    if (st.type == PLAT_DIR) return 0;
  }
  return search_file(g, path, o, s);
}

int sx_grep_path(sx_grep *g, const char *path, const sx_grep_opts *o, const sx_grep_sink *s) {
  size_t n;
  int listed, rc = 0;
  char **files = sx_grep_expand(path, &n, &listed, s);
  for (size_t i = 0; i < n; i++) {
    if (!rc) rc = sx_grep_file(g, files[i], listed, o, s);
    free(files[i]);
  }
  free(files);
  return rc;
}

/* A buffer in memory, read in blocks as a file would be. */
typedef struct memsrc { const char *p; size_t left; } memsrc;

static int mem_read(void *src, void *buf, size_t len, size_t *got, plat_err *e) {
  (void)e;
  memsrc *m = src;
  size_t n = len < m->left ? len : m->left;
  memcpy(buf, m->p, n);
  m->p += n;
  m->left -= n;
  *got = n;
  return 0;
}

int sx_grep_buffer(sx_grep *g, const char *name, const void *data, size_t len,
                   const sx_grep_opts *o, const sx_grep_sink *s) {
  memsrc m = { data, len };
  return sx_grep_stream(g, name, mem_read, &m, o, s);
}
