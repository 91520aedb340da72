/* dirh.c: tree work on folder handles on Windows. Each folder of the walk
   is held open without FILE_SHARE_DELETE, so while it is held it can be
   neither renamed nor deleted, nor replaced by a junction; each entry is
   opened with FILE_FLAG_OPEN_REPARSE_POINT and refused when it is a reparse
   point (junction, symbolic link, mount point). Entries are then named by
   their pinned parent's path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32.h"

struct plat_dirh {
  HANDLE h;
  char *path;
};

static char *join(const plat_dirh *d, const char *name) {
  if (!name) return strdup(d->path);
  size_t a = strlen(d->path), b = strlen(name);
  char *s = malloc(a + b + 2);
  if (s) snprintf(s, a + b + 2, "%s%s%s", d->path,
                  a && (d->path[a - 1] == '\\' || d->path[a - 1] == '/') ? "" : "\\", name);
  return s;
}

static int bad_name(const char *n) {
  return !n || !*n || strpbrk(n, "/\\:") || !strcmp(n, ".") || !strcmp(n, "..");
}

static int fail_link(plat_err *e, const char *path) {
  plat_fail(e, path, ERROR_CANT_ACCESS_FILE);
  snprintf(e->msg, sizeof e->msg, "%s: a link or junction (reparse point): not followed", path);
  return -1;
}

/* Open path without following a reparse point; refuse one. dir: 1 a
   folder, 0 a file; access/share/disp as CreateFileW. */
static HANDLE open_obj(const char *path, int dir, DWORD access, DWORD share, DWORD disp, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) { plat_fail(e, path, (int)w_path_err); return INVALID_HANDLE_VALUE; }
  HANDLE h = CreateFileW(w, access, share, NULL, disp,
                         FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
  free(w);
  if (h == INVALID_HANDLE_VALUE) { w_fail(e, path); return h; }
  BY_HANDLE_FILE_INFORMATION bi;
  int rc = 0;
  if (!GetFileInformationByHandle(h, &bi)) rc = w_fail(e, path);
  else if (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) rc = fail_link(e, path);
  else if (dir && !(bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) rc = plat_fail(e, path, ERROR_DIRECTORY);
  else if (!dir && (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) rc = plat_fail(e, path, ERROR_DIRECTORY);
  if (rc) { CloseHandle(h); return INVALID_HANDLE_VALUE; }
  return h;
}

static plat_dirh *open_dir(char *path, plat_err *e) {
  if (!path) { plat_fail(e, "(folder)", ERROR_NOT_ENOUGH_MEMORY); return NULL; }
  HANDLE h = open_obj(path, 1, FILE_READ_ATTRIBUTES | FILE_LIST_DIRECTORY | SYNCHRONIZE,
                      FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING, e);
  plat_dirh *d = h != INVALID_HANDLE_VALUE ? malloc(sizeof *d) : NULL;
  if (!d) {
    if (h != INVALID_HANDLE_VALUE) { CloseHandle(h); plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY); }
    free(path);
    return NULL;
  }
  d->h = h;
  d->path = path;
  return d;
}

plat_dirh *plat_dirh_open(const char *path, plat_err *e) { return open_dir(strdup(path), e); }

plat_dirh *plat_dirh_sub(plat_dirh *d, const char *name, plat_err *e) {
  if (bad_name(name)) { plat_fail(e, name ? name : "(null)", ERROR_INVALID_NAME); return NULL; }
  return open_dir(join(d, name), e);
}

const char *plat_dirh_path(const plat_dirh *d) { return d->path; }

void plat_dirh_close(plat_dirh *d) {
  if (!d) return;
  CloseHandle(d->h);
  free(d->path);
  free(d);
}

/* Run f on d/name's path (d itself for NULL) after checking the name. */
#define WITH_PATH(d, name, e, expr) do { \
    if ((name) && bad_name(name)) return plat_fail(e, name, ERROR_INVALID_NAME); \
    char *p = join(d, name); \
    if (!p) return plat_fail(e, d->path, ERROR_NOT_ENOUGH_MEMORY); \
    int rc_ = (expr); \
    free(p); \
    return rc_; \
  } while (0)

int plat_dirh_stat(plat_dirh *d, const char *name, plat_info *st, plat_err *e) {
  WITH_PATH(d, name, e, plat_stat(p, 0, st, e));
}

static int mkdir_aux(const char *p, plat_err *e) {
  wchar_t *w = w_path(p);
  int rc = !w ? plat_fail(e, p, (int)w_path_err) : CreateDirectoryW(w, NULL) ? 0 : w_fail(e, p);
  free(w);
  return rc;
}

int plat_dirh_mkdir(plat_dirh *d, const char *name, plat_err *e) {
  if (!name) return plat_fail(e, d->path, ERROR_INVALID_NAME);
  WITH_PATH(d, name, e, mkdir_aux(p, e));
}

plat_file *plat_dirh_open_file(plat_dirh *d, const char *name, int how, plat_err *e) {
  if (bad_name(name)) { plat_fail(e, name ? name : "(null)", ERROR_INVALID_NAME); return NULL; }
  char *p = join(d, name);
  plat_file *f = p ? calloc(1, sizeof *f) : NULL;
  if (!f) { free(p); plat_fail(e, d->path, ERROR_NOT_ENOUGH_MEMORY); return NULL; }
  if (how == PLAT_OPEN_EXISTING) {  /* READONLY would refuse the write; the metadata sets it again */
    plat_info st;
    plat_err ignore;
    wchar_t *w = w_path(p);
    if (w && plat_stat(p, 0, &st, &ignore) == 0 && st.type == PLAT_FILE && (st.attrs & FILE_ATTRIBUTE_READONLY))
      SetFileAttributesW(w, st.attrs & ~FILE_ATTRIBUTE_READONLY);
    free(w);
  }
  f->h = open_obj(p, 0, how ? GENERIC_READ | GENERIC_WRITE : GENERIC_READ, FILE_SHARE_READ,
                  how == PLAT_CREATE_NEW ? CREATE_NEW : OPEN_EXISTING, e);
  if (f->h == INVALID_HANDLE_VALUE) { free(p); free(f); return NULL; }
  f->path = p;
  return f;
}

