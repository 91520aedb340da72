/* copyplan.c: the copy plan (robocopy /L and better): walk the source and
   the destination and decide, with a reason, what each item needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy_int.h"

const char *copy_action_name(copy_action a) {
  static const char *const names[] = { "new", "changed", "same", "extra", "skipped", "mismatch" };
  return names[a];
}

static int add(copy_plan *p, const char *rel, plat_type t, copy_action a, const char *why,
               uint64_t size, plat_err *e) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 256;
    copy_item *ni = realloc(p->items, cap * sizeof *ni);
    if (!ni) return plat_fail(e, rel, ENOMEM_CODE);
    p->items = ni;
    p->cap = cap;
  }
  copy_item *it = &p->items[p->n];
  memset(it, 0, sizeof *it);
  if (!(it->rel = strdup(rel))) return plat_fail(e, rel, ENOMEM_CODE);
  it->type = t;
  it->action = a;
  it->reason = why;
  it->size = size;
  p->n++;
  return 0;
}

void copy_plan_free(copy_plan *p) {
  for (size_t i = 0; i < p->n; i++) { free(p->items[i].rel); free(p->items[i].error); free(p->items[i].pending); }
  free(p->items);
  memset(p, 0, sizeof *p);
}

typedef struct names { char **v; size_t n; } names;

static void names_free(names *ns) {
  for (size_t i = 0; i < ns->n; i++) free(ns->v[i]);
  free(ns->v);
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entry names of a folder. */
static int list(const char *path, names *ns, plat_err *e) {
  memset(ns, 0, sizeof *ns);
  plat_dir *d = plat_dir_open(path, e);
  if (!d) return -1;
  size_t cap = 0;
  plat_dirent de;
  int r;
  while ((r = plat_dir_next(d, &de, e)) == 1) {
    if (ns->n == cap) {
      cap = cap ? cap * 2 : 64;
      char **nv = realloc(ns->v, cap * sizeof *nv);
      if (!nv) { r = plat_fail(e, path, ENOMEM_CODE); break; }
      ns->v = nv;
    }
    if (!(ns->v[ns->n] = strdup(de.name))) { r = plat_fail(e, path, ENOMEM_CODE); break; }
    ns->n++;
  }
  plat_dir_close(d);
  if (r < 0) { names_free(ns); return -1; }
  if (ns->n) qsort(ns->v, ns->n, sizeof *ns->v, cmp_name);
  return 0;
}

static int has(const names *ns, const char *n) {
  return ns->n && bsearch(&n, ns->v, ns->n, sizeof *ns->v, cmp_name) != NULL;
}

typedef struct walk { const char *src, *dst; const copy_opts *o; copy_plan *p; plat_err *e; } walk;

/* Decide one item whose source status is s; recurse into folders. */
static int visit(walk *w, const char *rel, const plat_info *s, int dst_dir_exists);

static int walk_dir(walk *w, const char *rel, int dst_exists) {
  char *sp = copy_join(w->src, rel), *dp = copy_join(w->dst, rel);
  names sn = {0}, dn = {0};
  int rc = (!sp || !dp) ? plat_fail(w->e, rel, ENOMEM_CODE) : list(sp, &sn, w->e);
  if (rc == 0 && dst_exists) rc = list(dp, &dn, w->e);
  for (size_t i = 0; rc == 0 && i < sn.n; i++) {
    char *r = copy_join(rel, sn.v[i]), *p = r ? copy_join(w->src, r) : NULL;
    plat_info st;
    if (!r || !p) rc = plat_fail(w->e, rel, ENOMEM_CODE);
    else if (plat_stat(p, 0, &st, w->e) != 0) rc = -1;
    else rc = visit(w, r, &st, dst_exists);
    free(r);
    free(p);
  }
  for (size_t i = 0; rc == 0 && i < dn.n; i++) {  /* extras: reported, never deleted */
    if (has(&sn, dn.v[i])) continue;
    char *r = copy_join(rel, dn.v[i]), *p = r ? copy_join(w->dst, r) : NULL;
    plat_info st;
    if (!r || !p) rc = plat_fail(w->e, rel, ENOMEM_CODE);
    else if (plat_stat(p, 0, &st, w->e) != 0) rc = -1;
    else rc = add(w->p, r, st.type, CA_EXTRA, "only in the destination", st.size, w->e);
    free(r);
    free(p);
  }
  names_free(&sn);
  names_free(&dn);
  free(sp);
  free(dp);
  return rc;
}

static int compare(const char *a, const char *b, int *eq, plat_err *e) {
  plat_file *fa = plat_open_read(a, e), *fb = fa ? plat_open_read(b, e) : NULL;
  int rc = fb ? copy_files_equal(fa, fb, eq, e) : -1;
  plat_close(fa, NULL);
  plat_close(fb, NULL);
  return rc;
}

