/*
** copy.h: the privileged, ACL-preserving copy engine (robocopy /E /COPYALL /B
** semantics): plan, apply with backup and journal, rollback, verify.
** Pure C; every OS call goes through platform.h, the ones that can fail
** mid-copy through the copy_os table (fault injection in tests).
**
** Relative paths in items and in the journal use '/' on every platform.
*/
#ifndef SXSFIX_COPY_H
#define SXSFIX_COPY_H

#include "platform/platform.h"

typedef enum copy_action {
  CA_NEW,       /* absent from the destination: copy */
  CA_CHANGED,   /* differs (size, time, content, type): overwrite in place */
  CA_SAME,      /* same size and time (and content when compared): skip */
  CA_EXTRA,     /* only in the destination: reported, never deleted */
  CA_SKIP,      /* not copied (a link or device in the source) */
  CA_MISMATCH   /* a file where the other side has a folder, or the reverse */
} copy_action;

typedef struct copy_item {
  char *rel;           /* path relative to the source/destination root */
  plat_type type;      /* of the source (of the destination for extras) */
  copy_action action;
  const char *reason;  /* static text: why this action */
  uint64_t size;
  int failed;          /* apply: 1 when the item failed */
  int done;            /* apply: 1 when written */
  char *error;         /* apply/verify: malloc'd message, or NULL */
} copy_item;

typedef struct copy_plan {
  copy_item *items;    /* folders before their contents */
  size_t n, cap;
} copy_plan;

typedef struct copy_opts {
  int compare;           /* compare contents of files with equal size and time */
  const char *backup;    /* apply: backup folder (required) */
  const char *journal;   /* apply: journal file; default BACKUP/journal.txt */
  const char *template;  /* NULL: security from the source; else new items
                            get this path's security (descriptor / ACL xattrs) */
} copy_opts;

typedef struct copy_count {
  uint64_t total, copied, skipped, mismatch, failed, extras;
} copy_count;

typedef struct copy_summary {
  copy_count dirs, files, bytes;
  int fatal;             /* 1 when the run stopped early (see the plat_err) */
} copy_summary;

const char *copy_action_name(copy_action a);

/* Walk src and dst and decide each item's action; touches nothing. */
int copy_plan_build(const char *src, const char *dst, const copy_opts *o, copy_plan *p, plat_err *e);
void copy_plan_free(copy_plan *p);

/* Carry out plan p. Per-item failures are recorded in the items (no
   retries) and the run goes on; returns -1 only for a fatal error
   (no privileges, backup or journal unwritable). */
int copy_apply(const char *src, const char *dst, const copy_opts *o, copy_plan *p,
               copy_summary *s, plat_err *e);

/* Undo what the journal records, newest first: overwritten files get their
   backed-up bytes and metadata back in place, created files and folders are
   removed, folders' metadata restored. Safe to run twice. */
typedef struct copy_rollback_stats {
  uint64_t restored, removed, kept, failed;
  char *first_error;     /* malloc'd, or NULL */
} copy_rollback_stats;
int copy_rollback(const char *journal, copy_rollback_stats *st, plat_err *e);

/* Re-read the destination and compare every copied or same item with the
   source: size, bytes and metadata (times, mode/owner or attributes,
   xattrs or streams, security unless a template was used). Mismatches set
   item->error; returns their count, or -1 on a fatal error. */
long copy_verify(const char *src, const char *dst, const copy_opts *o, copy_plan *p, plat_err *e);

/* The platform calls the engine makes where a copy can fail midway. Tests
   replace entries to inject faults the OS cannot produce on demand. */
typedef struct copy_ops {
  plat_file *(*open_read)(const char *path, plat_err *e);
  plat_file *(*open_write)(const char *path, int how, plat_err *e);
  int (*copy_data)(plat_file *src, plat_file *dst, uint64_t *bytes, plat_err *e);
  int (*meta_set)(const char *path, unsigned what, const plat_meta *m, plat_err *e);
  /* called after each journal record; nonzero stops the run at once,
     without cleanup, as a crash would */
  int (*checkpoint)(const char *record);
} copy_ops;
extern copy_ops copy_os;

/* Internal, shared by the engine's files. */
#define ENOMEM_CODE plat_errcode(PLAT_E_NOMEM)
#define ENOTDIR_CODE plat_errcode(PLAT_E_NOTDIR)
char *copy_join(const char *a, const char *b);
int copy_files_equal(const char *a, const char *b, int *equal, plat_err *e);
/* Copy from's bytes into to: PLAT_CREATE_NEW makes it, PLAT_OPEN_EXISTING
   overwrites it in place (truncated to the new length). sync: fsync it. */
int copy_data_into(const char *from, const char *to, int how, int sync, uint64_t *bytes, plat_err *e);
/* Put a backed-up file (bytes and all metadata) back over dst, in place. */
int copy_restore_file(const char *backup, const char *dst, plat_err *e);

/* The journal: "sxsfix-copy-journal 1", then one record a line,
   "VERB PATH" with PATH percent-encoded (see journal.c). */
typedef struct copy_journal { plat_file *f; } copy_journal;
int journal_open(copy_journal *j, const char *path, const char *src, const char *dst,
                 const char *backup, plat_err *e);
int journal_record(copy_journal *j, const char *verb, const char *rel, int sync, plat_err *e);
int journal_close(copy_journal *j, plat_err *e);

#endif
