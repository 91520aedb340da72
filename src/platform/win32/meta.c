/* meta.c: file metadata on Windows: times, attributes, the security
   descriptor (owner, group, DACL, SACL) and alternate data streams; and the
   backup/restore privileges. Wine keeps no descriptors and stubs
   FindFirstStreamW: callers re-read what they set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

#define SD_NAME "win32.security"
#define STREAM_PREFIX "win32.stream:"

int plat_meta_is_security(const char *name) { return strcmp(name, SD_NAME) == 0; }

const char *plat_meta_ntsd_name(void) { return SD_NAME; }

void plat_meta_free(plat_meta *m) {
  for (size_t i = 0; i < m->nx; i++) { free(m->x[i].name); free(m->x[i].value); }
  free(m->x);
  m->x = NULL;
  m->nx = 0;
}

/* Append an entry, taking ownership of value. */
static int add_x(plat_meta *m, const char *name, unsigned char *value, size_t len) {
  plat_xattr *nx = realloc(m->x, (m->nx + 1) * sizeof *nx);
  char *n = strdup(name);
  if (!nx || !n) { free(n); free(value); if (nx) m->x = nx; return -1; }
  m->x = nx;
  m->x[m->nx++] = (plat_xattr){ n, value, len };
  return 0;
}

static int64_t ft_ns(FILETIME ft) {
  uint64_t v = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
  return v ? ((int64_t)v - 116444736000000000LL) * 100 : 0;
}

static FILETIME ns_ft(int64_t ns) {
  uint64_t v = (uint64_t)(ns / 100 + 116444736000000000LL);
  return (FILETIME){ (DWORD)v, (DWORD)(v >> 32) };
}

static int get_security(const wchar_t *w, const char *path, plat_meta *m, plat_err *e) {
  SECURITY_INFORMATION si = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
                            DACL_SECURITY_INFORMATION | SACL_SECURITY_INFORMATION;
  DWORD need = 0;
  for (int tries = 0; tries < 4; tries++) {
    unsigned char *sd = need ? malloc(need) : NULL;
    if (need && !sd) return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY);
    if (GetFileSecurityW(w, si, sd, need, &need)) {
      if (add_x(m, SD_NAME, sd, GetSecurityDescriptorLength(sd)) != 0)
        return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY);
      return 0;
    }
    free(sd);
    DWORD c = GetLastError();
    if (c == ERROR_PRIVILEGE_NOT_HELD && (si & SACL_SECURITY_INFORMATION)) {
      si &= ~SACL_SECURITY_INFORMATION;  /* no SeSecurityPrivilege: without the SACL */
      need = 0;
    } else if (c != ERROR_INSUFFICIENT_BUFFER) {
      return plat_fail(e, path, (int)c);
    }
  }
  return plat_fail(e, path, ERROR_INSUFFICIENT_BUFFER);
}

/* Calls f(name) for each named data stream (":name:$DATA" -> "name").
   Returns 0, or -1 with e filled; a stubbed FindFirstStreamW (Wine) reports
   no streams. */
static int each_stream(const wchar_t *w, const char *path, plat_err *e,
                       int (*f)(void *ud, const wchar_t *name), void *ud) {
  WIN32_FIND_STREAM_DATA sd;
  HANDLE h = FindFirstStreamW(w, FindStreamInfoStandard, &sd, 0);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD c = GetLastError();
    if (c == ERROR_HANDLE_EOF || c == ERROR_CALL_NOT_IMPLEMENTED || c == ERROR_NOT_SUPPORTED ||
        c == ERROR_INVALID_FUNCTION || c == ERROR_INVALID_PARAMETER)
      return 0;
    return plat_fail(e, path, (int)c);
  }
  int rc = 0;
  do {
    wchar_t *n = sd.cStreamName;  /* ":name:$DATA"; "::$DATA" is the main stream */
    if (n[0] != L':' || n[1] == L':') continue;
    wchar_t *end = wcsstr(n + 1, L":$DATA");
    if (!end) continue;
    *end = L'\0';
    if ((rc = f(ud, n + 1)) != 0) break;
  } while (FindNextStreamW(h, &sd));
  FindClose(h);
  return rc;
}

typedef struct { const wchar_t *w; const char *path; plat_meta *m; plat_err *e; } stream_ctx;

static wchar_t *stream_path(const wchar_t *w, const wchar_t *name) {
  size_t n = wcslen(w) + wcslen(name) + 2;
  wchar_t *s = malloc(n * sizeof *s);
  if (s) swprintf(s, n, L"%ls:%ls", w, name);
  return s;
}

