/* grepsrc.c: what the grep engine reads: files, .cab members (through
   libarchive) and folder + wildcard arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/glob.h"
#include "core/grep_int.h"

#if SXSFIX_HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif

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

#if SXSFIX_HAVE_LIBARCHIVE
typedef struct cabsrc {
  plat_rfile *f;
  plat_err e;
  char buf[1 << 16];
} cabsrc;

static la_ssize_t cab_in(struct archive *a, void *ud, const void **out) {
  cabsrc *c = ud;
  size_t got;
  if (plat_rfile_read(c->f, c->buf, sizeof c->buf, &got, &c->e) != 0) {
    archive_set_error(a, c->e.code, "%s", c->e.msg);
    return -1;
  }
  *out = c->buf;
  return (la_ssize_t)got;
}

static int member_read(void *src, void *buf, size_t len, size_t *got, plat_err *e) {
  struct archive *a = src;
  la_ssize_t r = archive_read_data(a, buf, len);
  if (r < 0) {
    const char *m = archive_error_string(a);
    e->code = archive_errno(a);
    snprintf(e->msg, sizeof e->msg, "%s", m ? m : "damaged cabinet");
    return -1;
  }
  *got = (size_t)r;
  return 0;
}

static void cab_fail(const sx_grep_sink *s, const char *name, struct archive *a, const char *what) {
  plat_err e;
  const char *m = archive_error_string(a);
  e.code = archive_errno(a);
  snprintf(e.msg, sizeof e.msg, "%s: %s", name, m ? m : what);
  s->error(s->ud, name, &e);
}

/* Each regular member is searched as "path:member". */
static int search_cab(sx_grep *g, const char *path, const sx_grep_opts *o, const sx_grep_sink *s) {
  cabsrc *c = calloc(1, sizeof *c);
  struct archive *a = archive_read_new();
  int rc = 0;
  plat_err e;
  if (!c || !a) {
    plat_fail(&e, path, 12);
    snprintf(e.msg, sizeof e.msg, "%s: out of memory", path);
    s->error(s->ud, path, &e);
    goto out;
  }
  if (!(c->f = plat_rfile_open(path, &e))) { s->error(s->ud, path, &e); goto out; }
  archive_read_support_format_cab(a);
  if (archive_read_open(a, c, NULL, cab_in, NULL) != ARCHIVE_OK) {
    cab_fail(s, path, a, "not a cabinet file");
    goto out;
  }
  struct archive_entry *ent;
  int r;
  while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    if (archive_entry_filetype(ent) != AE_IFREG) continue;
    const char *m = archive_entry_pathname_utf8(ent);
    if (!m) m = archive_entry_pathname(ent);
    size_t len = strlen(path) + strlen(m ? m : "?") + 2;
    char *name = malloc(len);
    if (!name) continue;
    snprintf(name, len, "%s:%s", path, m ? m : "?");
    rc = sx_grep_stream(g, name, member_read, a, o, s);
    free(name);
    if (rc == 1) goto out;
    if (rc < 0) { rc = 0; goto out; }  /* a damaged member: the rest cannot be read */
  }
  if (r != ARCHIVE_EOF) cab_fail(s, path, a, "damaged cabinet");
out:
  if (a) archive_read_free(a);
  if (c) plat_rfile_close(c->f);
  free(c);
  return rc;
}
#else
static int search_cab(sx_grep *g, const char *path, const sx_grep_opts *o, const sx_grep_sink *s) {
  (void)g; (void)o;
  plat_err e = { 0 };
  snprintf(e.msg, sizeof e.msg, "%s: this sxsfix was built without libarchive: .cab files cannot be searched", path);
  s->error(s->ud, path, &e);
  return 0;
}
#endif

static int search_file(sx_grep *g, const char *path, const sx_grep_opts *o, const sx_grep_sink *s) {
  if (ends_with_ci(path, ".cab")) return search_cab(g, path, o, s);
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
    char *name = names[i];
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (p) { snprintf(p, len, "%s%c%s", dir, plat_sep(), name); names[k++] = p; }
    free(name);
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
