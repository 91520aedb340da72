/* dir.c: folder enumeration and file status on Windows (wide APIs, \\?\ paths). */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

struct plat_dir {
  HANDLE h;
  int first;          /* fd holds an entry not yet returned */
  WIN32_FIND_DATAW fd;
  char *name;         /* UTF-8 of the last entry */
  char *path;         /* for error messages */
};

static plat_type type_of_attrs(DWORD a) {
  if (a & FILE_ATTRIBUTE_REPARSE_POINT) return PLAT_LINK;
  if (a & FILE_ATTRIBUTE_DIRECTORY) return PLAT_DIR;
  if (a & FILE_ATTRIBUTE_DEVICE) return PLAT_OTHER;
  return PLAT_FILE;
}

plat_dir *plat_dir_open(const char *path, plat_err *e) {
  plat_dir *pd = calloc(1, sizeof *pd);
  wchar_t *w = w_path(path);
  size_t wl = w ? wcslen(w) : 0;
  wchar_t *pat = w ? malloc((wl + 3) * sizeof *pat) : NULL;
  if (!pd || !pat || !(pd->path = strdup(path))) {
    plat_fail(e, path, w ? ERROR_NOT_ENOUGH_MEMORY : (int)w_path_err);
    free(pat); free(w); if (pd) free(pd->path); free(pd);
    return NULL;
  }
  swprintf(pat, wl + 3, (wl && w[wl - 1] == L'\\') ? L"%ls*" : L"%ls\\*", w);
  pd->h = FindFirstFileExW(pat, FindExInfoBasic, &pd->fd, FindExSearchNameMatch, NULL,
                           FIND_FIRST_EX_LARGE_FETCH);
  free(pat);
  free(w);
  if (pd->h == INVALID_HANDLE_VALUE) {
    DWORD c = GetLastError();
    if (c != ERROR_FILE_NOT_FOUND) {  /* FILE_NOT_FOUND: an empty root, no entries */
      plat_fail(e, path, (int)(c == ERROR_DIRECTORY ? ERROR_DIRECTORY : c));
      free(pd->path);
      free(pd);
      return NULL;
    }
  } else {
    pd->first = 1;
  }
  return pd;
}

int plat_dir_next(plat_dir *pd, plat_dirent *ent, plat_err *e) {
  for (;;) {
    if (pd->h == INVALID_HANDLE_VALUE) return 0;
    if (!pd->first) {
      if (!FindNextFileW(pd->h, &pd->fd)) {
        DWORD c = GetLastError();
        return c == ERROR_NO_MORE_FILES ? 0 : plat_fail(e, pd->path, (int)c);
      }
    }
    pd->first = 0;
    const wchar_t *n = pd->fd.cFileName;
    if (n[0] == L'.' && (n[1] == L'\0' || (n[1] == L'.' && n[2] == L'\0'))) continue;
    free(pd->name);
    if (!(pd->name = utf8_from_w(n))) return plat_fail(e, pd->path, ERROR_NOT_ENOUGH_MEMORY);
    ent->name = pd->name;
    ent->type = type_of_attrs(pd->fd.dwFileAttributes);
    return 1;
  }
}

void plat_dir_close(plat_dir *pd) {
  if (!pd) return;
  if (pd->h != INVALID_HANDLE_VALUE) FindClose(pd->h);
  free(pd->name);
  free(pd->path);
  free(pd);
}

/* FILETIME (100 ns since 1601) -> ns since 1970; 0 stays 0 (unknown). */
static int64_t ft_ns(FILETIME ft) {
  uint64_t v = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
  return v ? ((int64_t)v - 116444736000000000LL) * 100 : 0;
}

int plat_stat(const char *path, int follow, plat_info *out, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  memset(out, 0, sizeof *out);
  DWORD flags = FILE_FLAG_BACKUP_SEMANTICS | (follow ? 0 : FILE_FLAG_OPEN_REPARSE_POINT);
  HANDLE h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, flags, NULL);
  BY_HANDLE_FILE_INFORMATION bi;
  if (h != INVALID_HANDLE_VALUE && GetFileInformationByHandle(h, &bi)) {
    CloseHandle(h);
    free(w);
    out->attrs = bi.dwFileAttributes;
    out->size = ((uint64_t)bi.nFileSizeHigh << 32) | bi.nFileSizeLow;
    out->mtime_ns = ft_ns(bi.ftLastWriteTime);
    out->atime_ns = ft_ns(bi.ftLastAccessTime);
    out->btime_ns = ft_ns(bi.ftCreationTime);
    out->nlink = bi.nNumberOfLinks;
    out->dev = bi.dwVolumeSerialNumber;
    out->ino = ((uint64_t)bi.nFileIndexHigh << 32) | bi.nFileIndexLow;
  } else {
    /* e.g. no FILE_READ_ATTRIBUTES right on the object: the folder entry still answers */
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
    WIN32_FILE_ATTRIBUTE_DATA ad;
    BOOL ok = GetFileAttributesExW(w, GetFileExInfoStandard, &ad);
    free(w);
    if (!ok) return w_fail(e, path);
    out->attrs = ad.dwFileAttributes;
    out->size = ((uint64_t)ad.nFileSizeHigh << 32) | ad.nFileSizeLow;
    out->mtime_ns = ft_ns(ad.ftLastWriteTime);
    out->atime_ns = ft_ns(ad.ftLastAccessTime);
    out->btime_ns = ft_ns(ad.ftCreationTime);
  }
  out->type = type_of_attrs(out->attrs);
  if (out->type == PLAT_DIR) out->size = 0;
  return 0;
}
