/* copyover.c: changed files, overwritten in place in batches of up to
   BATCH files of one folder, in four rounds (1 and 4 partly on up to
   r->threads workers, plat_parallel; every journal record, and every
   file in use, on the main thread):
     1. each source opened (and checked) and the destination file opened
        for writing, in order; then each backed up from that handle by a
        worker (bytes, in the kernel where it can, and metadata into
        BACKUP/files/N, through N.part), not yet flushed;
     2. the batch's backups made durable together (plat_sync_paths: one
        syncfs on POSIX, where a flush per file was one device flush each);
     3. their "overwrite" records, in one fsync'd write;
     4. each file overwritten by a worker through the handle it was
        backed up from (so the object backed up is the object written, and
        its hard links stay) and verified on it; then, in order, "done"
        records buffered (a file found mapped is journaled "unchanged" and
        replaced at the next boot).
   A kill in round 1 or 2 leaves backups no record names and an untouched
   destination; after round 3 each file's backup is on disk before the
   record that names it, and that before the file changes. A file that
   another process holds (it cannot be opened for writing, or, mapped,
   truncated) is replaced at the next boot instead (copy_pending). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backupmeta.h"
#include "core/copy_int.h"

#define BATCH 32

typedef struct over_job {
  copy_item *it;
  char *sp;             /* source path */
  plat_file *s, *f;     /* the open source and destination (NULL: not open) */
  char *bp;             /* the backup BACKUP/files/N, made in round 1 */
  char num[24];         /* its N */
  char sum[48];
  uint64_t n;           /* bytes written */
  int rc, started;      /* started: rc is the item's outcome already (pending) */
  int mapped;           /* round 4: mapped by another process, for the main thread */
  plat_err e;
} over_job;

struct over_batch {
  run *r;
  plat_dirh *d;
  size_t dirlen;
  over_job j[BATCH];
  size_t n;
};

over_batch *cr_over_new(run *r, plat_err *e) {
  over_batch *b = calloc(1, sizeof *b);
  if (!b) plat_fail(e, "(copy)", ENOMEM_CODE);
  else b->r = r;
  return b;
}

/* Back up the open destination file f (bytes and all metadata) into the
   backup slot bp: a .part name, then renamed; flushed by the caller. Runs
   on a worker. */
static int backup_file(plat_file *f, const char *bp, plat_err *e) {
  char *part = bp ? cr_suffixed(bp, ".part") : NULL;
  int rc = part ? 0 : plat_fail(e, "(backup)", ENOMEM_CODE);
  plat_file *b = rc ? NULL : plat_open_write(part, PLAT_CREATE_NEW, e);
  uint64_t n;
  plat_meta m;
  if (!b) rc = -1;
  if (!rc) rc = plat_copy_data(f, b, &n, e);  /* not hashed: in the kernel where it can */
  if (b && plat_close(b, rc ? NULL : e) != 0) rc = -1;
  if (!rc && (rc = plat_fmeta_get(f, PLAT_META_ALL, &m, e)) == 0) {
    rc = backup_meta_set(part, bp, &m, e);
    plat_meta_free(&m);
  }
  if (!rc) rc = plat_rename_new(part, bp, e);
  plat_err ignore;
  if (rc && b) plat_remove(part, &ignore);
  free(part);
  return rc;
}

/* Round 1 for job j, on the main thread: open both sides, take a backup
   slot (the backups are made by the workers, over_backup). */
static void over_start(over_batch *b, over_job *j) {
  run *r = b->r;
  copy_item *it = j->it;
  const char *leaf = it->rel + b->dirlen;
  plat_file *s = cr_open_source(r, it, j->sp, &j->e);
  plat_file *f = s ? copy_os.open_write(b->d, leaf, PLAT_OPEN_EXISTING, &j->e) : NULL;
  if (!f && s && r->o->at_boot && copy_os.in_use(j->e.code)) {
    j->started = 1;
    j->rc = copy_pending(r, it, b->d, leaf, s, j->sp, j->sum, sizeof j->sum, &j->e);
    return;
  }
  if (!f) { plat_close(s, NULL); j->rc = -1; return; }
  j->s = s, j->f = f;
  if (!(j->bp = backup_slot(r, "files", j->num, sizeof j->num))) j->rc = plat_fail(&j->e, it->rel, ENOMEM_CODE);
}

static void over_backup(void *ud, size_t i) {
  over_job *j = &((over_batch *)ud)->j[i];
  if (!j->f || j->rc) return;
  j->rc = backup_file(j->f, j->bp, &j->e);
}

/* After round 1: a job that failed lets go of its files. */
static void over_drop(over_job *j) {
  if (!j->rc || j->started) return;
  plat_close(j->s, NULL), plat_close(j->f, NULL);
  j->s = j->f = NULL;
}

/* Round 4 for job j (backed up, recorded), on a worker: the overwrite
   itself. A file mapped by another process (its truncation failed, so
   nothing changed) is left to the main thread (j->mapped, source open). */
