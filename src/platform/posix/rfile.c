/* rfile.c: sequential reading of a file in large blocks (POSIX). */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/platform.h"
#include "posix.h"

struct plat_rfile {
  int fd;
  char *path;   /* for error messages */
};

/* px_open_regular: see posix.h. */
int px_open_regular(const char *path, struct stat *st, plat_err *e) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) { plat_fail(e, path, errno); return -1; }
  if (fstat(fd, st) != 0) { int c = errno; close(fd); plat_fail(e, path, c); return -1; }
  if (S_ISDIR(st->st_mode)) { close(fd); plat_fail(e, path, EISDIR); return -1; }
  if (!S_ISREG(st->st_mode)) {
    close(fd);
    plat_failf(e, EINVAL, "%s: not a regular file (a FIFO, device or socket is not read)", path);
    return -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    int c = errno; close(fd); plat_fail(e, path, c); return -1;
  }
  return fd;
}

plat_rfile *plat_rfile_open(const char *path, plat_err *e) {
  struct stat st;
  int fd = px_open_regular(path, &st, e);
  if (fd < 0) return NULL;
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);  /* a hint: larger read-ahead */
#endif
  plat_rfile *f = malloc(sizeof *f);
  char *p = strdup(path);
  if (!f || !p) { free(f); free(p); close(fd); plat_fail(e, path, ENOMEM); return NULL; }
  f->fd = fd;
  f->path = p;
  return f;
}

int plat_rfile_read(plat_rfile *f, void *buf, size_t len, size_t *got, plat_err *e) {
  for (;;) {
    ssize_t r = read(f->fd, buf, len);
    if (r >= 0) { *got = (size_t)r; return 0; }
    if (errno != EINTR) return plat_fail(e, f->path, errno);
  }
}

int64_t plat_rfile_size(plat_rfile *f, plat_err *e) {
  struct stat st;
  if (fstat(f->fd, &st) != 0) { plat_fail(e, f->path, errno); return -1; }
  return (int64_t)st.st_size;
}

int plat_rfile_seek(plat_rfile *f, uint64_t off, plat_err *e) {
  if (off > INT64_MAX) return plat_fail(e, f->path, EINVAL);
  if (lseek(f->fd, (off_t)off, SEEK_SET) < 0) return plat_fail(e, f->path, errno);
  return 0;
}

void plat_rfile_close(plat_rfile *f) {
  if (!f) return;
  close(f->fd);
  free(f->path);
  free(f);
}
