/* copy_int.h: what the files of the copy engine share (not an interface;
   copy.h is): helpers, the destination walk, the content hash, the journal. */
#ifndef SXSFIX_COPY_INT_H
#define SXSFIX_COPY_INT_H

#include "core/copy.h"
#include "core/winpath.h"

#define ENOMEM_CODE plat_errcode(PLAT_E_NOMEM)
#define ENOTDIR_CODE plat_errcode(PLAT_E_NOTDIR)
/* rel paths use '/' on every platform (see copy.h) */
static inline char *copy_join(const char *a, const char *b) { return sx_path_join(a, b, '/'); }
/* 1 when two times are equal at precision ns (the coarser of the two file
   systems'): they differ by less than one unit. */
int copy_time_eq(int64_t a, int64_t b, int64_t precision);
/* The coarser time precision (ns) of the file systems holding folders a and b. */
int64_t copy_precision(const char *a, const char *b);

/* The destination walked on folder handles (copywalk.c): the folders of
   the current path stay open, so no component is looked up by path again
   while the walk is below it, and a link met on the way is refused. */
typedef struct copy_walk {
  plat_dirh **h;     /* h[0] the root, h[i] the folder names[i] inside h[i-1] */
  char **names;
  size_t n, cap;
} copy_walk;
int copy_walk_open(copy_walk *w, const char *root, plat_err *e);
/* The open folder holding rel's last component; *leaf is that component
   (NULL for rel "", the root, whose folder is returned). */
plat_dirh *copy_walk_parent(copy_walk *w, const char *rel, const char **leaf, plat_err *e);
/* The folder rel itself, open. */
plat_dirh *copy_walk_dir(copy_walk *w, const char *rel, plat_err *e);
void copy_walk_close(copy_walk *w);

/* A 64-bit content hash (not cryptographic: it tells whether a file still
   holds what the run wrote). */
typedef struct copy_hash { uint64_t h, len; unsigned char t[8]; unsigned nt; } copy_hash;
void copy_hash_init(copy_hash *c);
void copy_hash_add(copy_hash *c, const void *p, size_t n);
uint64_t copy_hash_end(copy_hash *c);
/* Size and copy_hash of f's contents from its position to its end. */
int copy_sum(plat_file *f, uint64_t *size, uint64_t *hash, plat_err *e);
/* Put a backed-up file's bytes and metadata back into dst, in place. */
int copy_restore_into(const char *backup, plat_file *dst, plat_err *e);
/* Compare two open files from their positions to their ends. */
int copy_files_equal(plat_file *a, plat_file *b, int *equal, plat_err *e);

/* The journal (format in journal.c). Records written JOURNAL_LAZY wait
   in buf and go out with the next record that is written now (one write
   for both). */
typedef struct copy_journal { plat_file *f; char *buf; size_t n, cap; } copy_journal;
enum { JOURNAL_NOW = 0,   /* written before the call returns: survives a killed process */
       JOURNAL_SYNC = 1,  /* written and flushed to disk (fsync) */
       JOURNAL_LAZY = 2   /* buffered: lost with a killed process (done, failed) */ };
/* Create the journal file (it must not exist) and write its head. */
int journal_open(copy_journal *j, const char *path, const char *src, const char *dst,
                 const char *backup, plat_err *e);
/* Append "VERB REL[ ARG]"; how: JOURNAL_NOW, _SYNC or _LAZY. */
int journal_record(copy_journal *j, const char *verb, const char *rel, const char *arg, int how, plat_err *e);
/* Write the buffered records now (one write; nothing when none wait). */
int journal_flush(copy_journal *j, plat_err *e);
/* Drop buffered records unwritten (a simulated crash) and close. */
void journal_abandon(copy_journal *j);
int journal_close(copy_journal *j, plat_err *e);
/* Path's K-th parent folder (K 1: its parent; "/" or "C:\\" at the top):
   1 and *out (malloc'd; out may be NULL), or 0 when path has no such
   parent (or no memory). */
int journal_ancestor(const char *path, int k, char **out);
/* "DEV:INO", the identity the journal records for a file or folder. */
void journal_id(const plat_info *st, char *buf, size_t len);

/* A journal read back: its head and its change records in order, all
   pointing into text. */
typedef struct journal_rec {
  size_t line;
  char *verb, *rel, *arg;
  const char *sum;      /* from its "done" record, or NULL */
  int undo, undone;     /* a rollback started / finished this record */
} journal_rec;
typedef struct journal_log {
  const char *path, *dst, *backup, *rootid;
  const char *mount;    /* the --root the run was under, or NULL (remount.c) */
  size_t dstline, backupline, mountline;  /* where dst, backup and mount were read */
  char *mapped[2];      /* dst and backup moved to another mount point, or NULL */
  char *text;
  journal_rec *rs;
  size_t n;
} journal_log;
/* A rollback's progress goes to JOURNAL + this ("undo L", "undone L",
   "rollback N"; journal.c): the journal itself is written by its copy only,
   so its content hash stays what the copy left. */
