/* tree.c: temporary folders and recursive removal on POSIX. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/platform.h"

int plat_mkdtemp(const char *prefix, char *buf, size_t len, plat_err *e) {
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  if ((size_t)snprintf(buf, len, "%s/%s-XXXXXX", tmp, prefix) >= len)
    return plat_fail(e, prefix, ENAMETOOLONG);
  if (!mkdtemp(buf)) return plat_fail(e, buf, errno);
  return 0;
}

/* Remove the entries of the open folder dfd (closed here), then nothing else. */
static int remove_children(int dfd, const char *path, plat_err *e) {
  DIR *d = fdopendir(dfd);
  if (!d) { int c = errno; close(dfd); return plat_fail(e, path, c); }
  int rc = 0;
  struct dirent *de;
  while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
    const char *n = de->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) continue;
    if (unlinkat(dfd, n, 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM) { rc = plat_fail(e, n, errno); break; }
    int sub = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) { rc = plat_fail(e, n, errno); break; }
    char *child = malloc(strlen(path) + strlen(n) + 2);
    if (!child) { close(sub); rc = plat_fail(e, n, ENOMEM); break; }
    sprintf(child, "%s/%s", path, n);
    rc = remove_children(sub, child, e);
    if (rc == 0 && unlinkat(dfd, n, AT_REMOVEDIR) != 0) rc = plat_fail(e, child, errno);
    free(child);
  }
  if (rc == 0 && de == NULL && errno != 0) rc = plat_fail(e, path, errno);
  closedir(d);
  return rc;
}

int plat_remove(const char *path, plat_err *e) {
  if (unlink(path) == 0) return 0;
  if (errno != EISDIR && errno != EPERM) return plat_fail(e, path, errno);
  return rmdir(path) == 0 ? 0 : plat_fail(e, path, errno);
}

int plat_remove_tree(const char *path, plat_err *e) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : plat_fail(e, path, errno);
  if (!S_ISDIR(st.st_mode)) return unlink(path) == 0 ? 0 : plat_fail(e, path, errno);
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return plat_fail(e, path, errno);
  if (remove_children(fd, path, e) != 0) return -1;
  return rmdir(path) == 0 ? 0 : plat_fail(e, path, errno);
}
