/* archive.h: the archive module: what the format readers (cab.c, wim.c, zip.c)
   share (archive.c) and give expand.c and grep's .cab search. */
#ifndef SXSFIX_ARCHIVE_H
#define SXSFIX_ARCHIVE_H

#include "core/expand.h"

typedef enum sx_format { SX_FMT_UNKNOWN, SX_FMT_CAB, SX_FMT_WIM, SX_FMT_ZIP } sx_format;

/* The data of the current entry: either streamed through next (a block of
   the reader's own memory: its length, 0 at the end, -1 with e filled on
   damaged data), or already extracted whole to the file staged. */
typedef struct sx_reader {
  int64_t (*next)(struct sx_reader *r, const void **block, plat_err *e);
  const char *staged;
  void *ud;
} sx_reader;

typedef struct sx_visit {
  /* 1 when the entry's data will be needed (WIM stages only those). */
  int (*wants)(struct sx_visit *v, const sx_entry *ent);
  /* Called for every entry in order; r is NULL when no data is needed. */
  int (*entry)(struct sx_visit *v, const sx_entry *ent, sx_reader *r, plat_err *e);
  const char *stage;    /* a new folder the WIM reader may extract into */
  void *ud;
} sx_visit;

/* Archive problems: fill e with code (SX_EXP_*, class PLAT_EC_INPUT; for
   SX_EXP_NOSPACE PLAT_EC_RESOURCE; an OS code keeps its class) and
   "label: text". Return -1. */
int sx_exp_fail(plat_err *e, int code, const char *label, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 4, 5)))
#endif
  ;

/* Out of memory while reading label: class PLAT_EC_RESOURCE. Returns -1. */
int sx_exp_nomem(plat_err *e, const char *label);

/* The format of path from its first bytes; an unknown one fails with a
   message saying what was expected. */
int sx_detect(const char *path, const char *label, sx_format *fmt, plat_err *e);

/* Header scan of a cabinet: fn(ud, name, size) for each file, without
   decompressing. Multi-volume sets and truncated headers fail here. */
int sx_cab_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e);
int sx_cab_walk(const char *path, const char *label, sx_visit *v, plat_err *e);

/* The same for a .zip of logs (zip.c): names and declared sizes from the
   entry headers (an entry that does not declare its size is refused),
   then the walk. sx_la_walk is cab.c's libarchive walk, for either format
   (zip = 1: a zip); it refuses an entry that is neither a plain file nor a
   folder, and a zip's file that does not declare its size. */
int sx_zip_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e);
int sx_zip_walk(const char *path, const char *label, sx_visit *v, plat_err *e);
int sx_la_walk(const char *path, const char *label, sx_visit *v, int zip, plat_err *e);

/* The same for WIM (image 1): names and sizes, then the walk. */
int sx_wim_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e);
int sx_wim_walk(const char *path, const char *label, sx_visit *v, plat_err *e);

#endif
