/* stream.c: streamed output through a temporary name,
   rename and free space on Windows (wide APIs only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

struct plat_out {
  HANDLE h;
  char *path;      /* final name, UTF-8, for messages */
  wchar_t *wpath;  /* final name, \\?\ wide */
  wchar_t *wtmp;   /* temporary name beside it */
};

static void out_free(plat_out *o) {
  free(o->path);
  free(o->wpath);
  free(o->wtmp);
  free(o);
}

plat_out *plat_out_create(const char *path, const char *tmpdir, plat_err *e) {
  static unsigned counter;
  plat_out *o = calloc(1, sizeof *o);
  if (!o) { plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY); return NULL; }
  o->h = INVALID_HANDLE_VALUE;
  o->path = strdup(path);
  o->wpath = w_path(path);
  wchar_t *wdir = tmpdir ? w_path(tmpdir) : NULL;
  size_t n = o->wpath && (wdir || !tmpdir) ? wcslen(wdir ? wdir : o->wpath) + 48 : 0;
  o->wtmp = n ? malloc(n * sizeof *o->wtmp) : NULL;
  if (!o->path || !o->wtmp) {
    plat_fail(e, path, o->wpath && (wdir || !tmpdir) ? ERROR_NOT_ENOUGH_MEMORY : (int)w_path_err);
    free(wdir);
    out_free(o);
    return NULL;
  }
  /* a short name in tmpdir, or in path's folder, so that a 255-character
     name still fits */
  const wchar_t *slash = wcsrchr(o->wpath, L'\\');
  int dirlen = slash ? (int)(slash - o->wpath + 1) : 0;
  if (wdir)
    swprintf(o->wtmp, n, L"%ls\\.sxsfix-tmp-%lu-%u", wdir, (unsigned long)GetCurrentProcessId(), counter++);
  else
    swprintf(o->wtmp, n, L"%.*ls.sxsfix-tmp-%lu-%u", dirlen, o->wpath,
             (unsigned long)GetCurrentProcessId(), counter++);
  free(wdir);
  /* CREATE_NEW: never opens (or follows) anything already under this name */
  /* DELETE: the commit renames through this handle */
  o->h = CreateFileW(o->wtmp, GENERIC_WRITE | DELETE, 0, NULL, CREATE_NEW,
                     FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, NULL);
  if (o->h == INVALID_HANDLE_VALUE) {
    w_fail(e, path);
    out_free(o);
    return NULL;
  }
  return o;
}

int plat_out_write(plat_out *o, const void *data, size_t len, plat_err *e) {
  const char *p = data;
  while (len > 0) {
    DWORD put = 0, chunk = (DWORD)(len > 0x40000000 ? 0x40000000 : len);
    if (!WriteFile(o->h, p, chunk, &put, NULL)) return w_fail(e, o->path);
    p += put;
    len -= put;
  }
  return 0;
}

void plat_out_abort(plat_out *o) {
  if (!o) return;
  CloseHandle(o->h);
  DeleteFileW(o->wtmp);
  out_free(o);
}

/* Rename the open file h to wpath (a \\?\ path): FILE_RENAME_INFO ends in
   the name, so it is allocated with room for it. */
static DWORD rename_handle(HANDLE h, const wchar_t *wpath, int replace) {
  size_t n = wcslen(wpath) * sizeof(wchar_t);
  FILE_RENAME_INFO *ri = calloc(1, sizeof *ri + n);
  if (!ri) return ERROR_NOT_ENOUGH_MEMORY;
  ri->ReplaceIfExists = replace ? TRUE : FALSE;
  ri->RootDirectory = NULL;
  ri->FileNameLength = (DWORD)n;
  memcpy(ri->FileName, wpath, n);
  DWORD code = SetFileInformationByHandle(h, FileRenameInfo, ri, (DWORD)(sizeof *ri + n))
             ? 0 : GetLastError();
  free(ri);
  return code;
}

int plat_out_commit(plat_out *o, int64_t mtime_ns, int replace, plat_err *e) {
  DWORD code = 0;
  if (mtime_ns != PLAT_NO_TIME) {
    /* FILETIME: 100 ns units since 1601-01-01 */
    int64_t t = mtime_ns / 100 + 116444736000000000LL;
    FILETIME ft = { (DWORD)(t & 0xffffffff), (DWORD)((uint64_t)t >> 32) };
    if (!SetFileTime(o->h, NULL, NULL, &ft)) code = GetLastError();
  }
  if (!code) code = rename_handle(o->h, o->wpath, replace);
  if (code == ERROR_ALREADY_EXISTS) code = ERROR_FILE_EXISTS;   /* one code for "exists" */
  if (!CloseHandle(o->h) && !code) code = GetLastError();
  if (code) {
    DeleteFileW(o->wtmp);
    plat_fail(e, o->path, (int)code);
  }
  out_free(o);
  return code ? -1 : 0;
}

int plat_rename(const char *from, const char *to, plat_err *e) {
  wchar_t *wf = w_path(from), *wt = w_path(to);
  BOOL ok = wf && wt && MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING);
  DWORD code = ok ? 0 : (wf && wt ? GetLastError() : w_path_err);
  free(wf);
  free(wt);
  return ok ? 0 : plat_fail(e, to, (int)code);
}

static int64_t fault_free = -1;

void plat_fault_free_space(int64_t bytes) { fault_free = bytes; }

int plat_free_space(const char *path, uint64_t *bytes, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  ULARGE_INTEGER avail;
  BOOL ok = GetDiskFreeSpaceExW(w, &avail, NULL, NULL);
  free(w);
  if (!ok) return w_fail(e, path);
  *bytes = avail.QuadPart;
  if (fault_free >= 0) *bytes = (uint64_t)fault_free;
  return 0;
}
