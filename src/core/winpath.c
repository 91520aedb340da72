/* winpath.c: mapping of script (Windows) paths to native ones (see winpath.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/glob.h"
#include "core/winpath.h"
#include "platform/platform.h"

#define ISSEP(c) ((c) == '\\' || (c) == '/')

void sx_winpath_init(sx_winpath *wp, const char *root) {
  wp->root = root;
  wp->sep = plat_sep();
  wp->fold_case = plat_sep() == '/';
  wp->live_windows = plat_sep() == '\\';
}

/* A growing string. */
typedef struct buf { char *s; size_t n, cap; } buf;

static int put(buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = (b->n + n + 1) * 2;
    char *p = realloc(b->s, cap);
    if (!p) return -1;
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
  return 0;
}

/* Offline meanings of the variables scripts use. */
static const struct { const char *name, *offline; } vars[] = {
  {"ProgramData", "C:\\ProgramData"},
  {"SystemDrive", "C:"},
  {"SystemRoot", "C:\\Windows"},
  {"windir", "C:\\Windows"},
};

static int ascii_ieq(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return 0;
  return 1;
}

static int var_index(const char *name, size_t n) {
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
    if (strlen(vars[i].name) == n && ascii_ieq(vars[i].name, name, n)) return (int)i;
  return -1;
}

char *sx_winpath_expand(const sx_winpath *wp, const char *s, char *err, size_t errlen) {
  buf b = {0};
  if (put(&b, "", 0) != 0) goto nomem;
  while (*s) {
    const char *end = s[0] == '%' ? strchr(s + 1, '%') : NULL;
    int i = end ? var_index(s + 1, (size_t)(end - s - 1)) : -1;
    if (i < 0) {  /* ordinary text, or an unknown %NAME% kept as written */
      size_t n = end ? (size_t)(end - s) : strcspn(s + 1, "%") + 1;
      if (put(&b, s, n) != 0) goto nomem;
      s += n;
      continue;
    }
    char *env = NULL;
    const char *val = vars[i].offline;
    if (!wp->root) {
      env = plat_getenv(vars[i].name);
      if (!env) {
        snprintf(err, errlen, "%%%s%%: not set on this system (give --root DIR to work on an offline Windows)",
                 vars[i].name);
        free(b.s);
        return NULL;
      }
      val = env;
    }
    int r = put(&b, val, strlen(val));
    free(env);
    if (r != 0) goto nomem;
    s = end + 1;
  }
  return b.s;
nomem:
  free(b.s);
  snprintf(err, errlen, "out of memory");
  return NULL;
}

/* The entry of folder dir whose name equals name case-insensitively, or NULL. */
static char *find_folded(const char *dir, const char *name) {
  plat_err e;
  plat_dir *d = plat_dir_open(dir, &e);
  plat_dirent ent;
  char *found = NULL;
  while (d && !found && plat_dir_next(d, &ent, &e) == 1)
    if (sx_glob_match(name, ent.name)) found = strdup(ent.name);
  plat_dir_close(d);
  return found;
}

/* Under a root: 0 when the link at path (below the root) leads to an
   existing place inside the root, else SX_WINPATH_LINK with err naming it. */
static int check_link(const sx_winpath *wp, const char *path, char *err, size_t errlen) {
  char *root = NULL, *to = NULL;
  plat_err e;
  int r = SX_WINPATH_LINK;
  if (plat_realpath(wp->root, &root, &e) != 0) {
    snprintf(err, errlen, "--root %s", e.msg);
  } else if (plat_realpath(path, &to, &e) != 0) {
    snprintf(err, errlen, "%s: a link that leads nowhere under --root %s (%s); "
             "sxsfix follows only links that stay inside the installation", path, wp->root, e.msg);
  } else {
    size_t n = strlen(root);
    while (n > 1 && ISSEP(root[n - 1])) n--;  /* "/" and "C:\" keep their separator */
    int inside = wp->sep == '\\' ? ascii_ieq(to, root, n) : strncmp(to, root, n) == 0;
    if (inside && (ISSEP(root[n - 1]) || to[n] == '\0' || ISSEP(to[n]))) r = 0;
    else snprintf(err, errlen, "%s: a link to %s, outside --root %s; sxsfix never follows a link "
                  "out of the installation (remove the link, or give its target as --root)",
                  path, to, wp->root);
  }
  free(root);
  free(to);
  return r;
}