static int read_stream(void *ud, const wchar_t *name) {
  stream_ctx *c = ud;
  wchar_t *sp = stream_path(c->w, name);
  char *u8 = utf8_from_w(name);
  char *full = u8 ? malloc(strlen(u8) + sizeof STREAM_PREFIX) : NULL;
  char *u8path = sp ? utf8_from_w(sp + 4) : NULL;
  char *data = NULL;
  size_t len = 0;
  int rc = -1;
  if (!sp || !full || !u8path) plat_fail(c->e, c->path, ERROR_NOT_ENOUGH_MEMORY);
  else if (plat_read_file(u8path, &data, &len, c->e) == 0) {
    sprintf(full, "%s%s", STREAM_PREFIX, u8);
    rc = add_x(c->m, full, (unsigned char *)data, len);
    if (rc) plat_fail(c->e, c->path, ERROR_NOT_ENOUGH_MEMORY);
  }
  free(sp); free(u8); free(full); free(u8path);
  return rc;
}

int plat_meta_get(const char *path, unsigned what, plat_meta *m, plat_err *e) {
  memset(m, 0, sizeof *m);
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  HANDLE h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
  BY_HANDLE_FILE_INFORMATION bi;
  if (h == INVALID_HANDLE_VALUE || !GetFileInformationByHandle(h, &bi)) {
    w_fail(e, path);
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
    free(w);
    return -1;
  }
  CloseHandle(h);
  m->attrs = bi.dwFileAttributes;
  m->mtime_ns = ft_ns(bi.ftLastWriteTime);
  m->atime_ns = ft_ns(bi.ftLastAccessTime);
  m->btime_ns = ft_ns(bi.ftCreationTime);
  int rc = 0;
  if (what & PLAT_META_SECURITY) rc = get_security(w, path, m, e);
  if (rc == 0 && (what & PLAT_META_XATTRS) && !(m->attrs & FILE_ATTRIBUTE_DIRECTORY)) {
    stream_ctx c = { w, path, m, e };
    rc = each_stream(w, path, e, read_stream, &c);
  }
  free(w);
  if (rc) plat_meta_free(m);
  return rc;
}

static int drop_stream(void *ud, const wchar_t *name) {
  stream_ctx *c = ud;
  char *u8 = utf8_from_w(name);
  int keep = 0;
  for (size_t i = 0; u8 && i < c->m->nx; i++) {
    const char *n = c->m->x[i].name;
    if (strncmp(n, STREAM_PREFIX, sizeof STREAM_PREFIX - 1) == 0 &&
        strcmp(n + sizeof STREAM_PREFIX - 1, u8) == 0) keep = 1;
  }
  free(u8);
  if (keep) return 0;
  wchar_t *sp = stream_path(c->w, name);
  int rc = sp && DeleteFileW(sp) ? 0 : w_fail(c->e, c->path);
  free(sp);
  return rc;
}

static int set_streams(const wchar_t *w, const char *path, const plat_meta *m, plat_err *e) {
  stream_ctx c = { w, path, (plat_meta *)m, e };
  if (each_stream(w, path, e, drop_stream, &c) != 0) return -1;
  for (size_t i = 0; i < m->nx; i++) {
    const char *n = m->x[i].name;
    if (strncmp(n, STREAM_PREFIX, sizeof STREAM_PREFIX - 1) != 0) continue;
    char *sp = malloc(strlen(path) + strlen(n) + 2);
    if (!sp) return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY);
    sprintf(sp, "%s:%s", path, n + sizeof STREAM_PREFIX - 1);
    plat_file *f = plat_open_write(sp, PLAT_OPEN_EXISTING, e);
    if (!f) f = plat_open_write(sp, PLAT_CREATE_NEW, e);
    int rc = f ? 0 : -1;
    if (!rc) rc = plat_truncate(f, 0, e);
    if (!rc) rc = plat_write(f, m->x[i].value, m->x[i].len, e);
    if (f && plat_close(f, e) != 0) rc = -1;
    free(sp);
    if (rc) return -1;
  }
  return 0;
}

