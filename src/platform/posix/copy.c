/* copy.c: file handles for the copy engine on POSIX (in-place writes,
   copy_file_range with a read/write fallback, rename without replace). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "platform/posix/posix.h"

void px_fault_point(void) {
  static long at = -1, n;
  if (at < 0) { const char *v = getenv("SXSFIX_FAULT_KILL_AT"); at = v ? atol(v) : 0; }
  if (at > 0 && __atomic_add_fetch(&n, 1, __ATOMIC_RELAXED) == at) raise(SIGKILL);
}

plat_file *px_wrap(int fd, const char *path, plat_err *e) {
  plat_file *f = malloc(sizeof *f);
  if (f) f->path = strdup(path);
  if (!f || !f->path) {
    free(f);
    close(fd);
    plat_fail(e, path, ENOMEM);
    return NULL;
  }
  f->fd = fd;
  return f;
}

plat_file *plat_open_read(const char *path, plat_err *e) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) { plat_fail(e, path, errno); return NULL; }
  return px_wrap(fd, path, e);
}

/* O_NONBLOCK: a FIFO under the name must not hang the open (without a
   reader it fails, ENXIO); anything but a regular file is refused on the
   handle, and a regular file's writes block again as usual. */
plat_file *plat_open_write(const char *path, int how, plat_err *e) {
  int flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  if (how == PLAT_CREATE_NEW) flags |= O_CREAT | O_EXCL;
  if (how == PLAT_OPEN_APPEND) flags |= O_CREAT | O_APPEND;
  px_fault_point();
  int fd = open(path, flags, 0600);  /* the mode is set from the source afterwards */
  if (fd < 0 && errno == ENXIO) {
    plat_failf(e, EINVAL, "%s: not a regular file (a FIFO, device or socket is not written)", path);
    return NULL;
  }
  if (fd < 0) { plat_fail(e, path, errno); return NULL; }
  struct stat st;
  int fl = fcntl(fd, F_GETFL), c = 0;
  if (fstat(fd, &st) != 0 || fl < 0) c = errno;
  else if (!S_ISREG(st.st_mode)) {
    close(fd);
    plat_failf(e, EINVAL, "%s: not a regular file (a FIFO, device or socket is not written)", path);
    return NULL;
  } else if (fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) c = errno;
  if (c) { close(fd); plat_fail(e, path, c); return NULL; }
  return px_wrap(fd, path, e);
}

int plat_read(plat_file *f, void *buf, size_t len, size_t *got, plat_err *e) {
  for (;;) {
    ssize_t r = read(f->fd, buf, len);
    if (r >= 0) { *got = (size_t)r; return 0; }
    if (errno != EINTR) return plat_fail(e, f->path, errno);
  }
}

int plat_write(plat_file *f, const void *buf, size_t len, plat_err *e) {
  const char *p = buf;
  px_fault_point();
  while (len > 0) {
    ssize_t w = write(f->fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return plat_fail(e, f->path, errno);
    }
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

int plat_truncate(plat_file *f, uint64_t size, plat_err *e) {
  px_fault_point();
  return ftruncate(f->fd, (off_t)size) == 0 ? 0 : plat_fail(e, f->path, errno);
}

int plat_sync(plat_file *f, plat_err *e) {
  return fsync(f->fd) == 0 ? 0 : plat_fail(e, f->path, errno);
}

/* One syncfs writes every dirty page, inode and folder entry of the file
   system (the renames too) and waits: one flush of the device instead of
   one a file. FUSE's syncfs does not reach the daemon (ntfs-3g): there
   each file is fsync'd. */
int plat_sync_paths(const char *const *paths, size_t n, plat_err *e) {
  if (!n) return 0;
  int fd = open(paths[0], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sf;
  if (fd < 0 || fstatfs(fd, &sf) != 0) { int c = errno; if (fd >= 0) close(fd); return plat_fail(e, paths[0], c); }
  if ((unsigned long)sf.f_type != 0x65735546) {  /* not FUSE */
    int rc = syncfs(fd) == 0 ? 0 : plat_fail(e, paths[0], errno);
    close(fd);
    return rc;
  }
  for (size_t i = 0; i < n; i++) {
    if (i && (fd = open(paths[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) return plat_fail(e, paths[i], errno);
    int c = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    if (c) return plat_fail(e, paths[i], c);
  }
  return 0;
}

int plat_close(plat_file *f, plat_err *e) {
  if (!f) return 0;
  plat_err ignore;
  int rc = close(f->fd) == 0 ? 0 : plat_fail(e ? e : &ignore, f->path, errno);
  free(f->path);
  free(f);
  return rc;
}

int plat_copy_data(plat_file *src, plat_file *dst, uint64_t *bytes, plat_err *e) {
  *bytes = 0;
  for (;;) {  /* in the kernel while it agrees (same file system, supported) */
    ssize_t n = copy_file_range(src->fd, NULL, dst->fd, NULL, 1 << 30, 0);
    if (n == 0) return 0;
    if (n > 0) { *bytes += (uint64_t)n; continue; }
    if (errno == EINTR) continue;
    if (errno == ENOSPC || errno == EIO || errno == EDQUOT || errno == EFBIG || errno == EBADF)
      return plat_fail(e, errno == EBADF ? src->path : dst->path, errno);
    break;  /* EXDEV, ENOSYS, EINVAL, EOPNOTSUPP...: fall back to read/write */
  }
  char buf[1 << 16];
  for (;;) {
    size_t got = 0;
    if (plat_read(src, buf, sizeof buf, &got, e) != 0) return -1;
    if (got == 0) return 0;
    if (plat_write(dst, buf, got, e) != 0) return -1;
    *bytes += got;
  }
}

int plat_rename_new(const char *from, const char *to, plat_err *e) {
  px_fault_point();
  if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return plat_fail(e, to, errno);
  /* a file system without RENAME_NOREPLACE: link then unlink */
  if (link(from, to) != 0) return plat_fail(e, to, errno);
  return unlink(from) == 0 ? 0 : plat_fail(e, from, errno);
}

int plat_errcode(plat_errkind k) {
  static const int codes[] = { ENOMEM, ENOTDIR, ENOENT, EEXIST, ENOSPC, EACCES, EROFS, EINVAL,
                              ELOOP, ENOTEMPTY };
  return codes[k];
}

int plat_is_notfound(int code) { return code == ENOENT || code == ENOTDIR; }

int plat_is_denied(int code) { return code == EACCES || code == EPERM; }
