/* file.c: whole-file read, atomic write and mkdir -p on Windows (wide APIs only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

int plat_read_file(const char *path, char **data, size_t *len, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  free(w);
  if (h == INVALID_HANDLE_VALUE) return w_fail(e, path);
  if (GetFileType(h) != FILE_TYPE_DISK) {  /* a pipe, console or device: not read */
    CloseHandle(h);
    plat_failf(e, ERROR_BAD_FILE_TYPE, "%s: not a regular file (a pipe or device is not read)", path);
    return -1;
  }
  LARGE_INTEGER size;
  if (!GetFileSizeEx(h, &size)) { w_fail(e, path); CloseHandle(h); return -1; }
  if (size.QuadPart > 0x7fffffffLL) { CloseHandle(h); return plat_fail(e, path, ERROR_FILE_TOO_LARGE); }
  size_t cap = (size_t)size.QuadPart + 1, n = 0;
  char *buf = malloc(cap);
  if (!buf) { CloseHandle(h); return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY); }
  for (;;) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) { free(buf); CloseHandle(h); return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY); }
      buf = nb; cap *= 2;
    }
    DWORD got = 0;
    DWORD want = (DWORD)((cap - n - 1) > 0x40000000 ? 0x40000000 : cap - n - 1);
    if (!ReadFile(h, buf + n, want, &got, NULL)) {
      w_fail(e, path); free(buf); CloseHandle(h); return -1;
    }
    if (got == 0) break;
    n += got;
  }
  CloseHandle(h);
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

int plat_write_file(const char *path, const void *data, size_t len, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  size_t wl = wcslen(w);
  wchar_t *tmp = malloc((wl + 40) * sizeof *tmp);
  if (!tmp) { free(w); return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY); }
  swprintf(tmp, wl + 40, L"%ls.sxsfix-tmp.%lu", w, (unsigned long)GetCurrentProcessId());
  HANDLE h = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
  DWORD code = 0;
  if (h == INVALID_HANDLE_VALUE) {
    code = GetLastError();
  } else {
    const char *p = data;
    size_t left = len;
    while (left > 0 && !code) {
      DWORD put = 0, chunk = (DWORD)(left > 0x40000000 ? 0x40000000 : left);
      if (!WriteFile(h, p, chunk, &put, NULL)) code = GetLastError();
      p += put;
      left -= put;
    }
    if (!code && !FlushFileBuffers(h)) code = GetLastError();
    CloseHandle(h);
    if (!code && !MoveFileExW(tmp, w, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
      code = GetLastError();
    if (code) DeleteFileW(tmp);
  }
  free(tmp);
  free(w);
  return code ? plat_fail(e, path, (int)code) : 0;
}

int plat_is_dir(const char *path) {
  wchar_t *w = w_path(path);
  if (!w) return 0;
  DWORD a = GetFileAttributesW(w);
  free(w);
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

int plat_mkdirs(const char *path, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  /* Skip the \\?\X:\ or \\?\UNC\server\share\ root, then create each prefix. */
  wchar_t *s = w + 4;
  if (wcsncmp(s, L"UNC\\", 4) == 0) {
    s += 4;
    for (int seps = 0; *s && seps < 2; s++) if (*s == L'\\') seps++;
  } else {
    s = wcschr(s, L'\\');
    s = s ? s + 1 : w + wcslen(w);
  }
  int rc = 0;
  for (;; s++) {
    int end = (*s == L'\0');
    if (*s == L'\\' || end) {
      wchar_t keep = *s;
      *s = L'\0';
      if (!CreateDirectoryW(w, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) {
        DWORD code = GetLastError();
        char *u = utf8_from_w(w + 4);
        rc = plat_fail(e, u ? u : path, (int)code);
        free(u);
        break;
      }
      DWORD a = GetFileAttributesW(w);
      if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY)) {
        rc = plat_fail(e, path, ERROR_DIRECTORY);
        break;
      }
      *s = keep;
      if (end) break;
    }
  }
  free(w);
  return rc;
}
