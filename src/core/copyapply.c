/* copyapply.c: carry out a copy plan: new files through a temporary name,
   changed files backed up then overwritten in place (hard links stay),
   metadata from the source (or a template's security), folders' metadata
   after their contents, every change journaled first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy.h"

static int no_checkpoint(const char *record) { (void)record; return 0; }

copy_ops copy_os = { plat_open_read, plat_open_write, plat_copy_data, plat_meta_set, no_checkpoint };

int copy_data_into(const char *from, const char *to, int how, int sync, uint64_t *bytes, plat_err *e) {
  plat_file *s = copy_os.open_read(from, e);
  if (!s) return -1;
  plat_file *d = copy_os.open_write(to, how, e);
  int rc = d ? 0 : -1;
  uint64_t n = 0;
  if (!rc && how == PLAT_OPEN_EXISTING) rc = plat_truncate(d, 0, e);
  if (!rc) rc = copy_os.copy_data(s, d, &n, e);
  if (!rc && sync) rc = plat_sync(d, e);
  if (d && plat_close(d, rc ? NULL : e) != 0) rc = -1;
  plat_close(s, NULL);
  if (bytes) *bytes = n;
  return rc;
}

int copy_restore_file(const char *backup, const char *dst, plat_err *e) {
  plat_meta m;
  if (plat_meta_get(backup, PLAT_META_ALL, &m, e) != 0) return -1;
  int rc = copy_data_into(backup, dst, PLAT_OPEN_EXISTING, 0, NULL, e);
  if (rc && plat_is_notfound(e->code))  /* removed meanwhile: create it again */
    rc = copy_data_into(backup, dst, PLAT_CREATE_NEW, 0, NULL, e);
  if (!rc) rc = plat_meta_set(dst, PLAT_META_ALL, &m, e);
  plat_meta_free(&m);
  return rc;
}

typedef struct run {
  const char *src, *dst, *backup;
  const copy_opts *o;
  copy_journal j;
  plat_meta tmpl;       /* the template's security entries */
  copy_summary *s;
  int crashed;
} run;

/* Metadata for a new or overwritten item: the source's, with the
   template's security for new items when there is a template. */
static int source_meta(run *r, const char *sp, int isnew, int isfile, plat_meta *m, unsigned *what, plat_err *e) {
  *what = PLAT_META_TIMES | PLAT_META_OWNER | PLAT_META_XATTRS;
  unsigned get = *what | (r->o->template ? 0 : PLAT_META_SECURITY);
  if (plat_meta_get(sp, get, m, e) != 0) return -1;
  if (!r->o->template) { *what |= PLAT_META_SECURITY; return 0; }
  if (!isnew) return 0;  /* an existing item keeps its own security */
  *what |= PLAT_META_SECURITY;
  for (size_t i = 0; i < r->tmpl.nx; i++) {
    const plat_xattr *t = &r->tmpl.x[i];
    size_t nl = strlen(t->name);
    if (isfile && nl > 8 && strcmp(t->name + nl - 8, "_default") == 0) continue;  /* folders only */
    plat_xattr *nx = realloc(m->x, (m->nx + 1) * sizeof *nx);
    if (!nx) { plat_meta_free(m); return plat_fail(e, sp, ENOMEM_CODE); }
    m->x = nx;
    plat_xattr *x = &m->x[m->nx];
    x->name = strdup(t->name);
    x->value = malloc(t->len + 1);
    x->len = t->len;
    if (!x->name || !x->value) { free(x->name); free(x->value); plat_meta_free(m); return plat_fail(e, sp, ENOMEM_CODE); }
    memcpy(x->value, t->value, t->len);
    m->nx++;
  }
  return 0;
}

static int record(run *r, const char *verb, const char *rel, int sync, plat_err *e) {
  if (journal_record(&r->j, verb, rel, sync, e) != 0) return -1;
  if (copy_os.checkpoint(verb)) {
    r->crashed = 1;
    e->code = plat_errcode(PLAT_E_INVAL);
    snprintf(e->msg, sizeof e->msg, "%s: the run was stopped after a \"%s\" record", rel, verb);
    return -1;
  }
  return 0;
}

static char *suffixed(const char *p, const char *sfx) {
  char *s = malloc(strlen(p) + strlen(sfx) + 1);
  if (s) sprintf(s, "%s%s", p, sfx);
  return s;
}

