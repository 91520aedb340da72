/* harness.c: temporary folders and paths for the unit tests, through the
   platform layer, so the same tests run on POSIX and on Windows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "platform/platform.h"

int th_tempdir_setup(void **state) {
  char *buf = malloc(1024);
  plat_err e;
  if (!buf || plat_mkdtemp("sxsfix-test", buf, 1024, &e) != 0) {
    fprintf(stderr, "cannot make a temporary folder: %s\n", buf ? e.msg : "no memory");
    free(buf);
    return -1;
  }
  *state = buf;
  return 0;
}

int th_tempdir_teardown(void **state) {
  plat_err e;
  int rc = plat_remove_tree(*state, &e);
  if (rc != 0) fprintf(stderr, "cannot remove %s: %s\n", (char *)*state, e.msg);
  free(*state);
  return rc;
}

const char *th_join(const char *dir, const char *name) {
  static char bufs[8][4096];
  static int k;
  char *b = bufs[k++ % 8];
  snprintf(b, sizeof bufs[0], "%s%c%s", dir, plat_sep(), name);
  return b;
}

void th_put(const char *root, const char *rel, const char *text, int64_t mtime) {
  char *p = strdup(th_join(root, rel)), *parent = p ? strdup(p) : NULL;
  assert_non_null(parent);
  char *s1 = strrchr(parent, '/'), *s2 = strrchr(parent, '\\');
  *(s1 > s2 ? s1 : s2) = '\0';
  plat_err e;
  assert_int_equal(plat_mkdirs(parent, &e), 0);
  assert_int_equal(plat_write_file(p, text, strlen(text), &e), 0);
  plat_meta m;
  assert_int_equal(plat_meta_get(p, PLAT_META_TIMES, &m, &e), 0);
  m.mtime_ns = mtime;
  assert_int_equal(plat_meta_set(p, PLAT_META_TIMES, &m, &e), 0);
  free(parent);
  free(p);
}

char *th_get(const char *root, const char *rel) {
  char *data = NULL;
  size_t len;
  plat_err e;
  return plat_read_file(th_join(root, rel), &data, &len, &e) == 0 ? data : NULL;
}

int th_expect_wine(void) {
  char *v = plat_getenv("SXSFIX_EXPECT_WINE");
  int yes = v && strcmp(v, "1") == 0;
  free(v);
  return yes;
}

int th_under_wine(void) {
  return plat_wine_version() != NULL;
}

const char *th_testdata(const char *rel) {
  static char buf[8][4096];
  static int k;
  char *root = plat_getenv("SXSFIX_TESTDATA");
  if (!root) return NULL;
  char *b = buf[k++ % 8];
  snprintf(b, sizeof buf[0], "%s/%s", root, rel);
  free(root);
  plat_info st;
  plat_err e;
  return plat_stat(b, 1, &st, &e) == 0 ? b : NULL;
}
