/* wim.c: WIM containers (the .msu of Windows 11 24H2) through wimlib.
   Image 1's tree is read first and every name and type checked; the files
   wanted are then extracted by wimlib into a fresh staging folder inside
   the destination, and expand.c moves each into place. wimlib's strings
   are the OS's own (UTF-16 on Windows): plat_to_native/plat_from_native
   convert at each call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/archive.h"
#include "core/winpath.h"
#include "core/safename.h"

#if SXSFIX_HAVE_WIMLIB
#include <wimlib.h>

typedef struct went {
  sx_entry ent;
  char *name;       /* UTF-8, '/'-separated */
  void *wimpath;    /* wimlib's own path (native string) */
} went;

/* wimlib's message for error code r, as UTF-8 in buf. */
static const char *werr(int r, char *buf, size_t len) {
  char *s = plat_from_native(wimlib_get_error_string((enum wimlib_error_code)r));
  snprintf(buf, len, "%s", s ? s : "unknown wimlib error");
  free(s);
  return buf;
}

typedef struct wtree {
  went *v;
  size_t n, cap;
  const char *label;
  plat_err *e;
  int rc;
} wtree;

static int collect(const struct wimlib_dir_entry *d, void *ud) {
  wtree *t = ud;
  if (d->depth == 0) return 0;   /* the root folder itself */
  char name[4096];
  char *full = plat_from_native(d->full_path);
  if (!full) { t->rc = sx_exp_nomem(t->e, t->label); return 1; }
  const char *why = sx_safename(full + 1, name, sizeof name);
  if (!why && (d->attributes & WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT))
    why = "a reparse point (symbolic link or junction); expected a plain file or folder";
  if (why) {
    t->rc = sx_exp_fail(t->e, SX_EXP_UNSAFE, t->label, "entry '%s' refused: %s", full + 1, why);
    free(full);
    return 1;   /* stops the iteration */
  }
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    went *nv = realloc(t->v, cap * sizeof *nv);
    if (!nv) { t->rc = sx_exp_nomem(t->e, t->label); return 1; }
    t->v = nv;
    t->cap = cap;
  }
  went *w = &t->v[t->n];
  w->name = strdup(name);
  w->wimpath = plat_to_native(full);
  free(full);
  if (!w->name || !w->wimpath) {
    free(w->name); free(w->wimpath);
    t->rc = sx_exp_nomem(t->e, t->label);
    return 1;
  }
  t->n++;
  w->ent.name = w->name;
  w->ent.origin = t->label;
  w->ent.is_dir = (d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
  w->ent.size = w->ent.is_dir ? 0 : d->streams[0].resource.uncompressed_size;
  w->ent.mtime_ns = (int64_t)d->last_write_time.tv_sec * 1000000000 + d->last_write_time.tv_nsec;
  return 0;
}

static void tree_free(wtree *t) {
  for (size_t i = 0; i < t->n; i++) { free(t->v[i].name); free(t->v[i].wimpath); }
  free(t->v);
}

/* Open path and read image 1's tree into t. */
static int wim_tree(const char *path, const char *label, WIMStruct **wim, wtree *t, plat_err *e) {
  memset(t, 0, sizeof *t);
  t->label = label;
  t->e = e;
  static const wimlib_tchar root[1] = { 0 };   /* "" in wimlib's own string type */
  char msg[256];
  void *npath = plat_to_native(path);
  if (!npath) return sx_exp_nomem(e, label);
  int r = wimlib_open_wim(npath, 0, wim);
  free(npath);
  if (r) return sx_exp_fail(e, SX_EXP_CORRUPT, label, "cannot be read as a WIM: %s", werr(r, msg, sizeof msg));
  struct wimlib_wim_info info;
  wimlib_get_wim_info(*wim, &info);
  if (info.image_count < 1)
    r = sx_exp_fail(e, SX_EXP_CORRUPT, label, "the WIM holds no image; expected one");
  else if ((r = wimlib_iterate_dir_tree(*wim, 1, root, WIMLIB_ITERATE_DIR_TREE_FLAG_RECURSIVE,
                                        collect, t)) != 0 && !t->rc)
    r = sx_exp_fail(e, SX_EXP_CORRUPT, label, "damaged WIM: %s", werr(r, msg, sizeof msg));
  if (r || t->rc) {
    tree_free(t);
    wimlib_free(*wim);
    return -1;
  }
  return 0;
}

int sx_wim_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e) {
  WIMStruct *wim;
  wtree t;
  if (wim_tree(path, label, &wim, &t, e) != 0) return -1;
  for (size_t i = 0; i < t.n; i++)
    if (!t.v[i].ent.is_dir) fn(ud, t.v[i].name, t.v[i].ent.size);
  tree_free(&t);
  wimlib_free(wim);
  return 0;
}

int sx_wim_walk(const char *path, const char *label, sx_visit *v, plat_err *e) {
  WIMStruct *wim;
  wtree t;
  if (wim_tree(path, label, &wim, &t, e) != 0) return -1;
  const void **paths = calloc(t.n + 1, sizeof *paths);
  char *want = calloc(t.n + 1, 1);
  size_t np = 0;
  int rc = 0;
  if (!paths || !want) rc = sx_exp_nomem(e, label);
  for (size_t i = 0; !rc && i < t.n; i++) {
    want[i] = !t.v[i].ent.is_dir && v->wants && v->wants(v, &t.v[i].ent);
    if (want[i]) paths[np++] = t.v[i].wimpath;
  }
  if (!rc && np > 0) {
    char msg[256];
    void *stage = plat_to_native(v->stage);
    int r = stage ? wimlib_extract_paths(wim, 1, stage, (const wimlib_tchar *const *)paths, np,
                                         WIMLIB_EXTRACT_FLAG_NO_ACLS | WIMLIB_EXTRACT_FLAG_NO_ATTRIBUTES)
                  : WIMLIB_ERR_NOMEM;
    free(stage);
    if (r) rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "cannot extract: %s", werr(r, msg, sizeof msg));
  }
  for (size_t i = 0; !rc && i < t.n; i++) {
    char *staged = NULL;
    if (want[i] && !(staged = sx_path_join(v->stage, t.v[i].name, 0))) {
      rc = sx_exp_nomem(e, label);
      break;
    }
    sx_reader r = { NULL, staged, NULL };
    if (v->entry(v, &t.v[i].ent, staged ? &r : NULL, e) != 0) rc = -1;
    free(staged);
  }
  free(paths);
  free(want);
  tree_free(&t);
  wimlib_free(wim);
  return rc;
}

#else

static int no_wimlib(const char *label, plat_err *e) {
  return sx_exp_fail(e, SX_EXP_UNSUPPORTED, label,
                     "this sxsfix was built without wimlib: WIM-based .msu files "
                     "(Windows 11 24H2) cannot be expanded");
}

int sx_wim_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e) {
  (void)path; (void)fn; (void)ud;
  return no_wimlib(label, e);
}

int sx_wim_walk(const char *path, const char *label, sx_visit *v, plat_err *e) {
  (void)path; (void)v;
  return no_wimlib(label, e);
}

#endif
