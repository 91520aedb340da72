/* expand.c: the expansion driver. Detects the format, checks free space
   and the whole expansion's budget, writes each entry through a temporary
   name inside the destination (never through a link already there), then
   expands inner archives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/archive.h"
#include "core/glob.h"
#include "core/winpath.h"

#define MAX_DEPTH 4   /* .msu > .cab > .cab > .cab: deeper archives stay files */

static const char *base_of(const char *rel) {
  const char *s = strrchr(rel, '/');
  return s ? s + 1 : rel;
}

/* One budget for a whole expansion, every nesting level together. */
typedef struct budget {
  uint64_t limit, used;   /* bytes the entries may add up to; declared so far */
  uint64_t outer;         /* size of the outer file */
  uint64_t ratio;         /* the ratio applied */
  int capped;             /* limit is max_bytes, below ratio * outer */
  const char *src;        /* the outer file */
} budget;

typedef struct job {
  const sx_expand_opts *o;
  budget *b;             /* NULL when listing */
  const char *dst, *label;
  sx_expand_stats *st;
  char **inner;          /* inner archives written, for the next level */
  size_t ninner;
  uint64_t need;         /* free-space precheck */
  sx_list_fn list;
  void *list_ud;
  int stopped;           /* the list callback asked to stop */
  char *okdir;           /* the folder whose path was last checked (prepare) */
  const char *stage;     /* this level's staging folder (temporary files, WIM extraction) */
} job;

static int is_inner(const job *j, const char *base) {
  return j->o->nested && sx_glob_match(j->o->inner ? j->o->inner : "*.cab", base);
}

static int wanted(const job *j, const char *base) {
  return sx_glob_match(j->o->filter ? j->o->filter : "*", base) || is_inner(j, base);
}

static void add_need(void *ud, const char *name, uint64_t size) {
  job *j = ud;
  const char *b = strrchr(name, '\\');
  if (!b) b = strrchr(name, '/');
  if (wanted(j, b ? b + 1 : name)) j->need += size;
}

/* Draw need bytes, declared by label, from the budget. */
static int spend(job *j, const char *label, uint64_t need, plat_err *e) {
  budget *b = j->b;
  if (need <= b->limit - b->used) { b->used += need; return 0; }
  if (b->used == 0 && !b->capped)   /* the outer archive on its own */
    return sx_exp_fail(e, SX_EXP_RATIO, label, "declares %llu bytes of entries in %llu bytes, more than "
                       "%llu times its size (a compression bomb or a damaged header); refused",
                       (unsigned long long)need, (unsigned long long)b->outer, (unsigned long long)b->ratio);
  char why[96];
  if (b->capped) snprintf(why, sizeof why, "the limit for one expansion");
  else if (b->limit == SX_EXP_RATIO_FLOOR) snprintf(why, sizeof why, "the %llu MiB any file may write",
                                                    SX_EXP_RATIO_FLOOR >> 20);
  else snprintf(why, sizeof why, "%llu times its %llu bytes", (unsigned long long)b->ratio,
                (unsigned long long)b->outer);
  return sx_exp_fail(e, SX_EXP_RATIO, label, "declares %llu bytes of entries; with the %llu bytes "
                     "declared before it, expanding %s would write more than %llu bytes (%s): "
                     "a compression bomb or a damaged header; refused", (unsigned long long)need,
                     (unsigned long long)b->used, b->src, (unsigned long long)b->limit, why);
}

/* What is wrong with path (for entry rel), found by lstat: -1 with e set,
   or 0 when nothing is. last: path is the entry itself; dir: it must be
   a folder. A missing folder is created. */
