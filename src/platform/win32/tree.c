/* tree.c: temporary folders and recursive removal on Windows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

int plat_mkdtemp(const char *prefix, char *buf, size_t len, plat_err *e) {
  wchar_t base[MAX_PATH + 1];
  DWORD n = GetTempPathW(MAX_PATH + 1, base);
  if (n == 0 || n > MAX_PATH) return w_fail(e, "GetTempPathW");
  wchar_t *wp = w_from_utf8(prefix);
  if (!wp) return w_fail(e, prefix);
  static unsigned counter;
  for (int tries = 0; tries < 100; tries++) {
    wchar_t cand[MAX_PATH + 64];
    swprintf(cand, MAX_PATH + 64, L"%ls%ls-%lu-%lu-%u", base, wp,
             (unsigned long)GetCurrentProcessId(), (unsigned long)GetTickCount(), counter++);
    if (CreateDirectoryW(cand, NULL)) {
      free(wp);
      char *u = utf8_from_w(cand);
      if (!u || strlen(u) + 1 > len) { free(u); return plat_fail(e, prefix, ERROR_BUFFER_OVERFLOW); }
      memcpy(buf, u, strlen(u) + 1);
      free(u);
      return 0;
    }
    if (GetLastError() != ERROR_ALREADY_EXISTS) break;
  }
  free(wp);
  return w_fail(e, prefix);
}

/* Remove the wide path w (already \\?\-prefixed); for error text, path. */
static int remove_w(wchar_t *w, const char *path, plat_err *e) {
  DWORD a = GetFileAttributesW(w);
  if (a == INVALID_FILE_ATTRIBUTES) {
    DWORD c = GetLastError();
    return (c == ERROR_FILE_NOT_FOUND || c == ERROR_PATH_NOT_FOUND) ? 0 : plat_fail(e, path, (int)c);
  }
  if (a & FILE_ATTRIBUTE_READONLY) SetFileAttributesW(w, a & ~FILE_ATTRIBUTE_READONLY);
  if (!(a & FILE_ATTRIBUTE_DIRECTORY))
    return DeleteFileW(w) ? 0 : w_fail(e, path);
  if (a & FILE_ATTRIBUTE_REPARSE_POINT)  /* a junction or folder link: remove the link only */
    return RemoveDirectoryW(w) ? 0 : w_fail(e, path);
  size_t wl = wcslen(w);
  wchar_t *pat = malloc((wl + 3) * sizeof *pat);
  if (!pat) return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY);
  swprintf(pat, wl + 3, L"%ls\\*", w);
  WIN32_FIND_DATAW fd;
  HANDLE h = FindFirstFileExW(pat, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
  free(pat);
  int rc = 0;
  if (h != INVALID_HANDLE_VALUE) {
    do {
      if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0) continue;
      size_t cl = wl + wcslen(fd.cFileName) + 2;
      wchar_t *child = malloc(cl * sizeof *child);
      if (!child) { rc = plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY); break; }
      swprintf(child, cl, L"%ls\\%ls", w, fd.cFileName);
      char *u = utf8_from_w(child + 4);
      rc = remove_w(child, u ? u : path, e);
      free(u);
      free(child);
    } while (rc == 0 && FindNextFileW(h, &fd));
    FindClose(h);
  }
  if (rc == 0 && !RemoveDirectoryW(w)) rc = w_fail(e, path);
  return rc;
}

int plat_remove(const char *path, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  DWORD a = GetFileAttributesW(w);
  BOOL ok = (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY))
              ? RemoveDirectoryW(w) : DeleteFileW(w);
  int rc = ok ? 0 : w_fail(e, path);
  free(w);
  return rc;
}

int plat_remove_tree(const char *path, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  int rc = remove_w(w, path, e);
  free(w);
  return rc;
}