static int copy_new(run *r, copy_item *it, const char *sp, const char *dp, plat_err *e) {
  char *tmp = suffixed(dp, ".sxsfix-new");
  if (!tmp) return plat_fail(e, dp, ENOMEM_CODE);
  plat_err ignore;
  plat_meta m = {0};
  unsigned what = 0;
  uint64_t n = 0;
  int rc = record(r, "new", it->rel, 0, e);
  if (rc) { free(tmp); return -1; }
  plat_remove(tmp, &ignore);  /* left by an interrupted run */
  rc = copy_data_into(sp, tmp, PLAT_CREATE_NEW, 0, &n, e);
  if (!rc) rc = source_meta(r, sp, 1, 1, &m, &what, e);
  if (!rc) rc = copy_os.meta_set(tmp, what, &m, e);
  if (!rc) rc = plat_rename_new(tmp, dp, e);
  if (rc && !r->crashed) plat_remove(tmp, &ignore);
  plat_meta_free(&m);
  free(tmp);
  if (!rc) r->s->bytes.copied += n;
  return rc;
}

/* Back up the destination file once per backup folder: a copy with all its
   metadata, made under a .sxsfix-part name, flushed, then renamed. */
static int backup_file(run *r, const char *rel, const char *dp, plat_err *e) {
  char *b = copy_join(r->backup, "files"), *bp = b ? copy_join(b, rel) : NULL;
  char *part = bp ? suffixed(bp, ".sxsfix-part") : NULL;
  int rc = part ? 0 : plat_fail(e, rel, ENOMEM_CODE);
  plat_info st;
  plat_err ignore;
  if (!rc && plat_stat(bp, 0, &st, &ignore) != 0) {  /* an earlier run's backup is the original */
    char *parent = strdup(bp);
    char *slash = parent ? strrchr(parent, '/') : NULL;
    if (slash) *slash = '\0';
    rc = parent ? plat_mkdirs(parent, e) : plat_fail(e, rel, ENOMEM_CODE);
    free(parent);
    plat_remove(part, &ignore);
    plat_meta m;
    if (!rc) rc = copy_data_into(dp, part, PLAT_CREATE_NEW, 1, NULL, e);
    if (!rc && (rc = plat_meta_get(dp, PLAT_META_ALL, &m, e)) == 0) {
      rc = plat_meta_set(part, PLAT_META_ALL, &m, e);
      plat_meta_free(&m);
    }
    if (!rc) rc = plat_rename_new(part, bp, e);
    if (rc) plat_remove(part, &ignore);
  }
  free(part);
  free(bp);
  free(b);
  return rc;
}

static int copy_over(run *r, copy_item *it, const char *sp, const char *dp, plat_err *e) {
  if (backup_file(r, it->rel, dp, e) != 0) return -1;
  if (record(r, "overwrite", it->rel, 1, e) != 0) return -1;
  plat_meta m = {0};
  unsigned what;
  uint64_t n = 0;
  int rc = source_meta(r, sp, 0, 1, &m, &what, e);  /* before touching the destination */
  if (!rc) {
    rc = copy_data_into(sp, dp, PLAT_OPEN_EXISTING, 0, &n, e);
    if (!rc) rc = copy_os.meta_set(dp, what, &m, e);
    if (rc) {  /* put the original back at once; the journal covers a failure here */
      char *b = copy_join(r->backup, "files"), *bp = b ? copy_join(b, it->rel) : NULL;
      plat_err ignore;
      if (bp) copy_restore_file(bp, dp, &ignore);
      free(bp);
      free(b);
    }
  }
  plat_meta_free(&m);
  if (!rc) r->s->bytes.copied += n;
  return rc;
}

/* An existing folder whose times change: back its metadata up once. */
static int backup_dir(run *r, const char *rel, const char *dp, plat_err *e) {
  char *b = copy_join(r->backup, "dirs"), *bp = b ? copy_join(b, rel) : NULL;
  int rc = bp ? 0 : plat_fail(e, rel, ENOMEM_CODE);
  plat_info st;
  plat_err ignore;
  plat_meta m;
  if (!rc && plat_stat(bp, 0, &st, &ignore) != 0) {
    rc = plat_mkdirs(bp, e);
    if (!rc && (rc = plat_meta_get(dp, PLAT_META_ALL, &m, e)) == 0) {
      rc = plat_meta_set(bp, PLAT_META_ALL, &m, e);
      plat_meta_free(&m);
    }
  }
  free(bp);
  free(b);
  return rc ? rc : record(r, "dirmeta", rel, 1, e);
}

