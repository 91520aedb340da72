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
  CA_SAME,      /* same size and time (and content when compared), or same
                   size and content with another time (timeonly): skip */
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
  uint64_t hash;       /* apply: the copy_hash of the bytes written, when hashed */
  uint64_t written;    /* apply: how many bytes were written, when hashed */
  int hashed;
  int verified;        /* apply: checked on its handle right after it was
                          written (copy_opts.verify); copy_verify skips it */
  int timeonly;        /* plan: same size and contents, only the time differs */
  char *pending;       /* apply: the file was in use; its new contents are
                          in this name beside it (malloc'd), scheduled to
                          replace it at the next boot */
} copy_item;

typedef struct copy_plan {
  copy_item *items;    /* folders before their contents */
  size_t n, cap;
  int64_t precision;   /* ns: times closer than this are equal (the coarser
                          file system's: 1 ext4, 100 NTFS, 2 s FAT) */
} copy_plan;

typedef struct copy_opts {
  int compare;           /* compare contents of files with equal size and time */
  const char *backup;    /* apply: backup folder (required): new, or an empty
                            private one; it serves this one run */
  const char *journal;   /* apply: journal file (must not exist); default BACKUP/journal.txt */
  const char *template;  /* NULL: security from the source; else new items
                            get this path's security (descriptor / ACL xattrs) */
  const char *file_template;  /* with a template: new files get this file's
                            security; NULL: the template's as a file inherits it */
  const char *service;   /* apply: a service the caller stopped for the copy
                            (it was running): journaled first, so that a
                            rollback starts it again */
  const char *mount;     /* apply: the --root of the run, or NULL: recorded in the
                            journal, for a rollback under another mount point */
  int at_boot;           /* apply: a file in use is replaced at the next boot
                            (only for the running system's own files: the
                            schedule is the running system's); else it fails */
  /* apply: called with each source file open, before its bytes are copied
     from that handle (rewound after); nonzero fails the item, e set. */
  int (*check)(void *ud, const char *rel, plat_file *src, plat_err *e);
  void *check_ud;
  int threads;           /* apply: workers writing new files' contents (0 or 1:
                            one, in order; at most PLAT_MAX_THREADS) */
  int verify;            /* apply: each file written is checked on its handle
                            right after (size and metadata, as copy_verify
                            would after opening it again; not with
                            verify_full); copy_verify then skips it */
  int verify_full;       /* verify: read a file this run wrote back (its hash
                            against the one of the bytes written); 0: its
                            size on the handle against the bytes written
                            (copyverify.c says why that is enough) */
} copy_opts;

typedef struct copy_count {
  uint64_t total, copied, skipped, mismatch, failed, extras;
} copy_count;

typedef struct copy_summary {
  copy_count dirs, files, bytes;
  uint64_t pending;      /* files in use, replaced at the next boot */
  int fatal;             /* 1 when the run stopped early (see the plat_err) */
} copy_summary;

const char *copy_action_name(copy_action a);

/* Walk src and dst and decide each item's action; touches nothing. Only
   "not found" makes an item absent: any other error reading the
   destination makes that item failed (item->failed, item->error). */
int copy_plan_build(const char *src, const char *dst, const copy_opts *o, copy_plan *p, plat_err *e);
void copy_plan_free(copy_plan *p);

/* Carry out plan p. Per-item failures are recorded in the items (no
   retries) and the run goes on; returns -1 only for a fatal error
   (no privileges, backup or journal unwritable). With o->at_boot, a
   changed file that another process holds (plat_is_in_use) is written beside it as
   NAME.sxsfix-pendingN (N from 1, created exclusively: an existing entry
   of that name, a link included, is never opened or replaced) with the
   metadata an in-place overwrite would have given it, and scheduled to
   replace NAME at the next boot (item->pending, s->pending). */
int copy_apply(const char *src, const char *dst, const copy_opts *o, copy_plan *p,
               copy_summary *s, plat_err *e);

