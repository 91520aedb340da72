/* copynew.c: new files, like robocopy /MT: up to BATCH new files of one
   folder are started in order on the main thread in two rounds: every
   source opened and every intent ("create") journaled, in one write; then
   every NAME.sxsfix-new created exclusively and its identity ("new")
   journaled, in one write. Their contents and metadata are written by up
   to r->threads workers (plat_parallel; no journal record, no folder
   handle is touched there), then the batch is finished in order (renamed
   to NAME, "done" records, buffered until the next write). Every file a
   worker writes is journaled before it is: a kill before the "new"
   records' write leaves temporaries whose "create" has no "new", which a
   rollback removes (see rollback.c undo_create); so a kill at any point
   leaves only what a rollback removes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy_int.h"

#define BATCH 32  /* files in flight; two handles each */

typedef struct new_job {
  copy_item *it;
  char *sp, *tmp;       /* source path; the temporary's name in d */
  plat_file *s, *f;     /* open source, the temporary (NULL: not started) */
  uint64_t n, h;        /* bytes written, their copy_hash */
  int rc, made;          /* made: the temporary was created (ours) */
  plat_err e;
} new_job;

struct new_batch {
  run *r;
  plat_dirh *d;         /* the folder of every file in the batch (r->w's) */
  size_t dirlen;        /* the length of its rel, with the '/' */
  new_job j[BATCH];
  size_t n;
};

new_batch *cr_batch_new(run *r, plat_err *e) {
  new_batch *b = calloc(1, sizeof *b);
  if (!b) { plat_fail(e, "(copy)", ENOMEM_CODE); return NULL; }
  b->r = r;
  return b;
}

static size_t dir_len(const char *rel) {
  const char *sl = strrchr(rel, '/');
  return sl ? (size_t)(sl - rel) + 1 : 0;
}

static void job_clear(new_job *j) {
  plat_close(j->f, NULL);
  plat_close(j->s, NULL);
  free(j->sp);
  free(j->tmp);
  memset(j, 0, sizeof *j);
}

/* Start job j, first round: its source open (and checked), the intent
   ("create") buffered. Returns with j->rc -1 when the item failed. */
static void job_intent(new_batch *b, new_job *j) {
  run *r = b->r;
  j->tmp = cr_suffixed(j->it->rel + b->dirlen, ".sxsfix-new");
  if (!j->tmp) { j->rc = plat_fail(&j->e, j->it->rel, ENOMEM_CODE); return; }
  if (!(j->s = cr_open_source(r, j->it, j->sp, &j->e))) { j->rc = -1; return; }
  j->rc = cr_record(r, "create", j->it->rel, NULL, JOURNAL_LAZY, &j->e);
}

/* Second round, after the intents were written: NAME.sxsfix-new created
   exclusively (one left by an interrupted run is removed first), its
   identity ("new") buffered. */
static void job_create(new_batch *b, new_job *j) {
  run *r = b->r;
  plat_err ignore;
  plat_info st;
  char id[48];
  j->f = copy_os.open_write(b->d, j->tmp, PLAT_CREATE_NEW, &j->e);
  if (!j->f && j->e.code == plat_errcode(PLAT_E_EXIST) && plat_dirh_stat(b->d, j->tmp, &st, &ignore) == 0 &&
      st.type != PLAT_DIR && plat_dirh_remove(b->d, j->tmp, &ignore) == 0)  /* left by an interrupted run */
    j->f = copy_os.open_write(b->d, j->tmp, PLAT_CREATE_NEW, &j->e);
  if (!j->f) { j->rc = -1; return; }
  j->made = 1;
  if ((j->rc = plat_fstat(j->f, &st, &j->e)) != 0) return;
  journal_id(&st, id, sizeof id);
  j->rc = cr_record(r, "new", j->it->rel, id, JOURNAL_LAZY, &j->e);
}

/* One round of the start over the batch, then its records in one write;
   -1 (fatal set) on a simulated crash or a journal that cannot be written. */
static int start_round(new_batch *b, void (*step)(new_batch *, new_job *), plat_err *fatal) {
  run *r = b->r;
  for (size_t i = 0; i < b->n; i++) {
    if (b->j[i].rc) continue;
    step(b, &b->j[i]);
    if (r->crashed) { *fatal = b->j[i].e; return -1; }
  }
  return journal_flush(&r->j, fatal);
}

