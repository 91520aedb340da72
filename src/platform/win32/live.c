/* live.c: files in use on a live Windows: replacement at the next boot
   through the Session Manager's PendingFileRenameOperations. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

#define SESSION_MANAGER L"SYSTEM\\CurrentControlSet\\Control\\Session Manager"
#define PENDING L"PendingFileRenameOperations"

int plat_is_in_use(int code) {
  return code == ERROR_SHARING_VIOLATION || code == ERROR_LOCK_VIOLATION ||
         code == ERROR_USER_MAPPED_FILE;
}

int plat_replace_at_boot(const char *from, const char *to, plat_err *e) {
  wchar_t *wf = w_path(from), *wt = w_path(to);
  int rc = 0;
  if (!wf || !wt) rc = plat_fail(e, to, (int)w_path_err);
  else if (!MoveFileExW(wf, wt, MOVEFILE_DELAY_UNTIL_REBOOT | MOVEFILE_REPLACE_EXISTING))
    rc = w_fail(e, to);
  free(wf);
  free(wt);
  return rc;
}

/* The name as the Session Manager stores it: \??\ + the full path
   (a \\?\ prefix becomes \??\). malloc'd. */
static wchar_t *nt_name(const char *path) {
  wchar_t *w = w_path(path);
  if (!w) return NULL;
  if (wcsncmp(w, L"\\\\?\\", 4) == 0) w[1] = L'?';
  return w;
}

/* PendingFileRenameOperations is a REG_MULTI_SZ of pairs: source, then
   target ("!" first when it replaces, "" to delete the source). With
   cancel, the pair from -> to is removed. */
static int scan(const char *from, const char *to, int cancel, int *found, plat_err *e) {
  *found = 0;
  wchar_t *wf = nt_name(from), *wt = nt_name(to), *buf = NULL;
  HKEY k = NULL;
  DWORD type, len = 0;
  LONG rc = !wf || !wt ? ERROR_NOT_ENOUGH_MEMORY
          : RegOpenKeyExW(HKEY_LOCAL_MACHINE, SESSION_MANAGER, 0,
                          KEY_QUERY_VALUE | (cancel ? KEY_SET_VALUE : 0) | KEY_WOW64_64KEY, &k);
  if (rc == ERROR_SUCCESS) rc = RegQueryValueExW(k, PENDING, NULL, &type, NULL, &len);
  if (rc == ERROR_FILE_NOT_FOUND) rc = ERROR_SUCCESS, len = 0;   /* nothing pending */
  else if (rc == ERROR_SUCCESS && type != REG_MULTI_SZ) rc = ERROR_INVALID_DATA;
  if (rc == ERROR_SUCCESS && len > 0) {
    size_t n = len / sizeof(wchar_t);
    if (!(buf = calloc(n + 2, sizeof *buf))) rc = ERROR_NOT_ENOUGH_MEMORY;
    else rc = RegQueryValueExW(k, PENDING, NULL, &type, (BYTE *)buf, &len);
    if (rc == ERROR_SUCCESS) {
      n = len / sizeof(wchar_t);
      wchar_t *out = buf, *p = buf, *end = buf + n;   /* compact in place */
      while (p < end && *p) {
        wchar_t *src = p, *dst = p + wcslen(p) + 1;
        if (dst >= end) break;                          /* a source without a target */
        p = dst + wcslen(dst) + 1;
        const wchar_t *t = dst[0] == L'!' ? dst + 1 : dst;
        if (_wcsicmp(src, wf) == 0 && _wcsicmp(t, wt) == 0) { *found = 1; continue; }
        size_t m = (size_t)(p - src);
        memmove(out, src, m * sizeof *out);
        out += m;
      }
      *out++ = L'\0';
      if (*found && cancel)
        rc = out - buf <= 1 ? RegDeleteValueW(k, PENDING)
                            : RegSetValueExW(k, PENDING, 0, REG_MULTI_SZ, (const BYTE *)buf,
                                             (DWORD)((out - buf) * sizeof *buf));
    }
  }
  if (k) RegCloseKey(k);
  free(buf);
  free(wf);
  free(wt);
  return rc == ERROR_SUCCESS ? 0 : plat_fail(e, to, (int)rc);
}

int plat_cancel_at_boot(const char *from, const char *to, int *found, plat_err *e) {
  return scan(from, to, 1, found, e);
}

int plat_query_at_boot(const char *from, const char *to, int *found, plat_err *e) {
  return scan(from, to, 0, found, e);
}
