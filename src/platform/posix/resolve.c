/* resolve.c: where a path really leads, every link followed (POSIX). */
#include <errno.h>
#include <stdlib.h>

#include "platform/platform.h"

int plat_realpath(const char *path, char **out, plat_err *e) {
  *out = realpath(path, NULL);
  return *out ? 0 : plat_fail(e, path, errno);
}
