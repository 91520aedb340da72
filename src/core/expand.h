/* expand.h: listing and expanding .cab and .msu files (CAB- or WIM-based),
   through nested cabinets, into a destination folder that nothing written
   escapes. Pure C over libarchive (CAB) and wimlib (WIM). */
#ifndef SXSFIX_EXPAND_H
#define SXSFIX_EXPAND_H

#include <stdint.h>

#include "platform/platform.h"

/* plat_err.code for problems with the archive itself (never an OS code,
   which is never negative). */
enum {
  SX_EXP_FORMAT = -1,        /* not a cabinet or WIM (wrong signature) */
  SX_EXP_CORRUPT = -2,       /* truncated or damaged archive */
  SX_EXP_UNSAFE = -3,        /* an entry name or type that would escape the destination */
  SX_EXP_MULTIVOLUME = -4,   /* part of a multi-volume cabinet set */
  SX_EXP_NOSPACE = -5,       /* not enough free space for the entries */
  SX_EXP_UNSUPPORTED = -6,   /* built without the library this archive needs */
  SX_EXP_EXISTS = -7,        /* a file already exists and overwrite is off */
  SX_EXP_RATIO = -8          /* declares far more data than its size can hold (a bomb) */
};

/* Compression-bomb limits, for one whole expansion (every nesting level
   together): the entries it writes may add up to SX_EXP_RATIO_FLOOR bytes,
   or max_ratio times the outer file's size when that is more, and never more
   than max_bytes. Update packages compress well under 20:1. */
#define SX_EXP_MAX_RATIO 100
#define SX_EXP_RATIO_FLOOR (64ull << 20)
#define SX_EXP_MAX_BYTES (16ull << 30)

typedef struct sx_expand_opts {
  const char *filter;   /* wildcard on each file's base name, as expand -F: ("*" when NULL) */
  const char *inner;    /* which inner archives to expand in turn ("*.cab" when NULL) */
  int nested;           /* expand inner archives (1) or leave them as files (0) */
  int overwrite;        /* replace existing files (1) or fail (0) */
  uint64_t max_ratio;   /* budget: times the outer file's size (0: SX_EXP_MAX_RATIO) */
  uint64_t max_bytes;   /* budget: bytes in all (0: SX_EXP_MAX_BYTES) */
  int zip;              /* accept a .zip as the outer archive (1: a collection of logs); an
                           update is never a zip, so by default one fails as an unknown format */
} sx_expand_opts;

typedef struct sx_entry {
  const char *name;     /* relative name, '/'-separated, already checked safe */
  const char *origin;   /* archive it comes from: "x.msu" or "x.msu>inner.cab" */
  uint64_t size;
  int64_t mtime_ns;     /* PLAT_NO_TIME when the archive has none */
  int is_dir;
} sx_entry;

typedef struct sx_expand_stats {
  uint64_t files, dirs, bytes, archives;
} sx_expand_stats;

/* Expand src into the folder dst (created when missing). An inner archive
   NAME.cab is written as a file and, when nested, expanded in turn into the
   folder NAME beside it (up to 4 levels deep; a link under that name is
   refused). Every level draws on one budget (see above): the inner
   archives of a level are checked against it before any is expanded. */
int sx_expand(const char *src, const char *dst, const sx_expand_opts *o,
              sx_expand_stats *st, plat_err *e);

/* Call fn for each entry of src (and, when nested, of its inner archives);
   fn returns 0 to go on. Inner archives are taken out to a temporary folder
   to be read, then removed. */
typedef int (*sx_list_fn)(void *ud, const sx_entry *ent);
int sx_list(const char *src, const sx_expand_opts *o, sx_list_fn fn, void *ud, plat_err *e);

/* Copy the file src to the new file dst in 64 KiB blocks (memory does not
   grow with the file): through a temporary name beside dst, created
   exclusively and never through a link, that becomes dst only when all of
   src is written; a failure leaves nothing under dst. *bytes: the size. */
int sx_copy_file(const char *src, const char *dst, uint64_t *bytes, plat_err *e);

#endif
