/* resolve.c: where a path really leads, every reparse point followed
   (Windows: the final path of a handle opened through them). */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

int plat_realpath(const char *path, char **out, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  HANDLE h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  free(w);
  if (h == INVALID_HANDLE_VALUE) return w_fail(e, path);
  DWORD n = GetFinalPathNameByHandleW(h, NULL, 0, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  wchar_t *buf = n ? malloc((n + 1) * sizeof *buf) : NULL;
  DWORD got = buf ? GetFinalPathNameByHandleW(h, buf, n + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS) : 0;
  DWORD code = GetLastError();
  CloseHandle(h);
  if (!got || got > n) {
    free(buf);
    return plat_fail(e, path, buf ? (int)code : ERROR_NOT_ENOUGH_MEMORY);
  }
  wchar_t *p = buf;
  if (wcsncmp(p, L"\\\\?\\UNC\\", 8) == 0) { p += 6; p[0] = L'\\'; }  /* \\server\share */
  else if (wcsncmp(p, L"\\\\?\\", 4) == 0) p += 4;
  *out = utf8_from_w(p);
  free(buf);
  return *out ? 0 : plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY);
}
