/*
** trust.c: settings and scripts are code. An elevated sxsfix runs --config
** FILE and --scripts DIR with administrator (root) rights, so anyone who can
** change them could run anything as an administrator. When elevated, each
** must be writable only by administrators: the file or folder itself, every
** file and folder under a scripts folder (no links), and every folder above
** them, as given and as resolved (a folder on the way may not let anyone
** else rename or replace its entries).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/winpath.h"
#include "host/host.h"
#include "platform/platform.h"

#define ISSEP(c) ((c) == '/' || (c) == '\\')
#define MAX_ENTRIES 20000  /* a scripts folder is small; bound the walk */

/* Every folder above path (an absolute path), from the top down. Links on
   the way are skipped here: the folder holding a link is checked, and the
   resolved path is checked on its own. */
static int check_above(const char *path, plat_err *e) {
  char *p = strdup(path);
  if (!p) return plat_fail(e, path, plat_errcode(PLAT_E_NOMEM));
  int rc = 0;
  size_t n = strlen(p);
  while (n > 1 && ISSEP(p[n - 1])) p[--n] = '\0';  /* "dir/" is dir */
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (!ISSEP(p[i]) || (i > 0 && ISSEP(p[i - 1]))) continue;
    char keep = p[i + 1];
    p[i + 1] = '\0';  /* "/", "/a/", "C:\", "C:\a\" */
    plat_info st;
    if (plat_stat(p, 0, &st, e) != 0) rc = -1;
    else if (st.type != PLAT_LINK) rc = plat_check_parent(p, e);
    p[i + 1] = keep;
  }
  free(p);
  return rc;
}

/* Every entry under folder dir, recursively: private, no links. */
static int check_tree(const char *dir, int depth, int *count, plat_err *e) {
  if (depth > 16) return plat_fail(e, dir, plat_errcode(PLAT_E_INVAL));
  plat_dir *d = plat_dir_open(dir, e);
  if (!d) return -1;
  plat_dirent ent;
  int r, rc = 0;
  while (rc == 0 && (r = plat_dir_next(d, &ent, e)) == 1) {
    if (++*count > MAX_ENTRIES) { rc = plat_fail(e, dir, plat_errcode(PLAT_E_INVAL)); break; }
    char *p = sx_path_join(dir, ent.name, 0);
    if (!p) { rc = plat_fail(e, dir, plat_errcode(PLAT_E_NOMEM)); break; }
    rc = plat_check_private(p, e);
    if (rc == 0 && ent.type == PLAT_DIR) rc = check_tree(p, depth + 1, count, e);
    free(p);
  }
  if (rc == 0 && r < 0) rc = -1;
  plat_dir_close(d);
  return rc;
}

int host_check_code(const char *path, int tree, plat_err *e) {
  char *real = NULL, *cwd = NULL, *abs = NULL;
  int rc = plat_realpath(path, &real, e);
  if (rc == 0) rc = plat_check_private(real, e);
  if (rc == 0) rc = check_above(real, e);
  if (rc == 0) {  /* the path as given: links on the way must sit in safe folders */
    int absolute = ISSEP(path[0]) || (path[0] && path[1] == ':');
    if (!absolute && plat_realpath(".", &cwd, e) != 0) rc = -1;
    if (rc == 0) {
      abs = cwd ? sx_path_join(cwd, path, 0) : strdup(path);
      if (!abs) rc = plat_fail(e, path, plat_errcode(PLAT_E_NOMEM));
    }
    if (rc == 0) rc = check_above(abs, e);
  }
  int count = 0;
  if (rc == 0 && tree) rc = check_tree(real, 0, &count, e);
  free(real);
  free(cwd);
  free(abs);
  return rc;
}