static int rename_aux(const char *from, const char *to, plat_err *e) {
  wchar_t *wf = w_path(from), *wt = w_path(to);
  int rc = (!wf || !wt) ? plat_fail(e, to, (int)w_path_err)
                        : MoveFileExW(wf, wt, MOVEFILE_WRITE_THROUGH) ? 0 : w_fail(e, to);
  free(wf);
  free(wt);
  return rc;
}

int plat_dirh_rename_new(plat_dirh *d, const char *from, const char *to, plat_err *e) {
  if (bad_name(from)) return plat_fail(e, from ? from : "(null)", ERROR_INVALID_NAME);
  char *f = join(d, from);
  if (!f) return plat_fail(e, d->path, ERROR_NOT_ENOUGH_MEMORY);
  int rc;
  if (bad_name(to)) rc = plat_fail(e, to ? to : "(null)", ERROR_INVALID_NAME);
  else {
    char *t = join(d, to);
    rc = t ? rename_aux(f, t, e) : plat_fail(e, d->path, ERROR_NOT_ENOUGH_MEMORY);
    free(t);
  }
  free(f);
  return rc;
}

int plat_dirh_remove(plat_dirh *d, const char *name, plat_err *e) {
  if (!name) return plat_fail(e, d->path, ERROR_INVALID_NAME);
  WITH_PATH(d, name, e, plat_remove(p, e));
}

/* The entry must not be a reparse point; it is then read or set by path
   under its pinned parent. */
static int not_link(const char *p, plat_err *e) {
  plat_info st;
  if (plat_stat(p, 0, &st, e) != 0) return -1;
  return st.type == PLAT_LINK ? fail_link(e, p) : 0;
}

int plat_dirh_meta_get(plat_dirh *d, const char *name, unsigned what, plat_meta *m, plat_err *e) {
  memset(m, 0, sizeof *m);
  WITH_PATH(d, name, e, (name && not_link(p, e)) ? -1 : plat_meta_get(p, what, m, e));
}

int plat_dirh_meta_set(plat_dirh *d, const char *name, unsigned what, const plat_meta *m, plat_err *e) {
  WITH_PATH(d, name, e, (name && not_link(p, e)) ? -1 : plat_meta_set(p, what, m, e));
}

int64_t plat_dirh_time_precision(plat_dirh *d) {
  wchar_t fs[64] = L"";
  if (!GetVolumeInformationByHandleW(d->h, NULL, 0, NULL, NULL, NULL, fs, 64)) return 100;
  if (!wcsncmp(fs, L"FAT", 3)) return 2000000000;   /* FAT, FAT32: 2 s */
  if (!wcscmp(fs, L"exFAT")) return 10000000;        /* 10 ms */
  return 100;                                        /* NTFS, ReFS: 100 ns */
}

static int64_t ft_ns(FILETIME ft) {
  uint64_t v = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
  return v ? ((int64_t)v - 116444736000000000LL) * 100 : 0;
}

int plat_fstat(plat_file *f, plat_info *out, plat_err *e) {
  BY_HANDLE_FILE_INFORMATION bi;
  if (!GetFileInformationByHandle(f->h, &bi)) return w_fail(e, f->path);
  memset(out, 0, sizeof *out);
  out->attrs = bi.dwFileAttributes;
  out->type = (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? PLAT_LINK
            : (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? PLAT_DIR : PLAT_FILE;
  out->size = ((uint64_t)bi.nFileSizeHigh << 32) | bi.nFileSizeLow;
  out->mtime_ns = ft_ns(bi.ftLastWriteTime);
  out->atime_ns = ft_ns(bi.ftLastAccessTime);
  out->btime_ns = ft_ns(bi.ftCreationTime);
  out->nlink = bi.nNumberOfLinks;
  out->dev = bi.dwVolumeSerialNumber;
  out->ino = ((uint64_t)bi.nFileIndexHigh << 32) | bi.nFileIndexLow;
  return 0;
}

/* The file's own name is pinned while it is open (no FILE_SHARE_DELETE). */
int plat_fmeta_get(plat_file *f, unsigned what, plat_meta *m, plat_err *e) {
  return plat_meta_get(f->path, what, m, e);
}

int plat_fmeta_set(plat_file *f, unsigned what, const plat_meta *m, plat_err *e) {
  return plat_meta_set(f->path, what, m, e);
}

int plat_rewind(plat_file *f, plat_err *e) {
  LARGE_INTEGER zero = {0};
  return SetFilePointerEx(f->h, zero, NULL, FILE_BEGIN) ? 0 : w_fail(e, f->path);
}

#ifndef SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE
#define SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE 2
#endif

int plat_symlink(const char *target, const char *path, plat_err *e) {
  wchar_t *wt = w_path(target), *wp = w_path(path);
  int rc = (!wt || !wp) ? plat_fail(e, path, (int)w_path_err)
         : CreateSymbolicLinkW(wp, wt, SYMBOLIC_LINK_FLAG_DIRECTORY | SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE)
           ? 0 : w_fail(e, path);
  free(wt);
  free(wp);
  return rc;
}
