/* walk.c: see walk.h. */
#include <stdlib.h>
#include <string.h>

#include "core/glob.h"
#include "core/winpath.h"
#include "core/walk.h"

typedef struct level {
  plat_dir *d;
  char *path;   /* native path of this folder */
  char *rel;    /* path relative to the walk's start ("" at the top) */
} level;

struct sx_walk {
  level *lv;
  int n, cap;
  sx_walk_opts o;
  char *match;
  char *root;
  char *rel;    /* the last entry's relative path */
};

static int nomem(plat_err *e, const char *what) {
  return plat_fail(e, what, plat_errcode(PLAT_E_NOMEM));
}

static void pop_level(sx_walk *w) {
  level *l = &w->lv[--w->n];
  plat_dir_close(l->d);
  free(l->path);
  free(l->rel);
}

/* Open folder path as a new level; 0, or -1 with e filled (path and rel
   are taken over either way). */
static int push_level(sx_walk *w, char *path, char *rel, plat_err *e) {
  if (!path || !rel) {
    free(path); free(rel);
    return nomem(e, w->root);
  }
  if (w->n == w->cap) {
    int cap = w->cap ? w->cap * 2 : 8;
    level *lv = realloc(w->lv, (size_t)cap * sizeof *lv);
    if (!lv) { free(path); free(rel); return nomem(e, w->root); }
    w->lv = lv;
    w->cap = cap;
  }
  plat_dir *d = plat_dir_open(path, e);
  if (!d) { free(path); free(rel); return -1; }
  w->lv[w->n++] = (level){d, path, rel};
  return 0;
}

sx_walk *sx_walk_open(const char *path, const sx_walk_opts *o, plat_err *e) {
  sx_walk *w = calloc(1, sizeof *w);
  if (!w) { nomem(e, path); return NULL; }
  w->o = *o;
  if (!(w->root = strdup(path)) || (o->match && !(w->match = strdup(o->match)))) {
    nomem(e, path);
    sx_walk_close(w);
    return NULL;
  }
  w->o.match = w->match;
  if (push_level(w, strdup(path), strdup(""), e) != 0) {
    sx_walk_close(w);
    return NULL;
  }
  return w;
}

int sx_walk_next(sx_walk *w, sx_walk_ent *ent, plat_err *e) {
  while (w->n > 0) {
    level *l = &w->lv[w->n - 1];
    plat_dirent de;
    int r = plat_dir_next(l->d, &de, e);
    if (r < 0) return -1;
    if (r == 0) { pop_level(w); continue; }
    free(w->rel);
    if (!(w->rel = sx_path_join(l->rel, de.name, 0))) return nomem(e, l->path);
    int show = (w->o.want < 0 || (int)de.type == w->o.want) &&
               (!w->match || sx_glob_match(w->match, de.name));
    if (show) *ent = (sx_walk_ent){ NULL, w->rel, de.type };
    if (de.type == PLAT_DIR && (w->o.maxdepth == 0 || w->n < w->o.maxdepth)) {
      /* de.name dies with the next read of l->d: the level is pushed first */
      if (push_level(w, sx_path_join(l->path, de.name, 0), strdup(w->rel), e) != 0) return -1;
    }
    if (show) {
      const char *base = w->rel + strlen(w->rel) - strlen(de.name);
      ent->name = base;
      return 1;
    }
  }
  return 0;
}

const char *sx_walk_root(const sx_walk *w) { return w->root; }

void sx_walk_close(sx_walk *w) {
  if (!w) return;
  while (w->n > 0) pop_level(w);
  free(w->lv);
  free(w->match);
  free(w->root);
  free(w->rel);
  free(w);
}
