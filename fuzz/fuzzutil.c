/* fuzzutil.c: see fuzzutil.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "fuzzutil.h"
#include "platform/platform.h"

static char tmp[1024];

/* libFuzzer calls this once: the process set up as sxsfix's main does it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  plat_init(argc, argv);
  return 0;
}

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

static uint8_t take(const uint8_t **d, size_t *n) {
  if (!*n) return 0;
  (*n)--;
  return *(*d)++;
}

void fz_tree(const char *root, const uint8_t **data, size_t *n) {
  static const char *const contents[] = { "", "a", "bb bb", "a longer content, for size" };
  static const unsigned modes[] = { 0644, 0600, 0755, 0444 };
  plat_err e;
  plat_mkdirs(root, &e);
  char cur[512];
  snprintf(cur, sizeof cur, "%s", root);
  for (int i = 0; i < 24 && *n; i++) {
    uint8_t op = take(data, n), nm = take(data, n), ct = take(data, n), md = take(data, n);
    if (op % 5 == 4) {  /* up one folder */
      char *s = strrchr(cur, '/');
      if (strlen(cur) > strlen(root) && s) *s = '\0';
      continue;
    }
    char name[8], *p;
    snprintf(name, sizeof name, "n%u", nm % 6);
    p = fz_join(cur, name);
    plat_info st;
    if (plat_stat(p, 0, &st, &e) == 0) {  /* exists: go into it when a folder */
      if (st.type == PLAT_DIR && strlen(p) < sizeof cur - 16) snprintf(cur, sizeof cur, "%s", p);
      free(p);
      continue;
    }
    plat_meta m = {0};
    if (op % 5 == 0) {
      plat_mkdirs(p, &e);
      if (strlen(p) < sizeof cur - 16) snprintf(cur, sizeof cur, "%s", p);
    } else {
      fz_write(p, contents[ct % 4], strlen(contents[ct % 4]));
    }
    plat_meta_get(p, PLAT_META_ALL, &m, &e);
    m.mode = (m.mode & ~07777u) | (op % 5 == 0 ? (modes[md % 4] | 0700) : modes[md % 4]);
    m.mtime_ns = 1600000000000000000LL + (int64_t)(ct % 3) * 1000000000 + (md % 7) * 100;
    m.atime_ns = m.mtime_ns;
    plat_meta_set(p, PLAT_META_OWNER | PLAT_META_TIMES, &m, &e);
    plat_meta_free(&m);
    if (op % 5 == 3) {
      plat_meta x = {0};
      x.x = malloc(sizeof *x.x);
      x.x[0].name = strdup("user.sxsfix.fuzz");
      x.x[0].value = (unsigned char *)strdup(contents[md % 4]);
      x.x[0].len = strlen(contents[md % 4]);
      x.nx = 1;
      plat_meta_set(p, PLAT_META_XATTRS, &x, &e);  /* no user xattrs here: none */
      plat_meta_free(&x);
    }
    free(p);
  }
}

typedef struct sbuf { char *s; size_t n, cap; } sbuf;

static void sadd(sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (b->n + (size_t)k + 1 > b->cap) {
    b->cap = (b->n + (size_t)k + 1) * 2;
    b->s = realloc(b->s, b->cap);
    if (!b->s) abort();
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)k;
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void snap(sbuf *b, const char *root, const char *rel) {
  char *p = *rel ? fz_join(root, rel) : strdup(root);
  plat_info st;
  plat_err e;
  if (plat_stat(p, 0, &st, &e) != 0) { sadd(b, "%s: gone\n", rel); free(p); return; }
  sadd(b, "/%s type %d size %llu", rel, (int)st.type, (unsigned long long)(st.type == PLAT_DIR ? 0 : st.size));
  if (st.type != PLAT_LINK) {
    plat_meta m;
    if (plat_meta_get(p, PLAT_META_ALL, &m, &e) == 0) {
      sadd(b, " mode %o uid %u gid %u mtime %lld", m.mode, m.uid, m.gid, (long long)m.mtime_ns);
      for (size_t i = 0; i < m.nx; i++) {
        sadd(b, " %s=", m.x[i].name);
        for (size_t k = 0; k < m.x[i].len; k++) sadd(b, "%02x", m.x[i].value[k]);
      }
      plat_meta_free(&m);
    }
  }
  if (st.type == PLAT_FILE) {
    char *data;
    size_t len;
    if (plat_read_file(p, &data, &len, &e) == 0) {
      uint64_t h = 1469598103934665603ULL;
      for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
      sadd(b, " data %016llx", (unsigned long long)h);
      free(data);
    } else sadd(b, " unreadable");
  }
  sadd(b, "\n");
  if (st.type == PLAT_DIR) {
    DIR *d = opendir(p);
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
      if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
      names = realloc(names, (n + 1) * sizeof *names);
      names[n++] = strdup(de->d_name);
    }
    if (d) closedir(d);
    if (n) qsort(names, n, sizeof *names, cmpstr);
    for (size_t i = 0; i < n; i++) {
      char *r = *rel ? fz_join(rel, names[i]) : strdup(names[i]);
      snap(b, root, r);
      free(r);
      free(names[i]);
    }
    free(names);
  }
  free(p);
}

char *fz_snapshot(const char *root) {
  sbuf b = { NULL, 0, 0 };
  sadd(&b, "");
  snap(&b, root, "");
  return b.s;
}
