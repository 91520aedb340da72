/* remount.c: a journal written under one --root, rolled back under another.
**
** A copy under --root records the root's resolved path ("mount PATH",
** journal.c). The Windows volume may be mounted elsewhere at the rollback
** (another rescue system's /media/..., another drive letter under WinPE):
** every path the journal names below its recorded root is then read below
** the rollback's root instead. The mapped paths still go through the
** boundary check of rollback.c (inside the root, no "." or "..", no link
** out of it), so the mapping can only move a path into the new root.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy_int.h"

static int issep(char c) { return c == '/' || c == '\\'; }

/* When path is base or lies below it, component by component (ASCII case
   folded where the file system folds it, '/' and '\' alike there): 1 and
   in *n how much of path base covers; else 0. */
static int below(const char *path, const char *base, size_t *n) {
  int fold = plat_sep() == '\\';
  size_t k = strlen(base);
  while (k > 1 && issep(base[k - 1]) && base[k - 2] != ':') k--;  /* "/" and "D:\" stay */
  for (size_t i = 0; i < k; i++) {
    char a = path[i], b = base[i];
    if (fold && a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
    if (fold && b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
    if (a != b && !(fold && issep(a) && issep(b))) return 0;  /* also the end of path */
  }
  if (!issep(base[k - 1]) && path[k] && !issep(path[k])) return 0;  /* /mnt/win is not /mnt/win2 */
  *n = k;
  return 1;
}

int journal_mount_ok(const char *p) {
  if (!sx_path_isabs(p) || (plat_sep() == '\\') != (p[0] != '/')) return 0;  /* this system's kind */
  for (const char *c = p; *c;) {
    c += strspn(c, "/\\");
    size_t k = strcspn(c, "/\\");
    if ((k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.')) return 0;
    c += k;
  }
  return 1;
}

int journal_mount_record(copy_journal *j, const char *root, plat_err *e) {
  char *real = NULL;
  int rc = plat_realpath(root, &real, e);
  if (!rc) rc = journal_record(j, "mount", real, NULL, JOURNAL_NOW, e);
  free(real);
  return rc;
}

/* path with its first n bytes replaced by to (malloc'd). */
static char *moved(const char *path, size_t n, const char *to) {
  const char *rest = path + n;
  rest += strspn(rest, "/\\");
  size_t t = strlen(to);
  char *s = malloc(t + strlen(rest) + 2);
  if (!s) return NULL;
  int join = *rest && t && !issep(to[t - 1]);
  sprintf(s, "%s%s%s", to, join ? (plat_sep() == '\\' ? "\\" : "/") : "", rest);
  return s;
}

/* Mount point base lies strictly above path (path is below it, not it). */
static int strictly_below(const char *path, const char *base) {
  size_t n;
  return below(path, base, &n) && path[n + strspn(path + n, "/\\")] != '\0';
}

int journal_remount(journal_log *j, const char *real, plat_err *e) {
  if (!j->mount || !real) return 0;  /* an older journal, or not under --root: as written */
  size_t n;
  if (below(real, j->mount, &n) && !strictly_below(real, j->mount)) return 0;  /* the same mount point */
  if (strictly_below(real, j->mount))
    return plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL),
                      "%s:%lu: written under --root %s, which holds --root %s (expected the volume's mount "
                      "point then, not a folder above it); nothing rolled back",
                      j->path, (unsigned long)j->mountline, j->mount, real);
  const char **paths[] = { &j->dst, &j->backup };
  for (int i = 0; i < 2; i++) {
    if (!*paths[i] || !below(*paths[i], j->mount, &n)) continue;  /* outside: the boundary check refuses it */
    char *m = moved(*paths[i], n, real);
    if (!m) return plat_fail(e, j->path, ENOMEM_CODE);
    j->mapped[i] = m;
    *paths[i] = m;
  }
  return 0;
}

int copy_journal_mount_path(const char *journal, const char *root, char **out, plat_err *e) {
  *out = NULL;
  journal_log log;
  char *real = NULL, *rj = NULL;
  if (journal_load(&log, journal, e) != 0) return -1;
  int rc = 0;
  size_t n;
  if (log.mount && root) {
    rc = plat_realpath(root, &real, e);
    if (!rc) rc = plat_realpath(journal, &rj, e);
    if (!rc && below(rj, real, &n) && !(*out = moved(rj, n, log.mount))) rc = plat_fail(e, journal, ENOMEM_CODE);
  }
  free(real);
  free(rj);
  journal_log_free(&log);
  return rc;
}