static int over_finish(over_batch *b, over_job *j) {
  run *r = b->r;
  copy_item *it = j->it;
  plat_err *e = &j->e;
  plat_file *s = j->s, *f = j->f;
  j->s = j->f = NULL;
  plat_meta m = {0};
  unsigned what;
  uint64_t n = 0, h = 0;
  int rc = cr_source_meta(r, s, j->sp, 0, 1, &m, &what, e);  /* before touching the destination */
  int wrote = !rc;
  if (!rc) rc = plat_rewind(f, e);
  if (!rc && (rc = copy_os.truncate(f, 0, e)) != 0 && r->o->at_boot && copy_os.in_use(e->code)) {
    plat_close(f, NULL);
    plat_meta_free(&m);
    j->s = s;
    j->mapped = 1;
    return 0;
  }
  if (!rc) rc = copy_os.copy_data(s, f, &n, &h, e);
  if (!rc) rc = copy_os.meta_set(f, what, &m, e);
  it->written = n;
  if (!rc && r->verify) cr_verify_written(r, it, f, &m, e);
  plat_close(s, NULL);
  if (rc && wrote && !r->crashed) {  /* put the original back at once; the journal covers a failure here */
    plat_err ignore;
    copy_restore_into(j->bp, f, &ignore);
  }
  if (plat_close(f, rc ? NULL : e) != 0) rc = -1;
  plat_meta_free(&m);
  if (!rc) { j->n = n; cr_sum_text(j->sum, sizeof j->sum, n, h); it->hash = h; it->hashed = 1; }
  return rc;
}

static void over_fill(void *ud, size_t i) {
  over_batch *b = ud;
  over_job *j = &b->j[i];
  if (j->f && !j->rc) j->rc = over_finish(b, j);
}

/* The end of a mapped file's job, on the main thread: the truncation,
   the first change, failed, so nothing changed; journaled so, and
   replaced at the next boot. */
static int over_mapped(over_batch *b, over_job *j) {
  run *r = b->r;
  plat_file *s = j->s;
  j->s = NULL;
  if (cr_record(r, "unchanged", j->it->rel, NULL, 1, &j->e) != 0 || plat_rewind(s, &j->e) != 0) { plat_close(s, NULL); return -1; }
  return copy_pending(r, j->it, b->d, j->it->rel + b->dirlen, s, j->sp, j->sum, sizeof j->sum, &j->e);
}

static void job_clear(over_job *j) {
  plat_close(j->s, NULL);
  plat_close(j->f, NULL);
  free(j->sp);
  free(j->bp);
  memset(j, 0, sizeof *j);
}

/* Rounds 2 and 3: the backups on disk, then their records in one fsync'd
   write. A sync that fails fails the batch's files (nothing changed);
   -1 (fatal set) when the journal cannot be written or a test stopped
   the run. */
static int over_record(over_batch *b, plat_err *fatal) {
  run *r = b->r;
  const char *paths[BATCH];
  size_t k = 0, last = 0;
  for (size_t i = 0; i < b->n; i++)
    if (b->j[i].f) paths[k++] = b->j[i].bp, last = i;
  if (!k) return 0;
  plat_err se;
  if (plat_sync_paths(paths, k, &se) != 0) {
    for (size_t i = 0; i < b->n; i++)
      if (b->j[i].f) { over_job *j = &b->j[i]; plat_close(j->s, NULL), plat_close(j->f, NULL); j->s = j->f = NULL; j->rc = -1; j->e = se; }
    return 0;
  }
  for (size_t i = 0; i < b->n; i++) {
    over_job *j = &b->j[i];
    if (!j->f) continue;
    if (cr_record(r, "overwrite", j->it->rel, j->num, i == last ? JOURNAL_SYNC : JOURNAL_LAZY, fatal) != 0) return -1;
  }
  return 0;
}

int cr_over_run(over_batch *b, plat_err *fatal) {
  run *r = b->r;
  int rc = 0;
  for (size_t i = 0; i < b->n && !r->crashed; i++) {
    over_start(b, &b->j[i]);
    if (r->crashed) *fatal = b->j[i].e;  /* a test's crash in copy_pending */
  }
  if (!r->crashed) plat_parallel(b->n, r->threads, over_backup, b);
  for (size_t i = 0; i < b->n; i++) over_drop(&b->j[i]);
  if (!r->crashed && over_record(b, fatal) != 0) r->crashed = 1;  /* stop, as after a kill */
  if (!r->crashed) plat_parallel(b->n, r->threads, over_fill, b);
  for (size_t i = 0; i < b->n; i++) {
    over_job *j = &b->j[i];
    if (r->crashed) { job_clear(j); continue; }  /* as a kill would leave it */
    if (j->mapped) j->rc = over_mapped(b, j);
    if (r->crashed) { *fatal = j->e; job_clear(j); continue; }
    if (!j->rc && !j->started) r->s->bytes.copied += j->n;
    if (!rc) rc = cr_item_result(r, j->it, j->rc, &j->e, j->sum, fatal);
    job_clear(j);
  }
  b->n = 0;
  b->d = NULL;
  return r->crashed ? -1 : rc;
}

int cr_over_add(over_batch *b, copy_item *it, char *sp, plat_err *fatal) {
  run *r = b->r;
  const char *sl = strrchr(it->rel, '/');
  size_t dl = sl ? (size_t)(sl - it->rel) + 1 : 0;
  if (b->n && (b->n == BATCH || dl != b->dirlen || strncmp(b->j[0].it->rel, it->rel, dl) != 0)) {
    int rc = cr_over_run(b, fatal);
    if (rc) { free(sp); return rc; }
  }
  const char *leaf;
  plat_err e;
  plat_dirh *d = copy_walk_parent(&r->w, it->rel, &leaf, &e);
  if (!d) {  /* the item fails; the batch's folder stays open (the walk keeps the path) */
    free(sp);
    if (b->n) { int rc = cr_over_run(b, fatal); if (rc) return rc; }
    return cr_item_result(r, it, -1, &e, NULL, fatal);
  }
  b->d = d;
  b->dirlen = dl;
  over_job *j = &b->j[b->n++];
  memset(j, 0, sizeof *j);
  j->it = it;
  j->sp = sp;
  return 0;
}

void cr_over_free(over_batch *b) {
  if (!b) return;
  for (size_t i = 0; i < b->n; i++) job_clear(&b->j[i]);
  free(b);
}
