/* volume.c: the volume (mount point) holding a path on POSIX. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "platform/platform.h"

/* Walk up from the real path while the parent is on the same device. */
int plat_volume_of(const char *path, char *buf, size_t len, int *readonly, plat_err *e) {
  struct statvfs sv;
  if (statvfs(path, &sv) != 0) return plat_fail(e, path, errno);
  *readonly = (sv.f_flag & ST_RDONLY) != 0;
  char *p = realpath(path, NULL);
  if (!p) return plat_fail(e, path, errno);
  struct stat st;
  if (stat(p, &st) != 0) { int c = errno; free(p); return plat_fail(e, path, c); }
  dev_t dev = st.st_dev;
  for (;;) {
    char *slash = strrchr(p, '/');
    if (!slash || slash == p) {   /* the parent is "/" */
      if (stat("/", &st) == 0 && st.st_dev == dev) strcpy(p, "/");
      break;
    }
    *slash = '\0';
    if (stat(p, &st) != 0 || st.st_dev != dev) { *slash = '/'; break; }
  }
  size_t n = strlen(p);
  if (n >= len) { free(p); return plat_fail(e, path, ENAMETOOLONG); }
  memcpy(buf, p, n + 1);
  free(p);
  return 0;
}