/* A worker: the contents, hashed as they are copied, and the metadata. */
static void job_fill(void *ud, size_t i) {
  new_batch *b = ud;
  new_job *j = &b->j[i];
  if (j->rc || !j->f) return;
  plat_meta m = {0};
  unsigned what = 0;
  j->rc = copy_os.copy_data(j->s, j->f, &j->n, &j->h, &j->e);
  if (!j->rc) j->rc = cr_source_meta(b->r, j->s, j->sp, 1, 1, &m, &what, &j->e);
  if (!j->rc) j->rc = copy_os.meta_set(j->f, what, &m, &j->e);
  j->it->written = j->n;
  if (!j->rc && b->r->verify) cr_verify_written(b->r, j->it, j->f, &m, &j->e);
  plat_meta_free(&m);
  plat_close(j->s, NULL);
  j->s = NULL;
  if (plat_close(j->f, j->rc ? NULL : &j->e) != 0) j->rc = -1;
  j->f = NULL;
  j->it->hash = j->h;
  j->it->written = j->n;
  j->it->hashed = !j->rc;
}

int cr_batch_run(new_batch *b, plat_err *fatal) {
  run *r = b->r;
  int rc = 0;
  if (b->n && !r->crashed && (start_round(b, job_intent, fatal) != 0 || start_round(b, job_create, fatal) != 0)) {
    int jfail = !r->crashed;  /* the journal could not be written (else: a test's crash, left as a kill would) */
    plat_err ignore;
    for (size_t i = 0; i < b->n; i++) {
      new_job *j = &b->j[i];
      if (jfail && j->made) { plat_close(j->f, NULL); j->f = NULL; plat_dirh_remove(b->d, j->tmp, &ignore); }
      job_clear(j);
    }
    r->crashed = 1;  /* stop: the run ends without its "end" record, as after a kill */
    b->n = 0;
    return -1;
  }
  if (b->n && !r->crashed) plat_parallel(b->n, r->threads, job_fill, b);
  for (size_t i = 0; i < b->n; i++) {
    new_job *j = &b->j[i];
    plat_err ignore;
    if (r->crashed) { job_clear(j); continue; }  /* as a kill would leave it */
    if (!j->rc) j->rc = plat_dirh_rename_new(b->d, j->tmp, j->it->rel + b->dirlen, &j->e);
    if (j->rc && j->made) {  /* made exclusively: ours */
      plat_close(j->f, NULL);
      j->f = NULL;
      plat_dirh_remove(b->d, j->tmp, &ignore);
    }
    char sum[48] = "";
    if (!j->rc) { r->s->bytes.copied += j->n; cr_sum_text(sum, sizeof sum, j->n, j->h); }
    if (!rc) rc = cr_item_result(r, j->it, j->rc, &j->e, sum, fatal);
    job_clear(j);
  }
  b->n = 0;
  b->d = NULL;
  return r->crashed ? -1 : rc;
}

int cr_batch_add(new_batch *b, copy_item *it, char *sp, plat_err *fatal) {
  run *r = b->r;
  size_t dl = dir_len(it->rel);
  if (b->n && (b->n == BATCH || dl != b->dirlen || strncmp(b->j[0].it->rel, it->rel, dl) != 0)) {
    int rc = cr_batch_run(b, fatal);
    if (rc) { free(sp); return rc; }
  }
  const char *leaf;
  plat_err e;
  plat_dirh *d = copy_walk_parent(&r->w, it->rel, &leaf, &e);
  if (!d) {  /* the item fails; the batch's folder stays open (the walk keeps the path) */
    free(sp);
    if (b->n) { int rc = cr_batch_run(b, fatal); if (rc) return rc; }
    return cr_item_result(r, it, -1, &e, NULL, fatal);
  }
  b->d = d;
  b->dirlen = dl;
  (void)leaf;  /* the name is it->rel past dirlen */
  new_job *j = &b->j[b->n++];
  memset(j, 0, sizeof *j);
  j->it = it;
  j->sp = sp;
  return 0;
}

void cr_batch_free(new_batch *b) {
  if (!b) return;
  for (size_t i = 0; i < b->n; i++) job_clear(&b->j[i]);
  free(b);
}
