/* reg.c: key names, value decoding, and the offline hive source (see reg.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/glob.h"
#include "core/reg.h"

const char *sx_reg_typename(uint32_t type, char *buf, size_t len) {
  static const char *names[] = {
    "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN",
    "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR",
    "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
  };
  if (type < sizeof names / sizeof names[0]) return names[type];
  snprintf(buf, len, "REG_0x%x", (unsigned)type);
  return buf;
}

static const struct { const char *shortname, *longname; } roots[] = {
  {"HKLM", "HKEY_LOCAL_MACHINE"}, {"HKCU", "HKEY_CURRENT_USER"}, {"HKCR", "HKEY_CLASSES_ROOT"},
  {"HKU", "HKEY_USERS"}, {"HKCC", "HKEY_CURRENT_CONFIG"},
};

static int ieq(const char *a, const char *b, size_t n) {  /* ASCII, a has length n */
  for (size_t i = 0; i < n; i++)
    if (!b[i] || tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return 0;
  return b[n] == '\0';
}

const char *sx_reg_splitkey(const char *key, const char **rest) {
  size_t n = strcspn(key, "\\");
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
    if (ieq(key, roots[i].shortname, n) || ieq(key, roots[i].longname, n)) {
      *rest = key[n] ? key + n + 1 : key + n;
      return roots[i].shortname;
    }
  }
  return NULL;
}

const char *sx_reg_longroot(const char *root) {
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
    if (strcmp(roots[i].shortname, root) == 0) return roots[i].longname;
  return root;
}

const char *sx_reg_offline_hive(const char *root, const char *rest, const char **sub) {
  static const char *hives[] = {"SAM", "SECURITY", "SOFTWARE", "SYSTEM"};
  if (strcmp(root, "HKLM") != 0) return NULL;
  size_t n = strcspn(rest, "\\");
  for (size_t i = 0; i < sizeof hives / sizeof hives[0]; i++) {
    if (ieq(rest, hives[i], n)) {
      *sub = rest[n] ? rest + n + 1 : rest + n;
      return hives[i];
    }
  }
  return NULL;
}

int sx_reg_name_eq(const char *a, const char *b) {
  if (!sx_glob_has_wildcard(a)) return sx_glob_match(a, b);  /* no wildcard: a folded compare */
  size_t n = strlen(a);
  return ieq(a, b, n);
}

static size_t put_utf8(char *o, uint32_t c) {
  if (c < 0x80) { o[0] = (char)c; return 1; }
  if (c < 0x800) { o[0] = (char)(0xC0 | c >> 6); o[1] = (char)(0x80 | (c & 0x3F)); return 2; }
  if (c < 0x10000) {
    o[0] = (char)(0xE0 | c >> 12); o[1] = (char)(0x80 | ((c >> 6) & 0x3F)); o[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | c >> 18); o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((c >> 6) & 0x3F)); o[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

char *sx_utf16le_to_utf8(const unsigned char *d, size_t len, size_t *outlen) {
  size_t units = len / 2;
  char *out = malloc(units * 3 + 1), *o = out;
  if (!out) return NULL;
  for (size_t i = 0; i < units; i++) {
    uint32_t c = d[2 * i] | (uint32_t)d[2 * i + 1] << 8;
    if (c == 0) break;
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
      uint32_t c2 = d[2 * i + 2] | (uint32_t)d[2 * i + 3] << 8;
      if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
        i++;
      } else {
        c = 0xFFFD;
      }
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    o += put_utf8(o, c);
  }
  *o = '\0';
  *outlen = (size_t)(o - out);
  return out;
}

/* The path below the hive's root with each component spelled as stored:
   a malloc'd string, NULL when a component is absent (*rc 0) or on error
   (*rc -1, e filled). */
static char *stored_path(plat_hive *h, const char *sub, int *rc, plat_err *e) {
  size_t cap = strlen(sub) * 4 + 1, len = 0;
  char *path = malloc(cap);
  if (!path) { *rc = plat_fail(e, sub, plat_errcode(PLAT_E_NOMEM)); return NULL; }
  path[0] = '\0';
  for (const char *p = sub; *p;) {
    size_t n = strcspn(p, "\\");
    char name[512];
    if (n >= sizeof name) { free(path); *rc = 0; return NULL; }  /* longer than any name */
    memcpy(name, p, n);
    name[n] = '\0';
    p += n + (p[n] != '\0');
    if (n == 0) continue;
    plat_regkey k;
    int r = plat_hive_read(h, path, &k, e);
    const char *found = NULL;
    for (size_t i = 0; r == 1 && i < k.nsubkeys && !found; i++)
      if (sx_reg_name_eq(name, k.subkeys[i])) found = k.subkeys[i];
    if (found && len + strlen(found) + 2 <= cap) {
      len += (size_t)snprintf(path + len, cap - len, "%s%s", len ? "\\" : "", found);
    } else {
      found = NULL;
    }
    if (r == 1) plat_regkey_free(&k);
    if (!found) { free(path); *rc = r < 0 ? -1 : 0; return NULL; }
  }
  return path;
}

int sx_hive_read(plat_hive *h, const char *sub, plat_regkey *k, plat_err *e) {
  int ascii = 1;
  for (const char *p = sub; *p; p++) ascii &= (unsigned char)*p < 0x80;
  if (ascii) return plat_hive_read(h, sub, k, e);
  int rc;
  char *path = stored_path(h, sub, &rc, e);
  if (!path) return rc;
  rc = plat_hive_read(h, path, k, e);
  free(path);
  return rc;
}