/* Undo what the journal records, newest first: overwritten files get their
   backed-up bytes and metadata back in place, created files and folders are
   removed, folders' metadata restored. Refuses a journal whose destination
   is not the folder it was written for, or whose journal or backup folder
   others could have written. An item that changed after the run wrote it
   is left as it is (counted in changed). Records its progress in the
   journal: a second run after a complete one does nothing, a run after an
   interrupted one finishes the job. A replacement scheduled for the next
   boot is cancelled and its new file removed; one that a boot has already
   carried out is counted in changed (the file in use was not backed up).
   A service the run stopped is started again last (started). */
typedef struct copy_rollback_stats {
  uint64_t restored, removed, kept, changed, failed;
  uint64_t cancelled;    /* replacements at the next boot taken back */
  uint64_t started;      /* services started again ("service" records) */
  char *first_error;     /* malloc'd, or NULL */
} copy_rollback_stats;
int copy_rollback(const char *journal, copy_rollback_stats *st, plat_err *e);
/* The same under --root DIR (root non-NULL): the journal is input from the
   image, so its destination and backup folder must lie inside root (no
   "." or "..", no link out of it); else refused (PLAT_EC_INPUT) naming the
   journal, the line and the path, before anything changes. A journal that
   records the --root it was written under has its paths below that root
   read below root first (remount.c). */
int copy_rollback_in(const char *journal, const char *root, copy_rollback_stats *st, plat_err *e);

/* The path the journal had under the --root it was written under, when it
   records one and lies below root now: *out malloc'd, else NULL. */
int copy_journal_mount_path(const char *journal, const char *root, char **out, plat_err *e);

/* The replacements at the next boot a journal records: for each, the file
   and its replacement (absolute, malloc'd) and whether it is still
   scheduled (copy_os.query_at_boot). */
typedef struct copy_pending_entry { char *target, *replacement; int scheduled; } copy_pending_entry;
int copy_pending_list(const char *journal, copy_pending_entry **out, size_t *n, plat_err *e);
void copy_pending_free(copy_pending_entry *v, size_t n);

/* Re-read the destination and compare every copied or same item with the
   source: size, bytes and metadata (times, mode/owner or attributes,
   xattrs or streams, security unless a template was used). Mismatches set
   item->error; returns their count, or -1 on a fatal error. */
long copy_verify(const char *src, const char *dst, const copy_opts *o, copy_plan *p, plat_err *e);

/* The platform calls the engine makes where a copy can fail midway. Tests
   replace entries to inject faults the OS cannot produce on demand. */
typedef struct copy_ops {
  plat_file *(*open_read)(const char *path, plat_err *e);                      /* a source file */
  plat_file *(*open_write)(plat_dirh *d, const char *name, int how, plat_err *e); /* a destination file */
  /* src's bytes from its position to its end into dst; *bytes their count,
     *hash their copy_hash */
  int (*copy_data)(plat_file *src, plat_file *dst, uint64_t *bytes, uint64_t *hash, plat_err *e);
  int (*meta_set)(plat_file *f, unsigned what, const plat_meta *m, plat_err *e);
  /* called after each journal record (verb and item); nonzero stops the run
     at once, without cleanup, as a crash would. Tests also play a hostile
     writer here. */
  int (*checkpoint)(const char *verb, const char *rel);
  /* files in use (platform.h): the OS code means another process holds
     the file; schedule / cancel a replacement at the next boot. POSIX has
     no such state: tests play it here. */
  int (*in_use)(int code);
  int (*replace_at_boot)(const char *from, const char *to, plat_err *e);
  int (*cancel_at_boot)(const char *from, const char *to, int *found, plat_err *e);
  int (*query_at_boot)(const char *from, const char *to, int *found, plat_err *e);
  /* a service a run stopped, started again by its rollback (platform.h) */
  int (*service_start)(const char *name, unsigned max_ms, plat_err *e);
  /* the first change an overwrite makes (to size 0): fails for a file
     another process has mapped (ERROR_USER_MAPPED_FILE) */
  int (*truncate)(plat_file *f, uint64_t size, plat_err *e);
} copy_ops;
/* How long a rollback waits for a service to start. */
#define COPY_SERVICE_WAIT_MS 60000u
extern copy_ops copy_os;
/* The default copy_os.copy_data: read, hash, write. */
int copy_stream(plat_file *src, plat_file *dst, uint64_t *bytes, uint64_t *hash, plat_err *e);

#endif
