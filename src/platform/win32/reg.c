/* reg.c: the live registry and offline hives (RegLoadAppKeyW) on Windows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

static int reg_fail(plat_err *e, const char *what, LONG rc) {
  return plat_fail(e, what, (int)rc);
}

/* Read the open key h whole into k. */
static int read_open_key(HKEY h, const char *what, plat_regkey *k, plat_err *e) {
  DWORD nsub, maxsub, nval, maxname, maxdata;
  LONG rc = RegQueryInfoKeyW(h, NULL, NULL, NULL, &nsub, &maxsub, NULL, &nval, &maxname, &maxdata,
                             NULL, NULL);
  if (rc != ERROR_SUCCESS) return reg_fail(e, what, rc);
  memset(k, 0, sizeof *k);
  wchar_t *name = malloc(((maxsub > maxname ? maxsub : maxname) + 2) * sizeof *name);
  k->subkeys = calloc(nsub + 1, sizeof *k->subkeys);
  k->values = calloc(nval + 1, sizeof *k->values);
  if (!name || !k->subkeys || !k->values) {
    rc = ERROR_NOT_ENOUGH_MEMORY;
    goto fail;
  }
  for (DWORD i = 0; i < nsub; i++) {
    DWORD n = maxsub + 1;
    rc = RegEnumKeyExW(h, i, name, &n, NULL, NULL, NULL, NULL);
    if (rc == ERROR_NO_MORE_ITEMS) break;  /* the key changed meanwhile */
    if (rc != ERROR_SUCCESS) goto fail;
    if (!(k->subkeys[k->nsubkeys] = utf8_from_w(name))) { rc = ERROR_NOT_ENOUGH_MEMORY; goto fail; }
    k->nsubkeys++;
  }
  for (DWORD i = 0; i < nval; i++) {
    DWORD n = maxname + 1, type, len = maxdata;
    plat_regvalue *v = &k->values[k->nvalues];
    if (!(v->data = malloc(maxdata + 1))) { rc = ERROR_NOT_ENOUGH_MEMORY; goto fail; }
    rc = RegEnumValueW(h, i, name, &n, NULL, &type, v->data, &len);
    if (rc == ERROR_NO_MORE_ITEMS) { free(v->data); v->data = NULL; break; }
    if (rc != ERROR_SUCCESS) { free(v->data); v->data = NULL; goto fail; }
    name[n] = L'\0';
    if (!(v->name = utf8_from_w(name))) { free(v->data); v->data = NULL; rc = ERROR_NOT_ENOUGH_MEMORY; goto fail; }
    v->type = type;
    v->len = len;
    k->nvalues++;
  }
  free(name);
  return 1;
fail:
  free(name);
  plat_regkey_free(k);
  return reg_fail(e, what, rc);
}

/* Open sub below base and read it: 1, 0 when absent, -1 on error. */
static int read_key(HKEY base, const char *sub, REGSAM extra, const char *what, plat_regkey *k,
                    plat_err *e) {
  wchar_t *w = w_from_utf8(sub);
  if (!w) return w_fail(e, what);
  HKEY h;
  LONG rc = RegOpenKeyExW(base, w, 0, KEY_READ | extra, &h);
  free(w);
  if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND) return 0;
  if (rc != ERROR_SUCCESS) return reg_fail(e, what, rc);
  int r = read_open_key(h, what, k, e);
  RegCloseKey(h);
  return r;
}

int plat_reg_read(const char *hkey, const char *sub, plat_regkey *k, plat_err *e) {
  static const struct { const char *name; HKEY h; } roots[] = {
    {"HKLM", HKEY_LOCAL_MACHINE}, {"HKCU", HKEY_CURRENT_USER}, {"HKCR", HKEY_CLASSES_ROOT},
    {"HKU", HKEY_USERS}, {"HKCC", HKEY_CURRENT_CONFIG},
  };
  char what[600];
  snprintf(what, sizeof what, "%s\\%s", hkey, sub);
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
    if (strcmp(roots[i].name, hkey) == 0) return read_key(roots[i].h, sub, KEY_WOW64_64KEY, what, k, e);
  return plat_fail(e, what, ERROR_INVALID_PARAMETER);
}

/* The live registry's root named hkey, or NULL. */
static HKEY live_root(const char *hkey) {
  static const struct { const char *name; HKEY h; } roots[] = {
    {"HKLM", HKEY_LOCAL_MACHINE}, {"HKCU", HKEY_CURRENT_USER}, {"HKCR", HKEY_CLASSES_ROOT},
    {"HKU", HKEY_USERS}, {"HKCC", HKEY_CURRENT_CONFIG},
  };
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
    if (strcmp(roots[i].name, hkey) == 0) return roots[i].h;
  return NULL;
}

/* 1 when the open key h is a registry link: its value SymbolicLinkValue
   is a REG_LINK (a key created with REG_OPTION_CREATE_LINK). */
static int is_link(HKEY h) {
  DWORD type = 0;
  return RegQueryValueExW(h, L"SymbolicLinkValue", NULL, &type, NULL, NULL) == ERROR_SUCCESS
         && type == REG_LINK;
}

/* Open sub below base key by key, creating what is missing, each with
   REG_OPTION_OPEN_LINK: a registry link is opened itself, never followed,
   and refused, so no link planted on the path redirects the write. *out:
   the last key, for KEY_SET_VALUE. 0, or -1 with e. */
