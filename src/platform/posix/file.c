/* file.c: whole-file read, atomic write and mkdir -p on POSIX. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/platform.h"
#include "posix.h"

int plat_read_file(const char *path, char **data, size_t *len, plat_err *e) {
  struct stat st;
  int fd = px_open_regular(path, &st, e);
  if (fd < 0) return -1;
  size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
  char *buf = malloc(cap);
  if (!buf) { close(fd); return plat_fail(e, path, ENOMEM); }
  for (;;) {  /* read to EOF: the size may change, or be 0 for /proc files */
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) { free(buf); close(fd); return plat_fail(e, path, ENOMEM); }
      buf = nb; cap *= 2;
    }
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      int c = errno; free(buf); close(fd); return plat_fail(e, path, c);
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

int plat_write_file(const char *path, const void *data, size_t len, plat_err *e) {
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 32);
  if (!tmp) return plat_fail(e, path, ENOMEM);
  snprintf(tmp, plen + 32, "%s.sxsfix-tmp.%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) { int c = errno; plat_fail(e, path, c); free(tmp); return -1; }
  const char *p = data;
  size_t left = len;
  int c = 0;
  while (left > 0 && !c) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno != EINTR) c = errno;
    else if (w > 0) { p += w; left -= (size_t)w; }
  }
  if (!c && fsync(fd) != 0) c = errno;
  if (close(fd) != 0 && !c) c = errno;
  if (!c && rename(tmp, path) != 0) c = errno;
  if (c) unlink(tmp);
  free(tmp);
  return c ? plat_fail(e, path, c) : 0;
}

int plat_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int plat_mkdirs(const char *path, plat_err *e) {
  if (!*path) return plat_fail(e, "(empty path)", ENOENT);
  char *p = strdup(path);
  if (!p) return plat_fail(e, path, ENOMEM);
  for (char *s = p + 1; ; s++) {  /* create each prefix ending at a '/' */
    int end = (*s == '\0');
    if (*s == '/' || end) {
      *s = '\0';
      if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        int c = errno; plat_fail(e, p, c); free(p); return -1;
      }
      if (!plat_is_dir(p)) { plat_fail(e, p, ENOTDIR); free(p); return -1; }
      if (end) break;
      *s = '/';
    }
  }
  free(p);
  return 0;
}
