/* stream.c: streamed output through a temporary name,
   rename and free space on POSIX. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "platform/platform.h"

struct plat_out {
  int fd;
  char *path;   /* final name */
  char *tmp;    /* temporary name beside it */
};

plat_out *plat_out_create(const char *path, const char *tmpdir, plat_err *e) {
  (void)tmpdir;  /* a name is found in constant time here */
  static unsigned counter;
  plat_out *o = calloc(1, sizeof *o);
  size_t n = strlen(path) + 48;
  if (o) { o->path = strdup(path); o->tmp = malloc(n); }
  if (!o || !o->path || !o->tmp) {
    if (o) { free(o->path); free(o->tmp); free(o); }
    plat_fail(e, path, ENOMEM);
    return NULL;
  }
  /* a short name in the same folder, so that a 255-byte name still fits */
  const char *slash = strrchr(path, '/');
  int dirlen = slash ? (int)(slash - path + 1) : 0;
  snprintf(o->tmp, n, "%.*s.sxsfix-tmp-%ld-%u", dirlen, path, (long)getpid(), counter++);
  /* O_EXCL|O_NOFOLLOW: never write through a link planted under this name */
  o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (o->fd < 0) {
    plat_fail(e, path, errno);
    free(o->path); free(o->tmp); free(o);
    return NULL;
  }
  return o;
}

int plat_out_write(plat_out *o, const void *data, size_t len, plat_err *e) {
  const char *p = data;
  while (len > 0) {
    ssize_t w = write(o->fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return plat_fail(e, o->path, errno);
    }
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

static void out_free(plat_out *o) {
  free(o->path);
  free(o->tmp);
  free(o);
}

void plat_out_abort(plat_out *o) {
  if (!o) return;
  close(o->fd);
  unlink(o->tmp);
  out_free(o);
}

int plat_out_commit(plat_out *o, int64_t mtime_ns, int replace, plat_err *e) {
  int c = 0;
  if (mtime_ns != PLAT_NO_TIME) {
    int64_t s = mtime_ns / 1000000000, ns = mtime_ns % 1000000000;
    if (ns < 0) { ns += 1000000000; s--; }
    struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = s, .tv_nsec = ns } };
    if (futimens(o->fd, ts) != 0) c = errno;
  }
  if (close(o->fd) != 0 && !c) c = errno;
  if (c) {
    unlink(o->tmp);
    plat_fail(e, o->path, c);
  } else if (replace ? rename(o->tmp, o->path) != 0 : plat_rename_new(o->tmp, o->path, e) != 0) {
    if (replace) plat_fail(e, o->path, errno);
    unlink(o->tmp);
    c = e->code;
  }
  out_free(o);
  return c ? -1 : 0;
}

int plat_rename(const char *from, const char *to, plat_err *e) {
  return rename(from, to) == 0 ? 0 : plat_fail(e, to, errno);
}

static int64_t fault_free = -1;

void plat_fault_free_space(int64_t bytes) { fault_free = bytes; }

int plat_free_space(const char *path, uint64_t *bytes, plat_err *e) {
  struct statvfs sv;
  if (statvfs(path, &sv) != 0) return plat_fail(e, path, errno);
  *bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
  if (fault_free >= 0) *bytes = (uint64_t)fault_free;
  return 0;
}
