/* volume.c: the volume (its root path) holding a path on Windows. */
#include <stdlib.h>
#include <string.h>

#include "win32.h"

int plat_volume_of(const char *path, char *buf, size_t len, int *readonly, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  wchar_t root[MAX_PATH + 1];
  BOOL ok = GetVolumePathNameW(w, root, MAX_PATH + 1);
  free(w);
  if (!ok) return w_fail(e, path);
  DWORD flags = 0;
  *readonly = GetVolumeInformationW(root, NULL, 0, NULL, NULL, &flags, NULL, 0) &&
              (flags & FILE_READ_ONLY_VOLUME) != 0;
  char *u = utf8_from_w(root);
  if (!u) return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY);
  /* w_path's \\?\ prefix may come back on a drive's root: show C:\ */
  const char *s = strncmp(u, "\\\\?\\", 4) == 0 && u[4] && u[5] == ':' ? u + 4 : u;
  size_t n = strlen(s);
  if (n >= len) { free(u); return plat_fail(e, path, ERROR_BUFFER_OVERFLOW); }
  memcpy(buf, s, n + 1);
  free(u);
  return 0;
}