/* Below a root: whether the existing entry b->s is a link that escapes it.
   1 it exists (checked), 0 it does not exist, SX_WINPATH_LINK refused. */
static int check_entry(const sx_winpath *wp, const char *path, char *err, size_t errlen) {
  plat_info st;
  plat_err e;
  if (plat_stat(path, 0, &st, &e) != 0) return 0;
  if (st.type == PLAT_LINK && check_link(wp, path, err, errlen) != 0) return SX_WINPATH_LINK;
  return 1;
}

/* Append the components of rest (separated by '\' or '/') below the root
   already in b; "." is dropped and ".." never climbs above the root. Each
   existing component is checked: a link must stay inside the root. */
static int append_components(const sx_winpath *wp, buf *b, const char *rest, char *err, size_t errlen) {
  size_t rootlen = b->n;
  int resolving = wp->fold_case, checking = 1;
  while (*rest) {
    while (ISSEP(*rest)) rest++;
    size_t n = strcspn(rest, "\\/");
    if (n == 0) break;
    const char *comp = rest;
    rest += n;
    if (n == 1 && comp[0] == '.') continue;
    if (n == 2 && comp[0] == '.' && comp[1] == '.') {
      while (b->n > rootlen && !ISSEP(b->s[b->n - 1])) b->n--;
      if (b->n > rootlen) b->n--;
      b->s[b->n] = '\0';
      resolving = 0;  /* the folder we left may have been re-spelled: stop guessing */
      continue;
    }
    size_t before = b->n;
    if (b->n == 0 || !ISSEP(b->s[b->n - 1])) {
      if (put(b, &wp->sep, 1) != 0) return -1;
    }
    if (put(b, comp, n) != 0) return -1;
    if (!checking) continue;
    int c = check_entry(wp, b->s, err, errlen);
    if (c == SX_WINPATH_LINK) return c;
    if (c == 1) continue;  /* exists as spelled */
    if (!resolving) { checking = 0; continue; }
    char *name = NULL, *want = malloc(n + 1);
    if (!want) return -1;
    memcpy(want, comp, n);
    want[n] = '\0';
    char save = b->s[before];
    b->s[before] = '\0';  /* b->s is now the parent folder */
    if (!sx_glob_has_wildcard(want)) name = find_folded(before ? b->s : ".", want);
    b->s[before] = save;
    free(want);
    if (!name) {
      resolving = checking = 0;  /* does not exist: keep this and later spellings */
      continue;
    }
    b->n = b->n - n;
    int r = put(b, name, strlen(name));
    free(name);
    if (r != 0) return -1;
    if (check_entry(wp, b->s, err, errlen) == SX_WINPATH_LINK) return SX_WINPATH_LINK;
  }
  return 0;
}

int sx_winpath_check(const sx_winpath *wp, const char *path, char *err, size_t errlen) {
  if (!wp->root) return 0;
  size_t n = strlen(wp->root);
  while (n > 0 && ISSEP(wp->root[n - 1])) n--;
  if (strncmp(path, wp->root, n) != 0 || (path[n] && !ISSEP(path[n]))) return 0;  /* not below it */
  buf b = {0};
  if (put(&b, path, n) != 0) goto nomem;
  for (const char *p = path + n; *p;) {
    size_t sep = strspn(p, "\\/"), len = strcspn(p + sep, "\\/");
    if (len == 0) break;
    if (put(&b, p, sep + len) != 0) goto nomem;
    p += sep + len;
    if (len == 2 && b.s[b.n - 1] == '.' && b.s[b.n - 2] == '.') break;  /* lexical from here */
    int c = check_entry(wp, b.s, err, errlen);
    if (c != 1) { free(b.s); return c; }
  }
  free(b.s);
  return 0;
nomem:
  free(b.s);
  snprintf(err, errlen, "%s: out of memory", path);
  return -1;
}

/* Under a root on another drive letter (D:\ under WinPE), a path below
   it (as fs.map returns them) is native already, as /mnt/win/x is. */
static int below_drive_root(const char *root, const char *p) {
  size_t n = root ? strlen(root) : 0;
  while (n > 3 && ISSEP(root[n - 1])) n--;
  if (n < 2 || !isalpha((unsigned char)root[0]) || root[1] != ':' || !ascii_ieq(p, root, n)) return 0;
  return p[n] == '\0' || ISSEP(p[n]) || ISSEP(root[n - 1]);
}