static int check_one(job *j, const char *rel, char *path, int last, int dir, plat_err *e) {
  plat_info info;
  plat_err se;
  if (plat_stat(path, 0, &info, &se) != 0)
    return (!last || dir) ? plat_mkdirs(path, e) : 0;
  if (last && dir && info.type == PLAT_DIR) return 0;   /* an existing folder is fine */
  if (info.type == PLAT_LINK)
    return sx_exp_fail(e, SX_EXP_UNSAFE, path, "is a link inside the destination; "
                       "entry '%s' of %s would be written through it (refused)", rel, j->label);
  if ((!last || dir) && info.type != PLAT_DIR)
    return sx_exp_fail(e, SX_EXP_EXISTS, path, "exists and is not a folder (needed for entry '%s' of %s)",
                       rel, j->label);
  if (last && info.type == PLAT_DIR)
    return sx_exp_fail(e, SX_EXP_EXISTS, path, "is a folder; entry '%s' of %s is a file", rel, j->label);
  if (last && !j->o->overwrite)
    return sx_exp_fail(e, SX_EXP_EXISTS, path, "already exists (entry '%s' of %s); "
                       "expected a new file, or overwrite", rel, j->label);
  return 0;
}

/* Create (or check) every folder of rel below dst, refusing links and
   non-folders; *final gets the full path of rel. With dir, rel itself is a
   folder to create (an existing one is fine). The folders of a file are
   checked once for a run of entries in the same folder (j->okdir). The
   file itself is checked only with overwrite: otherwise the commit's
   rename never replaces, and a failure is explained afterwards. */
static int prepare(job *j, const char *rel, int dir, char **final, plat_err *e) {
  char *path = sx_path_join(j->dst, rel, 0);
  if (!path) return sx_exp_nomem(e, j->label);
  /* rel starts after the separator sx_path_join puts (or finds) at skip - 1 */
  size_t skip = strlen(path) - strlen(rel), plen = (size_t)(strrchr(path + skip - 1, plat_sep()) - path);
  int known = !dir && j->okdir && strlen(j->okdir) == plen && memcmp(j->okdir, path, plen) == 0;
  for (char *s = known ? path + plen + 1 : path + skip; ; s++) {
    int end = (*s == '\0');
    if (*s != plat_sep() && !end) continue;
    if (end && !dir && !j->o->overwrite) break;
    char keep = *s;
    *s = '\0';
    int rc = check_one(j, rel, path, end, dir, e);
    *s = keep;
    if (rc) { free(path); return -1; }
    if (end) break;
  }
  if (!dir && !known) {
    free(j->okdir);
    if ((j->okdir = malloc(plen + 1)) != NULL) { memcpy(j->okdir, path, plen); j->okdir[plen] = '\0'; }
  }
  *final = path;
  return 0;
}

/* Stream r into final through a temporary name. */
static int write_stream(job *j, const sx_entry *ent, sx_reader *r, const char *final, plat_err *e) {
  plat_out *o = plat_out_create(final, j->stage, e);
  if (!o) return -1;
  uint64_t n = 0;
  for (;;) {
    const void *blk;
    int64_t got = r->next(r, &blk, e);
    if (got < 0) { plat_out_abort(o); return -1; }
    if (got == 0) break;
    if ((uint64_t)got > ent->size - n) {   /* never more than the header declared (and was checked) */
      plat_out_abort(o);
      return sx_exp_fail(e, SX_EXP_CORRUPT, j->label, "entry '%s': more data than the %llu bytes its header says",
                         ent->name, (unsigned long long)ent->size);
    }
    if (plat_out_write(o, blk, (size_t)got, e) != 0) { plat_out_abort(o); return -1; }
    n += (uint64_t)got;
  }
  if (n != ent->size) {
    plat_out_abort(o);
    return sx_exp_fail(e, SX_EXP_CORRUPT, j->label, "entry '%s': %llu bytes of data, the header says %llu",
                       ent->name, (unsigned long long)n, (unsigned long long)ent->size);
  }
  j->st->bytes += n;
  return plat_out_commit(o, ent->mtime_ns, j->o->overwrite, e);
}

static int v_wants(sx_visit *v, const sx_entry *ent) {
  job *j = v->ud;
  return !j->list && !ent->is_dir && wanted(j, base_of(ent->name));
}

