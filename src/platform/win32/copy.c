/* copy.c: file handles for the copy engine on Windows: backup semantics,
   in-place writes, rename without replace (wide APIs, \\?\ paths). */
#include <stdlib.h>
#include <string.h>

#include "win32.h"


static plat_file *open_aux(const char *path, DWORD access, DWORD disp, plat_err *e) {
  plat_file *f = calloc(1, sizeof *f);
  wchar_t *w = w_path(path);
  if (!f || !w || !(f->path = strdup(path))) {
    plat_fail(e, path, w ? ERROR_NOT_ENOUGH_MEMORY : (int)w_path_err);
    free(w); if (f) free(f->path); free(f);
    return NULL;
  }
  if (disp == OPEN_EXISTING && (access & GENERIC_WRITE)) {  /* READONLY would refuse the write */
    DWORD a = GetFileAttributesW(w);
    if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_READONLY))
      SetFileAttributesW(w, a & ~FILE_ATTRIBUTE_READONLY);
  }
  f->h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, disp,
                     FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
  free(w);
  if (f->h == INVALID_HANDLE_VALUE) {
    w_fail(e, path);
    free(f->path); free(f);
    return NULL;
  }
  return f;
}

plat_file *plat_open_read(const char *path, plat_err *e) {
  return open_aux(path, GENERIC_READ, OPEN_EXISTING, e);
}

plat_file *plat_open_write(const char *path, int how, plat_err *e) {
  if (how == PLAT_OPEN_APPEND) {
    plat_file *f = open_aux(path, GENERIC_WRITE | GENERIC_READ, OPEN_ALWAYS, e);
    LARGE_INTEGER zero = {0};
    if (f && !SetFilePointerEx(f->h, zero, NULL, FILE_END)) {
      w_fail(e, path);
      plat_close(f, NULL);
      return NULL;
    }
    return f;
  }
  return open_aux(path, GENERIC_WRITE | GENERIC_READ,
                  how == PLAT_CREATE_NEW ? CREATE_NEW : OPEN_EXISTING, e);
}

int plat_read(plat_file *f, void *buf, size_t len, size_t *got, plat_err *e) {
  DWORD n = 0;
  if (!ReadFile(f->h, buf, (DWORD)(len > 0x40000000 ? 0x40000000 : len), &n, NULL))
    return w_fail(e, f->path);
  *got = n;
  return 0;
}

int plat_write(plat_file *f, const void *buf, size_t len, plat_err *e) {
  const char *p = buf;
  while (len > 0) {
    DWORD put = 0, chunk = (DWORD)(len > 0x40000000 ? 0x40000000 : len);
    if (!WriteFile(f->h, p, chunk, &put, NULL)) return w_fail(e, f->path);
    p += put;
    len -= put;
  }
  return 0;
}

int plat_truncate(plat_file *f, uint64_t size, plat_err *e) {
  LARGE_INTEGER cur, to;
  to.QuadPart = (LONGLONG)size;
  LARGE_INTEGER zero = {0};
  if (!SetFilePointerEx(f->h, zero, &cur, FILE_CURRENT) ||
      !SetFilePointerEx(f->h, to, NULL, FILE_BEGIN) || !SetEndOfFile(f->h) ||
      !SetFilePointerEx(f->h, cur, NULL, FILE_BEGIN))
    return w_fail(e, f->path);
  return 0;
}

int plat_sync(plat_file *f, plat_err *e) {
  return FlushFileBuffers(f->h) ? 0 : w_fail(e, f->path);
}

int plat_sync_paths(const char *const *paths, size_t n, plat_err *e) {
  for (size_t i = 0; i < n; i++) {  /* each flushed: a volume flush needs the volume's handle */
    plat_file *f = open_aux(paths[i], GENERIC_WRITE, OPEN_EXISTING, e);
    int rc = f ? plat_sync(f, e) : -1;
    if (plat_close(f, rc ? NULL : e) != 0 || rc) return -1;
  }
  return 0;
}

int plat_close(plat_file *f, plat_err *e) {
  if (!f) return 0;
  plat_err ignore;
  int rc = CloseHandle(f->h) ? 0 : w_fail(e ? e : &ignore, f->path);
  free(f->path);
  free(f);
  return rc;
}

int plat_copy_data(plat_file *src, plat_file *dst, uint64_t *bytes, plat_err *e) {
  char *buf = malloc(1 << 20);
  if (!buf) return plat_fail(e, src->path, ERROR_NOT_ENOUGH_MEMORY);
  *bytes = 0;
  int rc = 0;
  for (;;) {
    size_t got = 0;
    if ((rc = plat_read(src, buf, 1 << 20, &got, e)) != 0 || got == 0) break;
    if ((rc = plat_write(dst, buf, got, e)) != 0) break;
    *bytes += got;
  }
  free(buf);
  return rc;
}

int plat_rename_new(const char *from, const char *to, plat_err *e) {
  wchar_t *wf = w_path(from), *wt = w_path(to);
  int rc = 0;
  if (!wf || !wt) rc = w_fail(e, to);
  else if (!MoveFileExW(wf, wt, MOVEFILE_WRITE_THROUGH)) rc = w_fail(e, to);
  free(wf);
  free(wt);
  return rc;
}

int plat_errcode(plat_errkind k) {
  static const int codes[] = { ERROR_NOT_ENOUGH_MEMORY, ERROR_DIRECTORY, ERROR_FILE_NOT_FOUND,
                               ERROR_FILE_EXISTS, ERROR_DISK_FULL, ERROR_ACCESS_DENIED,
                               ERROR_WRITE_PROTECT, ERROR_INVALID_PARAMETER,
                               ERROR_CANT_ACCESS_FILE, ERROR_DIR_NOT_EMPTY };
  return codes[k];
}

int plat_is_notfound(int code) { return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND; }

int plat_is_denied(int code) { return code == ERROR_ACCESS_DENIED || code == ERROR_PRIVILEGE_NOT_HELD; }
