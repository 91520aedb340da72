/* fuzzutil.c: see fuzzutil.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "fuzzutil.h"
#include "platform/platform.h"

static char tmp[1024];

static void cleanup(void) {
  if (tmp[0]) fz_rmtree(tmp);
}

const char *fz_tmpdir(void) {
  if (!tmp[0]) {
    plat_err e;
    if (plat_mkdtemp("sxsfix-fuzz", tmp, sizeof tmp, &e) != 0) {
      fprintf(stderr, "fuzz: %s\n", e.msg);
      abort();
    }
    atexit(cleanup);
  }
  return tmp;
}

char *fz_cstr(const uint8_t *data, size_t n) {
  char *s = malloc(n + 1);
  if (!s) abort();
  memcpy(s, data, n);
  s[n] = '\0';
  return s;
}

void fz_write(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
    perror(path);
    abort();
  }
}

char *fz_join(const char *a, const char *b) {
  char *s = malloc(strlen(a) + strlen(b) + 2);
  if (!s) abort();
  sprintf(s, "%s/%s", a, b);
  return s;
}

void fz_only(const char *dir, ...) {
  DIR *d = opendir(dir);
  FZ_CHECK(d != NULL, "%s is gone", dir);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    int ok = 0;
    va_list ap;
    va_start(ap, dir);
    for (const char *n; (n = va_arg(ap, const char *)) != NULL;) ok |= !strcmp(n, de->d_name);
    va_end(ap);
    FZ_CHECK(ok, "%s holds '%s', written outside the destination", dir, de->d_name);
  }
  closedir(d);
}

void fz_rmtree(const char *path) {
  plat_err e;
  plat_remove_tree(path, &e);
}