/* Folders' metadata, deepest first, after all contents are written. */
static int finish_dirs(run *r, copy_plan *p, plat_err *fatal) {
  for (size_t i = p->n; i-- > 0;) {
    copy_item *it = &p->items[i];
    if (it->type != PLAT_DIR || it->failed || (it->action != CA_NEW && it->action != CA_SAME)) continue;
    char *sp = copy_join(r->src, it->rel), *dp = copy_join(r->dst, it->rel);
    plat_err e;
    plat_meta m = {0};
    unsigned what = PLAT_META_TIMES;
    int rc = (sp && dp) ? 0 : plat_fail(&e, it->rel, ENOMEM_CODE);
    if (!rc && it->action == CA_SAME) {  /* existing: times only, its security is left alone */
      rc = backup_dir(r, it->rel, dp, &e);
      if (!rc) rc = plat_meta_get(sp, PLAT_META_TIMES, &m, &e);
    } else if (!rc) {
      rc = source_meta(r, sp, 1, 0, &m, &what, &e);
    }
    if (!rc) rc = copy_os.meta_set(dp, what, &m, &e);
    plat_meta_free(&m);
    free(sp);
    free(dp);
    if (r->crashed) { *fatal = e; return -1; }
    if (rc) {
      it->failed = 1;
      it->error = strdup(e.msg);
      r->s->dirs.failed++;
      if (it->action == CA_NEW) r->s->dirs.copied--;
    }
  }
  return 0;
}

static int apply_items(run *r, copy_plan *p, plat_err *fatal) {
  for (size_t i = 0; i < p->n; i++) {
    copy_item *it = &p->items[i];
    copy_count *c = it->type == PLAT_DIR ? &r->s->dirs : &r->s->files;
    c->total += it->action != CA_EXTRA;
    if (it->type == PLAT_FILE) r->s->bytes.total += it->action != CA_EXTRA ? it->size : 0;
    if (it->action == CA_EXTRA) { c->extras++; if (it->type == PLAT_FILE) r->s->bytes.extras += it->size; continue; }
    if (it->action == CA_SAME || it->action == CA_SKIP) {
      c->skipped++;
      if (it->type == PLAT_FILE) r->s->bytes.skipped += it->size;
      continue;
    }
    if (it->action == CA_MISMATCH) { c->mismatch++; continue; }
    char *sp = copy_join(r->src, it->rel), *dp = copy_join(r->dst, it->rel);
    plat_err e;
    int rc = (sp && dp) ? 0 : plat_fail(&e, it->rel, ENOMEM_CODE);
    if (!rc && it->type == PLAT_DIR) {
      rc = record(r, "mkdir", it->rel, 0, &e);
      if (!rc) rc = plat_mkdirs(dp, &e);
    } else if (!rc) {
      rc = it->action == CA_NEW ? copy_new(r, it, sp, dp, &e) : copy_over(r, it, sp, dp, &e);
    }
    free(sp);
    free(dp);
    if (r->crashed) { *fatal = e; return -1; }
    if (rc) {
      it->failed = 1;
      it->error = strdup(e.msg);
      c->failed++;
      if (it->type == PLAT_FILE) r->s->bytes.failed += it->size;
      if (journal_record(&r->j, "failed", it->rel, 0, fatal) != 0) return -1;
    } else {
      it->done = 1;
      c->copied++;
      if (journal_record(&r->j, "done", it->rel, 0, fatal) != 0) return -1;
    }
  }
  return 0;
}

int copy_apply(const char *src, const char *dst, const copy_opts *o, copy_plan *p,
               copy_summary *s, plat_err *e) {
  memset(s, 0, sizeof *s);
  if (!o->backup || !*o->backup) {
    e->code = plat_errcode(PLAT_E_INVAL);
    snprintf(e->msg, sizeof e->msg, "%s: a backup folder is required to overwrite in place", dst);
    return -1;
  }
  run r = { src, dst, o->backup, o, { NULL }, { 0 }, s, 0 };
  plat_priv priv;
  if (plat_privileges_enable(&priv, e) != 0) { s->fatal = 1; return -1; }
  int rc = 0;
  if (o->template) rc = plat_meta_get(o->template, PLAT_META_SECURITY, &r.tmpl, e);
  if (!rc) rc = plat_mkdirs(o->backup, e);
  char *jp = o->journal ? NULL : copy_join(o->backup, "journal.txt");
  if (!rc) rc = journal_open(&r.j, o->journal ? o->journal : jp, src, dst, o->backup, e);
  if (!rc) {
    rc = apply_items(&r, p, e);
    if (!rc) rc = finish_dirs(&r, p, e);
    if (!r.crashed) {
      char tail[32];
      uint64_t failed = s->files.failed + s->dirs.failed;
      if (failed) snprintf(tail, sizeof tail, "failed:%llu", (unsigned long long)failed);
      else snprintf(tail, sizeof tail, "ok");
      plat_err je;
      if (journal_record(&r.j, "end", tail, 1, &je) != 0 && !rc) { *e = je; rc = -1; }
      if (journal_close(&r.j, &je) != 0 && !rc) { *e = je; rc = -1; }
    }
    /* a simulated crash leaves the journal open-ended, as kill -9 would */
    if (r.crashed && r.j.f) plat_close(r.j.f, NULL);
  }
  free(jp);
  plat_meta_free(&r.tmpl);
  plat_privileges_restore(&priv);
  if (rc) s->fatal = 1;
  return rc;
}
