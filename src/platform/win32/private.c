/* private.c: folders private to the administrators on Windows: created
   with a protected DACL (SYSTEM and Administrators, nothing inherited),
   and checked (owner, DACL) before we trust what is in them. Wine keeps
   little of a descriptor: callers that must know re-read it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <aclapi.h>
#include <sddl.h>

#include "win32.h"

#define PRIVATE_SDDL L"O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
#define TRUSTED_INSTALLER L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

static int failf(plat_err *e, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  e->code = code;
  return -1;
}

int plat_mkdir_private(const char *path, plat_err *e) {
  const char *cut = NULL;  /* the last separator: the parent ends there */
  for (const char *p = path; *p; p++)
    if (*p == '/' || *p == '\\') cut = p;
  if (cut && cut > path && cut[-1] != ':') {  /* not "X:\": missing parents */
    char *parent = malloc((size_t)(cut - path) + 1);
    if (!parent) return plat_fail(e, path, ERROR_NOT_ENOUGH_MEMORY);
    memcpy(parent, path, (size_t)(cut - path));
    parent[cut - path] = '\0';
    int rc = plat_mkdirs(parent, e);
    free(parent);
    if (rc != 0) return -1;
  }
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  PSECURITY_DESCRIPTOR sd = NULL;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(PRIVATE_SDDL, SDDL_REVISION_1,
                                                            &sd, NULL)) {
    free(w);
    return w_fail(e, path);
  }
  SECURITY_ATTRIBUTES sa = { sizeof sa, sd, FALSE };
  int rc = 0;
  if (!CreateDirectoryW(w, &sa)) {
    DWORD c = GetLastError();
    rc = plat_fail(e, path, c == ERROR_ALREADY_EXISTS ? ERROR_FILE_EXISTS : (int)c);
  }
  LocalFree(sd);
  free(w);
  return rc;
}

/* "NAME (S-1-...)" for a SID, in buf. */
static void sid_text(PSID sid, char *buf, size_t len) {
  wchar_t *ws = NULL, name[256], dom[256];
  DWORD nn = 256, nd = 256;
  SID_NAME_USE use;
  char *s = ConvertSidToStringSidW(sid, &ws) ? utf8_from_w(ws) : NULL;
  char *n = LookupAccountSidW(NULL, sid, name, &nn, dom, &nd, &use) ? utf8_from_w(name) : NULL;
  if (n) snprintf(buf, len, "%s (%s)", n, s ? s : "?");
  else snprintf(buf, len, "%s", s ? s : "an unreadable SID");
  free(n);
  free(s);
  if (ws) LocalFree(ws);
}

static int sid_is(PSID sid, const wchar_t *sddl) {
  PSID want = NULL;
  if (!ConvertStringSidToSidW(sddl, &want)) return 0;
  int eq = EqualSid(sid, want) != 0;
  LocalFree(want);
  return eq;
}

static int admin_sid(PSID sid) {
  return sid_is(sid, L"SY") || sid_is(sid, L"BA") || sid_is(sid, TRUSTED_INSTALLER);
}

/* Under Wine every file reads as owned by the user running Wine (who is
   the administrator there; Wine keeps no owner that is set), and the DACL
   is made from the Unix mode: that user counts as an administrator owner. */
static int wine_user(PSID sid) {
  if (!plat_wine_version()) return 0;
  HANDLE tok;
  unsigned char buf[256];
  DWORD n;
  int yes = 0;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
    if (GetTokenInformation(tok, TokenUser, buf, sizeof buf, &n))
      yes = EqualSid(sid, ((TOKEN_USER *)buf)->User.Sid) != 0;
    CloseHandle(tok);
  }
  return yes;
}

/* Rights that change the object, its children or its security. */
#define WRITE_RIGHTS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | \
                      FILE_WRITE_ATTRIBUTES | FILE_DELETE_CHILD | DELETE | WRITE_DAC | \
                      WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL)

/* What lets someone rename or replace the entries of a folder (or the
   folder itself): creating new entries beside ours does not. */
#define REPLACE_RIGHTS (FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_ALL)

/* The first ACE of dacl that grants rights in mask to someone we do not trust. */
static PSID foreign_writer(PACL dacl, DWORD mask) {
  for (DWORD i = 0; i < dacl->AceCount; i++) {
    ACE_HEADER *h;
    if (!GetAce(dacl, i, (void **)&h)) continue;
    if (h->AceType != ACCESS_ALLOWED_ACE_TYPE) continue;  /* deny ACEs only take away */
    if ((h->AceFlags & INHERIT_ONLY_ACE) && mask == REPLACE_RIGHTS) continue;  /* children only */
    ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)h;
    PSID sid = (PSID)&a->SidStart;
    if (!(a->Mask & mask)) continue;
    if (admin_sid(sid) || sid_is(sid, L"CO") || wine_user(sid)) continue;  /* CREATOR OWNER: an admin, here */
    return sid;
  }
  return NULL;
}

static int check(const char *path, DWORD mask, plat_err *e) {
  static const char fix[] = "remove it as an administrator and run again, or give it to "
                            "Administrators with a DACL granting write to no one else";
  wchar_t *w = w_path(path);
  if (!w) return w_fail(e, path);
  HANDLE h = CreateFileW(w, READ_CONTROL, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING,
                         FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
  free(w);
  if (h == INVALID_HANDLE_VALUE) return w_fail(e, path);
  BY_HANDLE_FILE_INFORMATION fi;
  PSID owner = NULL;
  PACL dacl = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  char who[384];
  int rc = 0;
  if (!GetFileInformationByHandle(h, &fi)) {
    rc = w_fail(e, path);
  } else if (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
    rc = failf(e, ERROR_ACCESS_DENIED, "%s: is a link (reparse point); %s", path, fix);
  } else {
    DWORD c = GetSecurityInfo(h, SE_FILE_OBJECT,
                              OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                              &owner, NULL, &dacl, NULL, &sd);
    PSID bad;
    if (c != ERROR_SUCCESS) {
      rc = plat_fail(e, path, (int)c);
    } else if (!owner || !(admin_sid(owner) || wine_user(owner))) {
      if (owner) sid_text(owner, who, sizeof who); else snprintf(who, sizeof who, "no one");
      rc = failf(e, ERROR_ACCESS_DENIED, "%s: owned by %s, not Administrators, SYSTEM or "
                 "TrustedInstaller; %s", path, who, fix);
    } else if (!dacl) {
      rc = failf(e, ERROR_ACCESS_DENIED, "%s: has no DACL (everyone may write it); %s", path, fix);
    } else if ((bad = foreign_writer(dacl, mask))) {
      sid_text(bad, who, sizeof who);
      rc = failf(e, ERROR_ACCESS_DENIED, "%s: its DACL lets %s write; %s", path, who, fix);
    }
  }
  if (sd) LocalFree(sd);
  CloseHandle(h);
  return rc;
}

int plat_check_private(const char *path, plat_err *e) { return check(path, WRITE_RIGHTS, e); }
int plat_check_parent(const char *path, plat_err *e) { return check(path, REPLACE_RIGHTS, e); }