static int set_security(const wchar_t *w, const char *path, const plat_meta *m, plat_err *e) {
  for (size_t i = 0; i < m->nx; i++) {
    if (strcmp(m->x[i].name, SD_NAME) != 0) continue;
    PSECURITY_DESCRIPTOR sd = m->x[i].value;
    if (!IsValidSecurityDescriptor(sd)) return plat_fail(e, path, ERROR_INVALID_SECURITY_DESCR);
    SECURITY_INFORMATION si = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
                              DACL_SECURITY_INFORMATION;
    BOOL present = FALSE, dflt = FALSE;
    PACL acl = NULL;
    if (GetSecurityDescriptorSacl(sd, &present, &acl, &dflt) && present)
      si |= SACL_SECURITY_INFORMATION;
    if (!SetFileSecurityW(w, si, sd)) return w_fail(e, path);
  }
  return 0;
}

int plat_meta_set(const char *path, unsigned what, const plat_meta *m, plat_err *e) {
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  int rc = 0;
  DWORD a = GetFileAttributesW(w);
  if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_READONLY) && (what & ~PLAT_META_TIMES))
    SetFileAttributesW(w, a & ~FILE_ATTRIBUTE_READONLY);  /* set again below */
  if ((what & PLAT_META_XATTRS) && !(a & FILE_ATTRIBUTE_DIRECTORY)) rc = set_streams(w, path, m, e);
  if (!rc && (what & PLAT_META_SECURITY)) rc = set_security(w, path, m, e);
  if (!rc && (what & PLAT_META_TIMES)) {
    HANDLE h = CreateFileW(w, FILE_WRITE_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    FILETIME bt = ns_ft(m->btime_ns), at = ns_ft(m->atime_ns), mt = ns_ft(m->mtime_ns);
    if (h == INVALID_HANDLE_VALUE || !SetFileTime(h, m->btime_ns ? &bt : NULL, &at, &mt)) rc = w_fail(e, path);
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
  }
  DWORD settable = FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM |
                   FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_NOT_CONTENT_INDEXED | FILE_ATTRIBUTE_OFFLINE;
  if (!rc && (what & PLAT_META_OWNER)) {
    DWORD want = (m->attrs & settable) | (a & ~settable & FILE_ATTRIBUTE_DIRECTORY);
    if (!SetFileAttributesW(w, want ? want : FILE_ATTRIBUTE_NORMAL)) rc = w_fail(e, path);
  } else if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_READONLY)) {
    SetFileAttributesW(w, a);  /* put READONLY back */
  }
  free(w);
  return rc;
}

static const wchar_t *const privs[] = { L"SeBackupPrivilege", L"SeRestorePrivilege", L"SeSecurityPrivilege" };

int plat_privileges_enable(plat_priv *p, plat_err *e) {
  memset(p, 0, sizeof *p);
  HANDLE tok;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &tok))
    return w_fail(e, "process token");
  struct { DWORD count; LUID_AND_ATTRIBUTES p[3]; } tp = { 3, {{{0, 0}, 0}} };
  for (int i = 0; i < 3; i++) {
    if (!LookupPrivilegeValueW(NULL, privs[i], &tp.p[i].Luid)) { CloseHandle(tok); return w_fail(e, "privilege lookup"); }
    tp.p[i].Attributes = SE_PRIVILEGE_ENABLED;
  }
  DWORD len = 0;
  BOOL ok = AdjustTokenPrivileges(tok, FALSE, (PTOKEN_PRIVILEGES)&tp, sizeof p->saved,
                                  (PTOKEN_PRIVILEGES)p->saved, &len);
  DWORD c = GetLastError();
  if (ok && c == ERROR_NOT_ALL_ASSIGNED) {  /* not elevated: put back what changed */
    AdjustTokenPrivileges(tok, FALSE, (PTOKEN_PRIVILEGES)p->saved, 0, NULL, NULL);
    CloseHandle(tok);
    return plat_failc(e, PLAT_EC_OS, (int)c, "backup privileges: SeBackupPrivilege, SeRestorePrivilege and "
                      "SeSecurityPrivilege are not held; run sxsfix from an elevated (administrator) prompt");
  }
  CloseHandle(tok);
  if (!ok) return plat_fail(e, "backup privileges", (int)c);
  p->savedlen = len;
  p->elevated = 1;
  return 0;
}

void plat_privileges_restore(plat_priv *p) {
  HANDLE tok;
  if (!p->elevated || !OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES, &tok)) return;
  AdjustTokenPrivileges(tok, FALSE, (PTOKEN_PRIVILEGES)p->saved, 0, NULL, NULL);
  CloseHandle(tok);
  p->elevated = 0;
}
