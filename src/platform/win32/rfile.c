/* rfile.c: sequential reading of a file in large blocks (Win32, wide APIs). */
#include <stdlib.h>
#include <string.h>

#include "win32.h"

struct plat_rfile {
  HANDLE h;
  char *path;   /* for error messages */
};

plat_rfile *plat_rfile_open(const char *path, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) { w_fail(e, path); return NULL; }
  /* Logs are often still open by their writer: share everything. */
  HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, NULL);
  free(w);
  if (h == INVALID_HANDLE_VALUE) {
    /* CreateFileW on a folder fails with ERROR_ACCESS_DENIED; say what it is */
    if (plat_is_dir(path)) plat_fail(e, path, ERROR_DIRECTORY);
    else w_fail(e, path);
    return NULL;
  }
  if (GetFileType(h) != FILE_TYPE_DISK) {  /* a pipe, console or device: not read */
    CloseHandle(h);
    plat_failf(e, ERROR_BAD_FILE_TYPE, "%s: not a regular file (a pipe or device is not read)", path);
    return NULL;
  }
  plat_rfile *f = malloc(sizeof *f);
  char *p = _strdup(path);
  if (!f || !p) {
    free(f); free(p); CloseHandle(h);
    plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  f->h = h;
  f->path = p;
  return f;
}

int plat_rfile_read(plat_rfile *f, void *buf, size_t len, size_t *got, plat_err *e) {
  DWORD want = len > 0x40000000 ? 0x40000000 : (DWORD)len, n = 0;
  if (!ReadFile(f->h, buf, want, &n, NULL)) {
    if (GetLastError() == ERROR_HANDLE_EOF) { *got = 0; return 0; }
    return w_fail(e, f->path);
  }
  *got = n;
  return 0;
}

int64_t plat_rfile_size(plat_rfile *f, plat_err *e) {
  LARGE_INTEGER n;
  if (!GetFileSizeEx(f->h, &n)) { w_fail(e, f->path); return -1; }
  return (int64_t)n.QuadPart;
}

int plat_rfile_seek(plat_rfile *f, uint64_t off, plat_err *e) {
  LARGE_INTEGER d;
  if (off > INT64_MAX) return plat_fail(e, f->path, ERROR_NEGATIVE_SEEK);
  d.QuadPart = (LONGLONG)off;
  if (!SetFilePointerEx(f->h, d, NULL, FILE_BEGIN)) return w_fail(e, f->path);
  return 0;
}

void plat_rfile_close(plat_rfile *f) {
  if (!f) return;
  CloseHandle(f->h);
  free(f->path);
  free(f);
}