static int create_nolink(HKEY base, const char *hkey, const char *sub, const char *what, HKEY *out,
                         plat_err *e) {
  char *part = malloc(strlen(sub) + 1);
  HKEY cur = base;
  int rc = part ? 0 : reg_fail(e, what, ERROR_NOT_ENOUGH_MEMORY);
  for (const char *p = sub; !rc && *p;) {
    size_t len = strcspn(p, "\\");
    int last = p[len] == '\0';
    memcpy(part, p, len);
    part[len] = '\0';
    wchar_t *w = w_from_utf8(part);
    HKEY next = NULL;
    LONG r = !w ? ERROR_NOT_ENOUGH_MEMORY
           : RegCreateKeyExW(cur, w, 0, NULL, REG_OPTION_NON_VOLATILE | REG_OPTION_OPEN_LINK,
                             KEY_QUERY_VALUE | (last ? KEY_SET_VALUE : KEY_CREATE_SUB_KEY) | KEY_WOW64_64KEY,
                             NULL, &next, NULL);
    free(w);
    if (cur != base) RegCloseKey(cur);
    cur = r == ERROR_SUCCESS ? next : base;
    if (r != ERROR_SUCCESS) rc = reg_fail(e, what, r);
    else if (is_link(cur))
      rc = plat_failf(e, ERROR_CANT_ACCESS_FILE, "%s\\%.*s: a registry link (SymbolicLinkValue): not "
                      "followed; the result is kept only under real keys", hkey, (int)(p + len - sub), sub);
    p += len + !last;
  }
  free(part);
  if (rc != 0 && cur != base) RegCloseKey(cur);
  if (rc == 0) *out = cur;
  return rc;
}

int plat_reg_write(const char *hkey, const char *sub, const char *name, const char *str,
                   uint32_t dword, plat_err *e) {
  char what[700];
  snprintf(what, sizeof what, "%s\\%s: %s", hkey, sub, name);
  HKEY base = live_root(hkey);
  if (!base || !*sub || sub[strlen(sub) - 1] == '\\' || strstr(sub, "\\\\") || sub[0] == '\\')
    return plat_fail(e, what, ERROR_INVALID_PARAMETER);
  wchar_t *wname = w_from_utf8(name), *wstr = str ? w_from_utf8(str) : NULL;
  if (!wname || (str && !wstr)) {
    free(wname);
    free(wstr);
    return reg_fail(e, what, ERROR_NOT_ENOUGH_MEMORY);
  }
  HKEY h;
  if (create_nolink(base, hkey, sub, what, &h, e) != 0) {
    free(wname);
    free(wstr);
    return -1;
  }
  LONG rc = str ? RegSetValueExW(h, wname, 0, REG_SZ, (const BYTE *)wstr, (DWORD)((wcslen(wstr) + 1) * sizeof *wstr))
                : RegSetValueExW(h, wname, 0, REG_DWORD, (const BYTE *)&dword, sizeof dword);
  RegCloseKey(h);
  free(wname);
  free(wstr);
  return rc == ERROR_SUCCESS ? 1 : reg_fail(e, what, rc);
}

struct plat_hive {
  HKEY h;
  char *file;
};

/* An offline hive through RegLoadAppKeyW (Vista and later, WinPE included):
   KEY_READ only, REG_PROCESS_APPKEY (no other caller may load it meanwhile);
   the hive is unloaded when its root key is closed (plat_hive_close, the
   only handle we keep: subkeys are closed as soon as they are read).
   RegLoadAppKeyW creates an empty hive when the file is missing, so the file
   is looked at first and nothing is ever written to an offline volume. A
   hive in use by a running Windows fails with ERROR_SHARING_VIOLATION. */
plat_hive *plat_hive_open(const char *file, plat_err *e) {
  char what[700];
  plat_hive *hv = calloc(1, sizeof *hv);
  wchar_t *w = w_path(file);
  DWORD attrs = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
  LONG rc = !hv ? ERROR_NOT_ENOUGH_MEMORY : !w ? (LONG)w_path_err
          : attrs == INVALID_FILE_ATTRIBUTES ? (LONG)GetLastError()
          : (attrs & FILE_ATTRIBUTE_DIRECTORY) ? ERROR_DIRECTORY   /* a folder, not a hive file */
          : RegLoadAppKeyW(w, &hv->h, KEY_READ, REG_PROCESS_APPKEY, 0);
  free(w);
  /* A key that cannot be read was never loaded (Wine's RegLoadAppKeyW is a
     stub that succeeds with a fake handle): say so here, not at the first
     subkey read. */
  int fake = 0;
  if (rc == ERROR_SUCCESS) {
    LONG q = RegQueryInfoKeyW(hv->h, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    if (q != ERROR_SUCCESS) { RegCloseKey(hv->h); rc = q; fake = 1; }
  }
  if (rc == ERROR_SUCCESS && !(hv->file = strdup(file))) {
    RegCloseKey(hv->h);
    rc = ERROR_NOT_ENOUGH_MEMORY;
  }
  if (rc != ERROR_SUCCESS) {
    snprintf(what, sizeof what, "%s: cannot load the registry hive (RegLoadAppKeyW)%s", file,
             rc == ERROR_SHARING_VIOLATION ? ": it is in use by a running Windows; read the live "
                                             "registry (no --root) or run from WinPE"
             : fake ? ": the key it gave cannot be read" : "");
    plat_fail(e, what, (int)rc);
    free(hv);
    return NULL;
  }
  return hv;
}

int plat_hive_read(plat_hive *hv, const char *sub, plat_regkey *k, plat_err *e) {
  char what[1200];
  snprintf(what, sizeof what, "%s: %s", hv->file, sub);
  return read_key(hv->h, sub, 0, what, k, e);
}

void plat_hive_close(plat_hive *hv) {
  if (!hv) return;
  RegCloseKey(hv->h);
  free(hv->file);
  free(hv);
}
