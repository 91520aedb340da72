/* copyapply.c: carry out a copy plan on the destination's folder handles:
   new files through a temporary name (copynew.c, on a worker pool),
   changed files backed up then overwritten in place (hard links stay;
   copyover.c),
   metadata from the source (or a template's security), every existing
   folder's metadata backed up before anything is created in it, folders'
   metadata after their contents, every change journaled first.

   What one file costs (POSIX; strace of a new 33 KB file with one user
   xattr, tmpfs to tmpfs; 200 such files in 2 folders: 5,100 calls, 25 a
   file with plan and verification; 31 before verification on the write's
   handle, 34 before the batched journal and the verification without
   read-back), and why:
     apply, a new file (17 calls; 19 before, 29 before that):
       open the source                       1  read through one handle
       journal "create" and "new"            0  a batch of up to 32 files of
                                                one folder: all intents in
                                                one write before any
                                                temporary exists, all
                                                identities in one write
                                                before any is filled or
                                                renamed ("done" records
                                                ride along); copynew.c
       create NAME.sxsfix-new, fstat         2  exclusive; its identity
       read, write, read (end)               3  hashed as copied: the one
                                                pass over the bytes gives
                                                the journal's SUM and the
                                                verification's size
       source: fstat, list, get per xattr    3  its metadata on the open
                                                handle (the object copied;
                                                no path looked up; not
                                                listed: the ntfs_acl probe,
                                                skipped once a file system
                                                said it has none)
       target: fstat, fchmod, flistxattr,    5  on the descriptor (no path
       fsetxattr per xattr, futimens            lookup); fchmod/fchown only
                                                when they differ; the list
                                                removes inherited extras
       close, close, rename                  3  rename without replace
     verify (4 calls; 10 before, 18 before that): on the handle just
       written, before it is closed (copyverify.c cr_verify_written):
       fstat (its size against the bytes written), then fstat, list, get
       (its metadata against what it was given from the source's handle).
       The bytes are not read back; `--verify full` opens each file again
       and hashes it (copy_verify).
     plan: the source's lstat (the destination folder's listing covers
       what exists there).
     an overwritten file (about 46 calls with plan and verification; 56
       before the batches): the plan's lstat of both sides (and, same
       size with another time, both read to compare), its backup (open,
       copy, close, metadata read on the handle and set on the backup by
       path, rename: 13), the overwrite (13) and the verification (4).
       Backed up, flushed and journaled a batch of up to 32 files of one
       folder at a time (copyover.c): the backups made durable by one
       syncfs, then their "overwrite" records in one fsync'd write, then
       the files overwritten: the backup is on disk before the record
       that names it, and that before the file changes (2 flushes a
       batch, where there were 2 a file). No flush per new file: a
       rollback after a kill needs the records in the file, not on the
       disk.
   copy_file_range is not used for the bytes: every written file is
   hashed for the journal and the verification, so the bytes pass through
   memory once anyway. On ntfs-3g each call on the destination is a FUSE
   round trip (with its GETATTRs of the file and its folder): counted
   with ntfs-3g -o debug, a new file cost 54 requests on main, cp -a 20.
   Cut: the descriptor probe before chmod, the second getxattr of
   system.ntfs_acl and the listing before each get, and renameat2
   RENAME_NOREPLACE, which ntfs-3g refuses after the kernel's lookups:
   tried once per folder, then link and unlink directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backupmeta.h"
#include "core/copy_int.h"

static int no_checkpoint(const char *verb, const char *rel) { (void)verb; (void)rel; return 0; }

copy_ops copy_os = { plat_open_read, plat_dirh_open_file, copy_stream, plat_fmeta_set, no_checkpoint,
                     plat_is_in_use, plat_replace_at_boot, plat_cancel_at_boot, plat_query_at_boot,
                     plat_service_start, plat_truncate };


static int fail_msg(plat_err *e, int kind, const char *fmt, const char *a, const char *b) {
  e->code = plat_errcode(kind);
  e->cls = plat_errclass_of(e->code);
  snprintf(e->msg, sizeof e->msg, fmt, a, b);
  return -1;
}

int copy_restore_into(const char *backup, plat_file *dst, plat_err *e) {
  plat_meta m;
  if (backup_meta_get(backup, &m, e) != 0) return -1;
  plat_file *b = plat_open_read(backup, e);
  uint64_t n, h;
  int rc = b ? plat_rewind(dst, e) : -1;
  if (!rc) rc = plat_truncate(dst, 0, e);
  if (!rc) rc = copy_stream(b, dst, &n, &h, e);
  if (!rc) rc = plat_fmeta_set(dst, PLAT_META_ALL, &m, e);
  plat_close(b, NULL);
  plat_meta_free(&m);
  return rc;
}

/* Metadata for a new or overwritten item: the source's (read on its open
   handle sf when given: the object whose bytes were copied, no path
   looked up), with the template's security for new items when there is
   a template. */