/* The coarser time precision of the file systems holding a and b. */
int64_t copy_precision(const char *a, const char *b) {
  int64_t p = 1;
  for (int i = 0; i < 2; i++) {
    plat_err ignore;
    plat_dirh *d = plat_dirh_open(i ? b : a, &ignore);
    int64_t q = d ? plat_dirh_time_precision(d) : 1;
    if (q > p) p = q;
    plat_dirh_close(d);
  }
  return p;
}

static int visit(walk *w, const char *rel, const plat_info *s, int dst_dir_exists) {
  if (s->type != PLAT_FILE && s->type != PLAT_DIR)
    return add(w->p, rel, s->type, CA_SKIP,
               s->type == PLAT_LINK ? "a link or junction: not followed" : "not a file or folder",
               0, w->e);
  plat_info d;
  int exists = 0;
  char *dp = copy_join(w->dst, rel);
  if (!dp) return plat_fail(w->e, rel, ENOMEM_CODE);
  if (dst_dir_exists) {
    plat_err de;
    exists = plat_stat(dp, 0, &d, &de) == 0;
    if (!exists && !plat_is_notfound(de.code)) {  /* unreadable is not absent */
      free(dp);
      if (add(w->p, rel, s->type, CA_SKIP, "cannot read the destination", 0, w->e) != 0) return -1;
      copy_item *it = &w->p->items[w->p->n - 1];
      it->failed = 1;
      if (!(it->error = strdup(de.msg))) return plat_fail(w->e, rel, ENOMEM_CODE);
      return 0;
    }
  }
  copy_action a = CA_NEW;
  const char *why = "not in the destination";
  int timeonly = 0;
  if (exists && d.type != s->type) {
    a = CA_MISMATCH;
    why = s->type == PLAT_DIR ? "a folder in the source, not a folder in the destination"
                              : "a file in the source, not a file in the destination";
  } else if (exists && s->type == PLAT_DIR) {
    a = CA_SAME;
    why = "folder exists";
  } else if (exists) {
    a = CA_SAME;
    why = "same size and time";
    if (d.size != s->size) { a = CA_CHANGED; why = "size differs"; }
    else if (!copy_time_eq(d.mtime_ns, s->mtime_ns, w->p->precision)) {
      /* same size, other time: the same bytes are the same file (nothing
         to replace, no service to stop for it); left as it is */
      char *sp = copy_join(w->src, rel);
      plat_err ce;
      int eq = 0;
      if (sp && compare(sp, dp, &eq, &ce) == 0 && eq) timeonly = 1, why = "same content (only the time differs): left as it is";
      else a = CA_CHANGED, why = d.mtime_ns < s->mtime_ns ? "source is newer" : "source is older";
      free(sp);
    } else if (w->o->compare) {
      char *sp = copy_join(w->src, rel);
      int eq = 0;
      int rc = sp ? compare(sp, dp, &eq, w->e) : plat_fail(w->e, rel, ENOMEM_CODE);
      free(sp);
      if (rc != 0) { free(dp); return -1; }
      if (eq) why = "same size, time and content";
      else { a = CA_CHANGED; why = "content differs (same size and time)"; }
    }
  }
  free(dp);
  if (add(w->p, rel, s->type, a, why, s->type == PLAT_FILE ? s->size : 0, w->e) != 0) return -1;
  w->p->items[w->p->n - 1].timeonly = timeonly;
  if (s->type == PLAT_DIR && a != CA_MISMATCH) return walk_dir(w, rel, exists);
  return 0;
}

int copy_plan_build(const char *src, const char *dst, const copy_opts *o, copy_plan *p, plat_err *e) {
  memset(p, 0, sizeof *p);
  plat_info s;
  if (plat_stat(src, 1, &s, e) != 0) return -1;
  if (s.type != PLAT_DIR) return plat_fail(e, src, ENOTDIR_CODE);
  walk w = { src, dst, o, p, e };
  plat_info d;
  plat_err de;
  int dexists = plat_stat(dst, 0, &d, &de) == 0;
  if (!dexists && !plat_is_notfound(de.code)) { *e = de; return -1; }
  if (dexists && d.type == PLAT_LINK) {
    plat_fail(e, dst, plat_errcode(PLAT_E_LOOP));
    snprintf(e->msg, sizeof e->msg, "%s: the destination is a link: not followed (give the folder it points to)", dst);
    return -1;
  }
  if (dexists && d.type != PLAT_DIR) return plat_fail(e, dst, ENOTDIR_CODE);
  p->precision = copy_precision(src, dexists ? dst : src);
  int rc = add(p, "", PLAT_DIR, dexists ? CA_SAME : CA_NEW,
               dexists ? "folder exists" : "not in the destination", 0, e);
  if (rc == 0) rc = walk_dir(&w, "", dexists);
  if (rc != 0) copy_plan_free(p);
  return rc;
}