static int v_entry(sx_visit *v, const sx_entry *ent, sx_reader *r, plat_err *e) {
  job *j = v->ud;
  const char *base = base_of(ent->name);
  char *final = NULL;
  int rc = 0;
  if (j->list) {
    if (j->list(j->list_ud, ent) != 0) { j->stopped = 1; return -1; }
    if (ent->is_dir || !is_inner(j, base)) return 0;
  } else if (ent->is_dir) {
    const char *f = j->o->filter;
    if (f && strcmp(f, "*") != 0) return 0;   /* folders come with the files chosen */
    rc = prepare(j, ent->name, 1, &final, e);
    free(final);
    if (!rc) j->st->dirs++;
    return rc;
  } else if (!r) {
    return 0;   /* not chosen */
  } else {
    if (prepare(j, ent->name, 0, &final, e) != 0) return -1;
    if (!r->staged) rc = write_stream(j, ent, r, final, e);
    else rc = j->o->overwrite ? plat_rename(r->staged, final, e) : plat_rename_new(r->staged, final, e);
    if (rc && e->code == plat_errcode(PLAT_E_EXIST) && !j->o->overwrite) {
      char *p = strdup(final);   /* say what is there */
      if (p && check_one(j, ent->name, p, 1, 0, e) == 0) plat_fail(e, final, plat_errcode(PLAT_E_EXIST));
      free(p);
    }
    if (rc == 0 && r->staged) j->st->bytes += ent->size;
    free(final);
    if (rc != 0 && e->code >= 0) {   /* an OS error: say which entry it was writing */
      plat_err os = *e;
      sx_exp_fail(e, os.code, j->label, "entry '%s': %s", ent->name, os.msg);
    }
    if (rc != 0) return -1;
    j->st->files++;
    if (!is_inner(j, base)) return 0;
  }
  char **ni = realloc(j->inner, (j->ninner + 1) * sizeof *ni);   /* expanded in turn */
  if (!ni || !(ni[j->ninner] = strdup(ent->name))) {
    if (ni) j->inner = ni;
    return sx_exp_nomem(e, j->label);
  }
  j->inner = ni;
  j->ninner++;
  return 0;
}

/* A staging folder for WIM extraction and temporary files: new (created
   exclusively, never an existing name or link), inside dst (same volume). */
static char *new_stage(const char *dst, plat_err *e) {
  plat_dirh *d = plat_dirh_open(dst, e);
  if (!d) return NULL;
  for (int i = 0; i < 1000; i++) {
    char name[48];
    snprintf(name, sizeof name, ".sxsfix-stage-%d", i);
    if (plat_dirh_mkdir(d, name, e) == 0) {
      plat_dirh_close(d);
      char *p = sx_path_join(dst, name, 0);
      if (!p) sx_exp_nomem(e, dst);
      return p;
    }
    if (e->code != plat_errcode(PLAT_E_EXIST)) { plat_dirh_close(d); return NULL; }
  }
  plat_dirh_close(d);
  sx_exp_fail(e, SX_EXP_EXISTS, dst, "holds too many staging folders (.sxsfix-stage-*)");
  return NULL;
}

static int run(const char *src, const char *label, const char *dst, int depth, job *j, plat_err *e);

/* A zip only where the caller asked for one (the outer archive of a
   collection of logs); anywhere else it is an unknown format, as before. */
static int zip_allowed(sx_format fmt, int allow, const char *label, plat_err *e) {
  if (fmt != SX_FMT_ZIP || allow) return 0;
  return sx_exp_fail(e, SX_EXP_FORMAT, label, "has an unknown signature (expected a Microsoft cabinet or WIM: "
                     "the signature MSCF or MSWIM)");
}

/* The header scan of src in its format: add_need for each file. */
static int scan(sx_format fmt, const char *src, const char *label, job *j, plat_err *e) {
  if (fmt == SX_FMT_CAB) return sx_cab_scan(src, label, add_need, j, e);
  if (fmt == SX_FMT_ZIP) return sx_zip_scan(src, label, add_need, j, e);
  return sx_wim_scan(src, label, add_need, j, e);
}

/* Before any inner archive of this level is expanded: what they declare
   together must fit the budget, and no folder they go into is a link. */
