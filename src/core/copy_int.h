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

/* The journal (format in journal.c). */
typedef struct copy_journal { plat_file *f; } copy_journal;
/* Create the journal file (it must not exist) and write its head. */
int journal_open(copy_journal *j, const char *path, const char *src, const char *dst,
                 const char *backup, plat_err *e);
/* Append "VERB REL[ ARG]"; sync: flush to disk first. */
int journal_record(copy_journal *j, const char *verb, const char *rel, const char *arg, int sync, plat_err *e);
int journal_close(copy_journal *j, plat_err *e);
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
  size_t dstline, backupline;  /* where dst and backup were read */
  char *text;
  journal_rec *rs;
  size_t n;
} journal_log;
/* Read and parse the journal at path: another format or a malformed record
   fails with the line and what was expected. */
int journal_load(journal_log *j, const char *path, plat_err *e);
void journal_log_free(journal_log *j);

#endif
