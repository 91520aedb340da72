/* walk.h: the folder walker behind fs.dir, fs.walk, fs.list and fs.count:
   a stack of open folders, pre-order, each folder's entries in the order
   the file system gives them. Links are reported, never followed. */
#ifndef SXSFIX_WALK_H
#define SXSFIX_WALK_H

#include "platform/platform.h"

typedef struct sx_walk_opts {
  int maxdepth;        /* 1 = the folder's own entries; 0 = no limit */
  int want;            /* PLAT_FILE or PLAT_DIR to report only those; -1 any */
  const char *match;   /* wildcard on the entry's name (core/glob.h), or NULL */
} sx_walk_opts;

typedef struct sx_walk_ent {
  const char *name;    /* the entry's name */
  const char *rel;     /* its path from the walk's start (platform separator) */
  plat_type type;      /* from the folder entry, without a stat */
} sx_walk_ent;         /* valid until the next sx_walk_next or sx_walk_close */

typedef struct sx_walk sx_walk;

/* Open path for a walk; NULL with e filled when it cannot be opened. */
sx_walk *sx_walk_open(const char *path, const sx_walk_opts *o, plat_err *e);
/* The next entry that passes the filters: 1 with *ent, 0 at the end, -1
   on error (the walk stays where it was; close it). */
int sx_walk_next(sx_walk *w, sx_walk_ent *ent, plat_err *e);
/* The path the walk started at. */
const char *sx_walk_root(const sx_walk *w);
/* Close every folder still open and free w; NULL is fine. */
void sx_walk_close(sx_walk *w);

#endif