static int check_inner(job *j, const char *dir, plat_err *e) {
  budget tb = *j->b;   /* spent for the check only: each level spends its own */
  job k = *j;
  k.b = &tb;
  int rc = 0;
  for (size_t i = 0; !rc && i < j->ninner; i++) {
    char *src = sx_path_join(dir, j->inner[i], 0);
    size_t n = strlen(j->label) + strlen(j->inner[i]) + 2;
    char *label = malloc(n);
    sx_format fmt;
    if (!src || !label) { free(src); free(label); return sx_exp_nomem(e, j->label); }
    snprintf(label, n, "%s>%s", j->label, j->inner[i]);
    rc = sx_detect(src, label, &fmt, e);
    if (!rc) rc = zip_allowed(fmt, 0, label, e);
    k.need = 0;
    if (!rc) rc = scan(fmt, src, label, &k, e);
    if (!rc) rc = spend(&k, label, k.need, e);
    free(label);
    char *dot = strrchr(src, '.');
    if (!rc && dot && dot > strrchr(src, plat_sep()) + 1) {
      *dot = '\0';
      plat_info info;
      plat_err se;
      if (plat_stat(src, 0, &info, &se) == 0 && info.type == PLAT_LINK)
        rc = sx_exp_fail(e, SX_EXP_UNSAFE, src, "is a link inside the destination; inner archive '%s' "
                         "of %s would be expanded through it (refused)", j->inner[i], j->label);
    }
    free(src);
  }
  return rc;
}

/* Inner archive NAME.cab of j (written under dst) -> folder NAME beside it. */
static int run_inner(job *j, const char *dir, const char *rel, int depth, plat_err *e) {
  size_t ll = strlen(j->label), lr = strlen(rel);
  char *label = malloc(ll + lr + 2), *src = sx_path_join(dir, rel, 0), *sub = sx_path_join(dir, rel, 0);
  int rc = -1;
  if (!label || !src || !sub) sx_exp_nomem(e, j->label);
  else {
    snprintf(label, ll + lr + 2, "%s>%s", j->label, rel);
    char *dot = strrchr(sub, '.');
    if (dot && dot > strrchr(sub, plat_sep()) + 1) *dot = '\0';
    else strcpy(sub + strlen(sub) - lr, "expanded");   /* no extension: a fixed name */
    job k = *j;
    k.inner = NULL;
    k.ninner = 0;
    k.okdir = NULL;
    rc = run(src, label, j->list ? NULL : sub, depth + 1, &k, e);
    free(k.okdir);
    j->stopped = k.stopped;
  }
  free(label); free(src); free(sub);
  return rc;
}