int cr_source_meta(run *r, plat_file *sf, const char *sp, int isnew, int isfile, plat_meta *m, unsigned *what,
                   plat_err *e) {
  *what = PLAT_META_TIMES | PLAT_META_OWNER | PLAT_META_XATTRS;
  unsigned get = *what | (r->o->template ? 0 : PLAT_META_SECURITY);
  if ((sf ? plat_fmeta_get(sf, get, m, e) : plat_meta_get(sp, get, m, e)) != 0) return -1;
  if (!r->o->template) { *what |= PLAT_META_SECURITY; return 0; }
  if (!isnew) return 0;  /* an existing item keeps its own security */
  *what |= PLAT_META_SECURITY;
  const plat_meta *tm = isfile ? &r->ftmpl : &r->tmpl;  /* a file gets a file's (copytmpl.c) */
  for (size_t i = 0; i < tm->nx; i++) {
    const plat_xattr *t = &tm->x[i];
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

int cr_record(run *r, const char *verb, const char *rel, const char *arg, int sync, plat_err *e) {
  if (journal_record(&r->j, verb, rel, arg, sync, e) != 0) return -1;
  if (copy_os.checkpoint(verb, rel)) {
    r->crashed = 1;
    e->code = plat_errcode(PLAT_E_INVAL);
    e->cls = PLAT_EC_INTERNAL;  /* a test's crash */
    snprintf(e->msg, sizeof e->msg, "%s: the run was stopped after a \"%s\" record", rel, verb);
    return -1;
  }
  return 0;
}

/* BACKUP/KIND/N for the next backup; *num gets N as text. */
char *backup_slot(run *r, const char *kind, char *num, size_t len) {
  snprintf(num, len, "%lu", ++r->nbk);
  char *k = copy_join(r->backup, kind), *p = k ? copy_join(k, num) : NULL;
  free(k);
  return p;
}

char *cr_suffixed(const char *p, const char *sfx) {
  char *s = malloc(strlen(p) + strlen(sfx) + 1);
  if (s) sprintf(s, "%s%s", p, sfx);
  return s;
}

void cr_sum_text(char *buf, size_t len, uint64_t size, uint64_t hash) {
  snprintf(buf, len, "%llu:%016llx", (unsigned long long)size, (unsigned long long)hash);
}

/* A source file, open, and passed by the caller's check (the content the
   signature covered, say): the bytes checked are the bytes then copied. */
plat_file *cr_open_source(run *r, const copy_item *it, const char *sp, plat_err *e) {
  plat_file *s = copy_os.open_read(sp, e);
  if (s && r->o->check && (r->o->check(r->o->check_ud, it->rel, s, e) != 0 || plat_rewind(s, e) != 0)) {
    plat_close(s, NULL);
    return NULL;
  }
  return s;
}

/* The metadata an in-place overwrite would leave: the source's, with the
   target's own security when there is a template (copy_over keeps it). */
static int pending_meta(run *r, plat_dirh *d, const char *leaf, plat_file *s, const char *sp, plat_meta *m,
                        unsigned *what, plat_err *e) {
  if (cr_source_meta(r, s, sp, 0, 1, m, what, e) != 0) return -1;
  if (!r->o->template) return 0;
  plat_meta t;
  if (plat_dirh_meta_get(d, leaf, PLAT_META_SECURITY, &t, e) != 0) { plat_meta_free(m); return -1; }
  plat_xattr *nx = realloc(m->x, (m->nx + t.nx + 1) * sizeof *nx);
  if (!nx) { plat_meta_free(&t); plat_meta_free(m); return plat_fail(e, leaf, ENOMEM_CODE); }
  m->x = nx;
  for (size_t i = 0; i < t.nx; i++) m->x[m->nx++] = t.x[i];  /* moved, not copied */
  t.nx = 0;
  plat_meta_free(&t);
  *what |= PLAT_META_SECURITY;
  return 0;
}

/* A changed file that another process holds: its new contents go to
   LEAF.sxsfix-pendingN beside it (the first free N; its name journaled
   before it is created exclusively, so an existing entry of that name, a
   link among them, is never opened: the next N is tried), journaled with
   its identity before anything is written, filled
   from the source s (open and checked; closed here), then scheduled to
   replace LEAF at the next boot. The file itself is not touched now. */
#define PENDING_TRIES 16
int copy_pending(run *r, copy_item *it, plat_dirh *d, const char *leaf, plat_file *s, const char *sp,
                        char *sum, size_t sumlen, plat_err *e) {
  char tmp[1100], arg[64], id[48];
  plat_file *f = NULL;
  int num = 0;
  for (int i = 1; i <= PENDING_TRIES && !f; i++) {
    plat_info pst;
    plat_err se;
    snprintf(tmp, sizeof tmp, "%s.sxsfix-pending%d", leaf, i);
    if (plat_dirh_stat(d, tmp, &pst, &se) == 0) continue;  /* taken: the next N */
    snprintf(arg, sizeof arg, "%d", i);
    if (!plat_is_notfound(se.code) || cr_record(r, "createpending", it->rel, arg, JOURNAL_NOW, e) != 0) {
      if (!plat_is_notfound(se.code)) *e = se;
      plat_close(s, NULL);
      return -1;
    }  /* the intent, before the create: a kill between the two leaves a name the journal gives */
    f = copy_os.open_write(d, tmp, PLAT_CREATE_NEW, e);
    if (!f && e->code != plat_errcode(PLAT_E_EXIST)) { plat_close(s, NULL); return -1; }
    num = i;
  }
  if (!f) {
    plat_close(s, NULL);
    return fail_msg(e, PLAT_E_EXIST, "%s: in use, and %s.sxsfix-pending1 to 16 all exist already", it->rel, leaf);
  }
  plat_info st;
  plat_meta m = {0};
  unsigned what = 0;
  uint64_t n = 0, h = 0;
  plat_err ignore;
  int rc = plat_fstat(f, &st, e);
  if (!rc) {
    journal_id(&st, id, sizeof id);
    snprintf(arg, sizeof arg, "%s %d", id, num);
    rc = cr_record(r, "pending", it->rel, arg, 1, e);
  }
  if (!rc) rc = copy_os.copy_data(s, f, &n, &h, e);
  if (!rc) rc = pending_meta(r, d, leaf, s, sp, &m, &what, e);
  if (!rc) rc = copy_os.meta_set(f, what, &m, e);
  if (plat_close(f, rc ? NULL : e) != 0) rc = -1;
  plat_close(s, NULL);
  char *folder = NULL, *from = NULL, *to = NULL;
  if (!rc) {
    folder = strdup(plat_dirh_path(d));
    from = folder ? copy_join(folder, tmp) : NULL;
    to = folder ? copy_join(folder, leaf) : NULL;
    rc = from && to ? copy_os.replace_at_boot(from, to, e) : plat_fail(e, it->rel, ENOMEM_CODE);
  }
  if (rc && !r->crashed) plat_dirh_remove(d, tmp, &ignore);  /* ours: made exclusively */
  if (!rc && !(it->pending = strdup(tmp))) {
    int found;
    copy_os.cancel_at_boot(from, to, &found, &ignore);
    plat_dirh_remove(d, tmp, &ignore);
    rc = plat_fail(e, it->rel, ENOMEM_CODE);
  }
  free(folder), free(from), free(to);
  plat_meta_free(&m);
  if (!rc) { r->s->pending++; r->s->bytes.copied += n; cr_sum_text(sum, sumlen, n, h); it->hash = h; it->written = n; it->hashed = 1; }
  return rc;
}

/* An existing folder: its metadata (mode, owner, ACLs, xattrs, times) goes
   into a backup slot of its own before anything is created in it. */
static int backup_dir(run *r, const char *rel, plat_err *e) {
  plat_dirh *d = copy_walk_dir(&r->w, rel, e);
  if (!d) return -1;
  char num[24];
  char *bp = backup_slot(r, "dirs", num, sizeof num);
  int rc = bp ? 0 : plat_fail(e, rel, ENOMEM_CODE);
  plat_meta m;
  if (!rc) rc = plat_mkdirs(bp, e);
  if (!rc && (rc = plat_dirh_meta_get(d, NULL, PLAT_META_ALL, &m, e)) == 0) {
    rc = backup_meta_set(bp, bp, &m, e);
    plat_meta_free(&m);
  }
  free(bp);
  return rc ? rc : cr_record(r, "dirmeta", rel, num, 1, e);
}

/* A new folder, private until its metadata is set at the end. */
static int make_dir(run *r, const char *rel, plat_err *e) {
  const char *leaf;
  plat_dirh *d = copy_walk_parent(&r->w, rel, &leaf, e);
  if (!d) return -1;
  if (cr_record(r, "createdir", rel, NULL, JOURNAL_NOW, e) != 0) return -1;  /* the intent, first */
  if (plat_dirh_mkdir(d, leaf, e) != 0) return -1;
  plat_info st;
  char id[48];
  if (plat_dirh_stat(d, leaf, &st, e) != 0) return -1;
  journal_id(&st, id, sizeof id);
  return cr_record(r, "mkdir", rel, id, 0, e);
}

/* Folders' metadata, deepest first, after all contents are written. */
static int finish_dirs(run *r, copy_plan *p, plat_err *fatal) {
  for (size_t i = p->n; i-- > 0;) {
    copy_item *it = &p->items[i];
    if (it->type != PLAT_DIR || it->failed || (it->action != CA_NEW && it->action != CA_SAME)) continue;
    char *sp = copy_join(r->src, it->rel);
    plat_err e;
    plat_meta m = {0};
    unsigned what = PLAT_META_TIMES;
    int rc = sp ? 0 : plat_fail(&e, it->rel, ENOMEM_CODE);
    if (!rc && it->action == CA_SAME) rc = plat_meta_get(sp, PLAT_META_TIMES, &m, &e);  /* times only */
    else if (!rc) rc = cr_source_meta(r, NULL, sp, 1, 0, &m, &what, &e);
    plat_dirh *d = rc ? NULL : copy_walk_dir(&r->w, it->rel, &e);
    if (!rc) rc = d ? plat_dirh_meta_set(d, NULL, what, &m, &e) : -1;
    plat_meta_free(&m);
    free(sp);
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

int cr_item_result(run *r, copy_item *it, int rc, const plat_err *e, const char *sum, plat_err *fatal) {
  copy_count *c = it->type == PLAT_DIR ? &r->s->dirs : &r->s->files;
  if (rc) {
    it->failed = 1;
    it->error = strdup(e->msg);
    c->failed++;
    if (it->type == PLAT_FILE) r->s->bytes.failed += it->size;
    return journal_record(&r->j, "failed", it->rel, NULL, JOURNAL_LAZY, fatal);
  }
  if (it->action == CA_SAME) { c->skipped++; return 0; }
  it->done = 1;
  c->copied++;
  return journal_record(&r->j, "done", it->rel, sum && *sum ? sum : NULL, JOURNAL_LAZY, fatal);
}

static int apply_items(run *r, copy_plan *p, plat_err *fatal) {
  new_batch *b = cr_batch_new(r, fatal);
  over_batch *ob = b ? cr_over_new(r, fatal) : NULL;
  if (!ob) { cr_batch_free(b); return -1; }
  int rc = 0;
  for (size_t i = 0; i < p->n && !rc; i++) {
    copy_item *it = &p->items[i];
    copy_count *c = it->type == PLAT_DIR ? &r->s->dirs : &r->s->files;
    c->total += it->action != CA_EXTRA;
    if (it->type == PLAT_FILE) r->s->bytes.total += it->action != CA_EXTRA ? it->size : 0;
    if (it->action == CA_EXTRA) { c->extras++; if (it->type == PLAT_FILE) r->s->bytes.extras += it->size; continue; }
    if (it->failed) { c->failed++; continue; }  /* the plan could not read it */
    if (it->action == CA_SKIP) { c->skipped++; continue; }
    if (it->action == CA_MISMATCH) { c->mismatch++; continue; }
    if (it->action == CA_SAME && it->type == PLAT_FILE) { c->skipped++; r->s->bytes.skipped += it->size; continue; }
    char *sp = copy_join(r->src, it->rel);
    plat_err e;
    if (!sp) { rc = plat_fail(fatal, it->rel, ENOMEM_CODE); break; }
    /* everything in order before this item: the other kind's batch first */
    int isfile = it->type == PLAT_FILE;
    if ((rc = isfile && it->action == CA_NEW ? 0 : cr_batch_run(b, fatal)) != 0 ||
        (rc = isfile && it->action != CA_NEW ? 0 : cr_over_run(ob, fatal)) != 0) { free(sp); break; }
    if (isfile && it->action == CA_NEW) { rc = cr_batch_add(b, it, sp, fatal); continue; }
    if (isfile) { rc = cr_over_add(ob, it, sp, fatal); continue; }
    int irc = it->action == CA_SAME ? backup_dir(r, it->rel, &e) : *it->rel ? make_dir(r, it->rel, &e) : 0;
    free(sp);
    if (r->crashed) { *fatal = e; rc = -1; break; }
    rc = cr_item_result(r, it, irc, &e, "", fatal);
  }
  if (!rc) rc = cr_batch_run(b, fatal);
  if (!rc) rc = cr_over_run(ob, fatal);
  cr_batch_free(b);
  cr_over_free(ob);
  return rc;
}

/* The backup folder serves one run: created here private, or given empty
   and private (a new temporary folder). */
static int backup_prepare(const char *backup, plat_err *e) {
  plat_info st;
  plat_err se;
  if (plat_stat(backup, 0, &st, &se) != 0) {
    if (!plat_is_notfound(se.code)) { *e = se; return -1; }
    return plat_mkdir_private(backup, e);
  }
  if (st.type != PLAT_DIR) return fail_msg(e, PLAT_E_NOTDIR, "%s: the backup folder is not a folder%s", backup, "");
  if (plat_check_private(backup, e) != 0 && !plat_wine_version()) return -1;  /* Wine keeps no descriptors */
  plat_dir *d = plat_dir_open(backup, e);
  if (!d) return -1;
  plat_dirent de;
  int r = plat_dir_next(d, &de, e), rc = r < 0 ? -1 : 0;
  if (r == 1)
    rc = fail_msg(e, PLAT_E_EXIST, "%s: the backup folder already holds \"%s\" (another run's backup?); "
                  "a backup folder serves one run: give a new one", backup, de.name);
  plat_dir_close(d);
  return rc;
}

/* The destination when the plan creates it: *abs its absolute path (the
   nearest existing parent with links resolved, then the names to create),
   *missing how many folders are to be created (the destination and the
   parents it lacks). */
static int root_path(const char *dst, char **abs, int *missing, plat_err *e) {
  char *p = NULL, *real = NULL;
  plat_info st;
  plat_err se;
  int absolute = dst[0] == '/' || dst[0] == '\\' || (dst[0] && dst[1] == ':');
  char *full = absolute ? strdup(dst) : copy_join(".", dst);  /* a relative one: in the current folder */
  if (!full) return plat_fail(e, dst, ENOMEM_CODE);
  dst = full;
  *missing = 0;
  for (;;) {
    free(p);
    p = NULL;
    if (!journal_ancestor(dst, *missing, &p)) {
      fail_msg(e, PLAT_E_INVAL, "%s: no existing parent folder to create it in%s", dst, "");
      free(full);
      return -1;
    }
    if (plat_stat(p, 0, &st, &se) == 0) break;
    if (!plat_is_notfound(se.code)) { free(p); free(full); *e = se; return -1; }
    ++*missing;
  }
  const char *tail = dst + strlen(p);
  tail += strspn(tail, "/\\");
  int rc = plat_realpath(p, &real, e);
  if (!rc && !(*abs = copy_join(real, tail))) rc = plat_fail(e, dst, ENOMEM_CODE);
  free(p);
  free(real);
  free(full);
  return rc;
}

/* Create the destination and its missing parents, outermost first, each
   journaled before it is made (createparent K, createdir "") and after
   (mkparent K ID, mkdir "" ID), each exclusively in its parent's handle;
   *idbuf the destination's identity. */
static int make_root(run *r, int missing, char *idbuf, size_t len, plat_err *e) {
  int rc = 0;
  for (int k = missing - 1; k >= 0 && !rc; k--) {
    char *path = NULL, *parent = NULL, kt[16];
    snprintf(kt, sizeof kt, "%d", k);
    rc = journal_ancestor(r->dst, k, &path) && journal_ancestor(path, 1, &parent) ? 0 : plat_fail(e, r->dst, ENOMEM_CODE);
    if (!rc) rc = k ? cr_record(r, "createparent", kt, NULL, JOURNAL_NOW, e) : cr_record(r, "createdir", "", NULL, JOURNAL_NOW, e);
    plat_dirh *d = rc ? NULL : plat_dirh_open(parent, e);
    const char *leaf = path ? path + strlen(parent) : "";
    leaf += strspn(leaf, "/\\");
    if (!rc) rc = d ? plat_dirh_mkdir(d, leaf, e) : -1;
    plat_info st;
    if (!rc) rc = plat_dirh_stat(d, leaf, &st, e);
    if (!rc) journal_id(&st, idbuf, len);
    if (!rc) rc = k ? cr_record(r, "mkparent", kt, idbuf, JOURNAL_LAZY, e) : cr_record(r, "mkdir", "", idbuf, JOURNAL_NOW, e);
    plat_dirh_close(d);
    free(path);
    free(parent);
  }
  return rc;
}

int copy_apply(const char *src, const char *dst, const copy_opts *o, copy_plan *p,
               copy_summary *s, plat_err *e) {
  memset(s, 0, sizeof *s);
  if (!o->backup || !*o->backup)
    return fail_msg(e, PLAT_E_INVAL, "%s: a backup folder is required to overwrite in place%s", dst, "");
  run r = { 0 };
  r.o = o;
  r.s = s;
  r.threads = o->threads < 1 ? 1 : o->threads > PLAT_MAX_THREADS ? PLAT_MAX_THREADS : o->threads;
  plat_priv priv;
  if (plat_privileges_enable(&priv, e) != 0) { s->fatal = 1; return -1; }
  char *asrc = NULL, *adst = NULL, *abk = NULL, *jp = NULL, rootid[48] = "";
  int rootnew = p->n && p->items[0].action == CA_NEW, missing = 0;
  int rc = 0;
  if (o->template) rc = plat_meta_get(o->template, PLAT_META_SECURITY, &r.tmpl, e);
  if (!rc && o->template) rc = copy_file_template(o, &r.tmpl, &r.ftmpl, e);
  if (!rc) rc = backup_prepare(o->backup, e);
  if (!rc) rc = plat_realpath(src, &asrc, e);
  if (!rc) rc = rootnew ? root_path(dst, &adst, &missing, e) : plat_realpath(dst, &adst, e);
  if (!rc && rootnew && !missing) rootnew = 0;  /* there after all (made since the plan) */
  if (!rc) rc = plat_realpath(o->backup, &abk, e);
  r.verify = o->verify && !o->verify_full;
  r.dst_given = dst;
  if (!rc) {
    char *f = copy_join(abk, "files"), *d = copy_join(abk, "dirs");
    rc = f && d ? 0 : plat_fail(e, abk, ENOMEM_CODE);
    if (!rc) rc = plat_mkdirs(f, e);
    if (!rc) rc = plat_mkdirs(d, e);
    free(f);
    free(d);
  }
  if (!rc) rc = (jp = o->journal ? strdup(o->journal) : copy_join(abk, "journal.txt")) ? 0 : plat_fail(e, dst, ENOMEM_CODE);
  if (!rc) rc = journal_open(&r.j, jp, asrc, adst, abk, e);
  if (!rc && o->mount) rc = journal_mount_record(&r.j, o->mount, e);
  r.src = asrc, r.dst = adst, r.backup = abk;
  if (!rc) {
    /* a root the run creates is journaled first, before and after each
       folder is made: a kill at any point leaves it to the rollback */
    if (rootnew) rc = make_root(&r, missing, rootid, sizeof rootid, e);
    plat_info st;
    if (!rc) rc = copy_walk_open(&r.w, adst, e);
    if (!rc && r.verify) r.prec = copy_precision(src, dst);
    if (!rc && (rc = plat_dirh_stat(r.w.h[0], NULL, &st, e)) == 0 && !rootnew) journal_id(&st, rootid, sizeof rootid);
    if (!rc) rc = cr_record(&r, "root", "", rootid, 0, e);
    if (!rc && o->service) rc = cr_record(&r, "service", o->service, NULL, 1, e);
    if (!rc) rc = apply_items(&r, p, e);
    if (!rc) rc = finish_dirs(&r, p, e);
    if (!r.crashed) {
      char tail[32];
      uint64_t failed = s->files.failed + s->dirs.failed;
      if (failed) snprintf(tail, sizeof tail, "failed:%llu", (unsigned long long)failed);
      else snprintf(tail, sizeof tail, "ok");
      plat_err je;
      if (journal_record(&r.j, "end", tail, NULL, 1, &je) != 0 && !rc) { *e = je; rc = -1; }
      if (journal_close(&r.j, &je) != 0 && !rc) { *e = je; rc = -1; }
    }
    /* a simulated crash leaves the journal open-ended, as kill -9 would */
    if (r.crashed && r.j.f) journal_abandon(&r.j);
  }
  copy_walk_close(&r.w);
  free(jp), free(asrc), free(adst), free(abk);
  plat_meta_free(&r.tmpl);
  plat_meta_free(&r.ftmpl);
  plat_privileges_restore(&priv);
  if (rc) s->fatal = 1;
  return rc;
}
