/* posix.h: helpers shared by the POSIX platform files (not part of platform.h). */
#ifndef SXSFIX_POSIX_H
#define SXSFIX_POSIX_H

#include <sys/stat.h>

#include "platform/platform.h"

struct plat_file {
  int fd;
  char *path;  /* for error messages */
};

/* A plat_file for fd (closed on failure); path is copied. */
plat_file *px_wrap(int fd, const char *path, plat_err *e);

/* plat_meta_get/set on path; follow = 1 for /proc/self/fd/N names. */
int px_meta_get(const char *path, int follow, unsigned what, plat_meta *m, plat_err *e);
int px_meta_set(const char *path, int follow, unsigned what, const plat_meta *m, plat_err *e);
/* The same on an open (not O_PATH) descriptor, by f* calls; name for messages. */
int px_fdmeta_get(int fd, const char *name, unsigned what, plat_meta *m, plat_err *e);
int px_fdmeta_set(int fd, const char *name, unsigned what, const plat_meta *m, plat_err *e);
/* Open path for reading without blocking (a FIFO would wait for a writer
   for ever), check on the handle that it is a regular file, then clear
   O_NONBLOCK. Returns the descriptor (st filled), or -1 with e. */
int px_open_regular(const char *path, struct stat *st, plat_err *e);
/* Tests: SXSFIX_FAULT_KILL_AT=N kills the process (SIGKILL, as kill -9)
   just before the Nth change made through the copy engine's calls: a
   create, write, truncation, rename, removal, folder, or metadata set. */
void px_fault_point(void);
/* plat_info from a struct stat. */
void px_info(const struct stat *st, plat_info *out);

#endif