static int run(const char *src, const char *label, const char *dst, int depth, job *j, plat_err *e) {
  sx_format fmt;
  if (sx_detect(src, label, &fmt, e) != 0 || zip_allowed(fmt, depth == 0 && j->o->zip, label, e) != 0) return -1;
  j->label = label;
  j->dst = dst;
  j->need = 0;
  int cab = fmt != SX_FMT_WIM;   /* streamed through libarchive: cab or zip */
  char *stage = NULL, *tmp = NULL;
  int rc = 0;
  if (!j->list) {   /* free space: the sum of the entries to be written */
    uint64_t avail;
    if (scan(fmt, src, label, j, e) != 0 ||
        plat_mkdirs(dst, e) != 0 || plat_free_space(dst, &avail, e) != 0)
      return -1;
    if (spend(j, label, j->need, e) != 0) return -1;
    if (j->need > avail)
      return sx_exp_fail(e, SX_EXP_NOSPACE, dst, "not enough free space: %s needs %llu bytes, "
                         "%llu are available", label, (unsigned long long)j->need, (unsigned long long)avail);
    if (!(stage = new_stage(dst, e))) return -1;
    j->stage = stage;
  } else if (cab && scan(fmt, src, label, j, e) != 0) {
    return -1;   /* multi-volume and header damage are found the same way */
  }
  sx_visit v = { v_wants, v_entry, cab ? NULL : stage, j };
  rc = fmt == SX_FMT_CAB ? sx_cab_walk(src, label, &v, e)
     : fmt == SX_FMT_ZIP ? sx_zip_walk(src, label, &v, e) : sx_wim_walk(src, label, &v, e);
  if (rc && j->stopped) rc = 0;
  if (stage) {
    plat_err se;
    plat_remove_tree(stage, &se);
    free(stage);
    j->stage = NULL;
  }
  if (!rc) j->st->archives++;
  const char *dir = dst;
  if (!rc && j->list && j->ninner && depth < MAX_DEPTH && !j->stopped) {
    /* take the inner archives out to a temporary folder to read them */
    char buf[1024];
    sx_expand_opts io = { .inner = j->o->inner ? j->o->inner : "*.cab", .overwrite = 1 };
    sx_expand_stats ist = {0};
    budget lb = { UINT64_MAX, 0, 0, 1, 1, label };   /* listing writes only the inner archives */
    job k = { &io, &lb, NULL, NULL, &ist, NULL, 0, 0, NULL, NULL, 0, NULL, NULL };
    rc = plat_mkdtemp("sxsfix-list", buf, sizeof buf, e);
    if (!rc && !(tmp = strdup(buf))) rc = sx_exp_nomem(e, label);
    if (!rc) rc = run(src, label, tmp, depth, &k, e);
    for (size_t i = 0; i < k.ninner; i++) free(k.inner[i]);
    free(k.inner);
    free(k.okdir);
    j->label = label;
    dir = tmp;
  }
  if (!rc && !j->list && depth < MAX_DEPTH) rc = check_inner(j, dir, e);
  for (size_t i = 0; i < j->ninner; i++) {
    if (!rc && depth < MAX_DEPTH && !j->stopped) rc = run_inner(j, dir, j->inner[i], depth, e);
    free(j->inner[i]);
  }
  free(j->inner);
  j->inner = NULL;
  j->ninner = 0;
  if (tmp) {
    plat_err se;
    plat_remove_tree(tmp, &se);
    free(tmp);
  }
  return rc;
}

int sx_expand(const char *src, const char *dst, const sx_expand_opts *o,
              sx_expand_stats *st, plat_err *e) {
  memset(st, 0, sizeof *st);
  plat_info si;
  if (plat_stat(src, 1, &si, e) != 0) return -1;
  budget b = { 0, 0, si.size, o->max_ratio ? o->max_ratio : SX_EXP_MAX_RATIO, 0, src };
  uint64_t cap = o->max_bytes ? o->max_bytes : SX_EXP_MAX_BYTES;
  b.limit = si.size > UINT64_MAX / b.ratio ? UINT64_MAX : si.size * b.ratio;
  if (b.limit < SX_EXP_RATIO_FLOOR) b.limit = SX_EXP_RATIO_FLOOR;
  if (b.limit > cap) { b.limit = cap; b.capped = 1; }
  job j = { o, &b, dst, src, st, NULL, 0, 0, NULL, NULL, 0, NULL, NULL };
  int rc = run(src, src, dst, 0, &j, e);
  free(j.okdir);
  return rc;
}

int sx_list(const char *src, const sx_expand_opts *o, sx_list_fn fn, void *ud, plat_err *e) {
  sx_expand_stats st = {0};
  job j = { o, NULL, NULL, src, &st, NULL, 0, 0, fn, ud, 0, NULL, NULL };
  return run(src, src, NULL, 0, &j, e);
}

int sx_copy_file(const char *src, const char *dst, uint64_t *bytes, plat_err *e) {
  enum { BLOCK = 1 << 16 };
  char *buf = malloc(BLOCK);
  if (!buf) return sx_exp_nomem(e, src);
  plat_rfile *in = plat_rfile_open(src, e);
  plat_out *o = in ? plat_out_create(dst, NULL, e) : NULL;
  int rc = o ? 0 : -1;
  *bytes = 0;
  while (!rc) {
    size_t n = 0;
    if (plat_rfile_read(in, buf, BLOCK, &n, e) != 0) rc = -1;
    else if (n == 0) break;
    else if (plat_out_write(o, buf, n, e) != 0) rc = -1;
    else *bytes += n;
  }
  if (o) {
    if (rc) plat_out_abort(o);
    else rc = plat_out_commit(o, PLAT_NO_TIME, 0, e);
  }
  plat_rfile_close(in);
  free(buf);
  return rc;
}