int sx_winpath_map(const sx_winpath *wp, const char *path, char **out, char *err, size_t errlen) {
  char *s = sx_winpath_expand(wp, path, err, errlen);
  if (!s) return -1;
  const char *p = s;
  if ((strncmp(p, "\\\\?\\", 4) == 0 || strncmp(p, "\\\\.\\", 4) == 0) && isalpha((unsigned char)p[4]) &&
      p[5] == ':')
    p += 4;  /* \\?\C:\x is C:\x */
  int drive = 0;
  const char *rest = NULL;
  if (isalpha((unsigned char)p[0]) && p[1] == ':') {
    drive = toupper((unsigned char)p[0]);
    rest = p + 2;
  } else if (wp->root && p[0] == '\\' && p[1] != '\\') {
    drive = 'C';  /* \Windows: the current (system) drive */
    rest = p;
  }
  if (!drive && wp->root && wp->sep == '/' && p[0] == '\\' && p[1] == '\\') {
    /* \\server\share, \\?\UNC\..., \\.\device: not on the offline volume,
       and never a path here (it would name a file in the current folder) */
    snprintf(err, errlen, "%s: a network or device path; only the system drive C: maps into --root %s",
             path, wp->root);
    free(s);
    return -1;
  }
  if (!drive || (!wp->root && wp->live_windows) || (drive != 'C' && below_drive_root(wp->root, p))) {  /* native: unchanged */
    if (p != s) memmove(s, p, strlen(p) + 1);
    *out = s;
    return 0;
  }
  if (!wp->root) {
    snprintf(err, errlen, "%s: a Windows path; on this system give --root DIR (the Windows volume)", path);
    free(s);
    return -1;
  }
  if (drive != 'C') {
    snprintf(err, errlen, "%s: only the system drive C: maps into --root %s", path, wp->root);
    free(s);
    return -1;
  }
  buf b = {0};
  int r = put(&b, wp->root, strlen(wp->root));
  if (r == 0) r = append_components(wp, &b, rest, err, errlen);
  free(s);
  if (r != 0) {
    free(b.s);
    if (r != SX_WINPATH_LINK) snprintf(err, errlen, "%s: out of memory", path);
    return r;
  }
  *out = b.s;
  return 0;
}

/* ---- path helpers ------------------------------------------------------ */

static size_t rootlen(const char *p) {
  if (isalpha((unsigned char)p[0]) && p[1] == ':') return ISSEP(p[2]) ? 3 : 2;
  if (ISSEP(p[0])) return 1;
  return 0;
}

int sx_path_isabs(const char *p) {
  return ISSEP(p[0]) || (isalpha((unsigned char)p[0]) && p[1] == ':' && ISSEP(p[2]));
}

const char *sx_path_base(const char *p, size_t *len) {
  size_t r = rootlen(p), n = strlen(p);
  while (n > r && ISSEP(p[n - 1])) n--;
  size_t start = n;
  while (start > r && !ISSEP(p[start - 1])) start--;
  *len = n - start;
  return p + start;
}

size_t sx_path_dirlen(const char *p) {
  size_t r = rootlen(p), blen;
  const char *base = sx_path_base(p, &blen);
  size_t n = (size_t)(base - p);
  while (n > r && ISSEP(p[n - 1])) n--;
  return n;
}

char *sx_path_join(const char *a, const char *b, char dflt) {
  if (!a[0]) return strdup(b);
  if (!b[0]) return strdup(a);
  size_t la = strlen(a), lb = strlen(b);
  char sep;
  int need;
  if (!dflt) {  /* native: the platform's separator, always there between a and b */
    sep = plat_sep();
    need = a[la - 1] != sep;
  } else {
    sep = strchr(a, '/') ? '/' : strchr(a, '\\') ? '\\' : dflt;
    need = !ISSEP(a[la - 1]) && !(la == 2 && a[1] == ':' && isalpha((unsigned char)a[0]));
  }
  char *r = malloc(la + lb + 2);
  if (!r) return NULL;
  memcpy(r, a, la);
  if (need) r[la++] = sep;
  for (size_t i = 0; i <= lb; i++) r[la + i] = (sep == '\\' || !dflt) && b[i] == '/' ? sep : b[i];
  return r;
}