#define JOURNAL_PROGRESS ".rollback"
/* Read and parse the journal at path (and its progress file, when there
   is one: older rollbacks wrote their progress into the journal, which is
   read too): another format or a malformed record
   fails with the line and what was expected. */
int journal_load(journal_log *j, const char *path, plat_err *e);
void journal_log_free(journal_log *j);

/* remount.c: the --root a journal was written under. */
/* 1 when p can be a recorded root: absolute, this system's kind, no "." or "..". */
int journal_mount_ok(const char *p);
/* Record "mount REAL", root resolved (right after the journal's head). */
int journal_mount_record(copy_journal *j, const char *root, plat_err *e);
/* Under --root real (resolved), read the journal's dst and backup from its
   recorded root to real; refused (PLAT_EC_INPUT) when the recorded root is
   above real. Paths not below the recorded root stay as written. */
int journal_remount(journal_log *j, const char *real, plat_err *e);

/* One run of copy_apply, shared by copyapply.c and copynew.c. */
typedef struct run {
  const char *src, *dst, *backup;  /* absolute */
  const copy_opts *o;
  copy_journal j;
  copy_walk w;
  plat_meta tmpl;       /* the template's security entries */
  plat_meta ftmpl;      /* those of new files (copy_file_template) */
  copy_summary *s;
  unsigned long nbk;    /* backups made: BACKUP/files/N, BACKUP/dirs/N */
  int crashed;
  int threads;          /* workers for new files' contents (1: in order) */
  int verify;           /* check each file written on its handle (copyverify.c) */
  int64_t prec;         /* then: the time precision of src and dst */
  const char *dst_given; /* dst as the caller gave it (verify's messages) */
} run;
/* A file just written, checked on its open handle f against m, the
   metadata it was given (copyverify.c); a difference sets it->error. */
int cr_verify_written(run *r, copy_item *it, plat_file *f, const plat_meta *m, plat_err *e);
/* A journal record, then copy_os.checkpoint (a test's crash sets crashed). */
int cr_record(run *r, const char *verb, const char *rel, const char *arg, int how, plat_err *e);
/* Metadata for a new or overwritten item (the source's, on its open
   handle sf or by path sp when sf is NULL; or with the template's security). */
/* The security entries of a new file with a template (copytmpl.c):
   o->file_template's, else the folder's tmpl as a file inherits it. */
int copy_file_template(const copy_opts *o, const plat_meta *tmpl, plat_meta *out, plat_err *e);
int cr_source_meta(run *r, plat_file *sf, const char *sp, int isnew, int isfile, plat_meta *m, unsigned *what,
                   plat_err *e);
plat_file *cr_open_source(run *r, const copy_item *it, const char *sp, plat_err *e);
char *cr_suffixed(const char *p, const char *sfx);
void cr_sum_text(char *buf, size_t len, uint64_t size, uint64_t hash);
/* The outcome of item it (rc, e) counted and journaled (done / failed). */
int cr_item_result(run *r, copy_item *it, int rc, const plat_err *e, const char *sum, plat_err *fatal);
/* New files (copynew.c): a batch of one folder's new files, started in
   order, filled by up to r->threads workers, finished in order. */
typedef struct new_batch new_batch;
new_batch *cr_batch_new(run *r, plat_err *e);
/* Add item it (its source path sp, taken over); runs the batch first when
   it is full or it lies in another folder. */
int cr_batch_add(new_batch *b, copy_item *it, char *sp, plat_err *fatal);
/* Finish every file in the batch; -1 on a fatal error or crash. */
int cr_batch_run(new_batch *b, plat_err *fatal);
void cr_batch_free(new_batch *b);
/* Changed files (copyover.c): a batch of one folder's changed files,
   backed up, made durable and journaled together, then overwritten. */
typedef struct over_batch over_batch;
over_batch *cr_over_new(run *r, plat_err *e);
int cr_over_add(over_batch *b, copy_item *it, char *sp, plat_err *fatal);
int cr_over_run(over_batch *b, plat_err *fatal);
void cr_over_free(over_batch *b);
/* BACKUP/KIND/N for the next backup (malloc'd); *num gets N as text. */
char *backup_slot(run *r, const char *kind, char *num, size_t len);
/* A changed file that another process holds, written beside it and
   scheduled to replace it at the next boot (copyapply.c); closes s. */
int copy_pending(run *r, copy_item *it, plat_dirh *d, const char *leaf, plat_file *s, const char *sp,
                 char *sum, size_t sumlen, plat_err *e);

#endif
