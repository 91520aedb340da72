/* copywalk.c: what the engine's files share: the destination walked on
   folder handles, the content hash, the data copy, time comparison. */
#include <stdlib.h>
#include <string.h>

#include "core/copy_int.h"

/* ---- the walk ------------------------------------------------------------ */

int copy_walk_open(copy_walk *w, const char *root, plat_err *e) {
  memset(w, 0, sizeof *w);
  plat_dirh *d = plat_dirh_open(root, e);
  if (!d) return -1;
  w->cap = 16;
  w->h = malloc(w->cap * sizeof *w->h);
  w->names = malloc(w->cap * sizeof *w->names);
  if (!w->h || !w->names) {
    plat_dirh_close(d);
    free(w->h), free(w->names);
    memset(w, 0, sizeof *w);
    return plat_fail(e, root, ENOMEM_CODE);
  }
  w->h[0] = d;
  w->names[0] = NULL;
  w->n = 1;
  return 0;
}

static void pop_to(copy_walk *w, size_t n) {
  while (w->n > n) {
    w->n--;
    plat_dirh_close(w->h[w->n]);
    free(w->names[w->n]);
  }
}

void copy_walk_close(copy_walk *w) {
  if (!w->h) return;
  pop_to(w, 0);
  free(w->h);
  free(w->names);
  memset(w, 0, sizeof *w);
}

/* Open the first k components of rel, reusing the folders already open. */
static plat_dirh *walk_to(copy_walk *w, const char *rel, size_t k, plat_err *e) {
  const char *c = rel;
  if (!w->h) { plat_fail(e, rel, plat_errcode(PLAT_E_INVAL)); return NULL; }  /* not open */
  for (size_t i = 1; i <= k; i++) {
    size_t len = strcspn(c, "/");
    if (i < w->n && strlen(w->names[i]) == len && memcmp(w->names[i], c, len) == 0) {
      c += len + (c[len] == '/');
      continue;
    }
    pop_to(w, i);
    char *name = malloc(len + 1);
    if (!name) { plat_fail(e, rel, ENOMEM_CODE); return NULL; }
    memcpy(name, c, len);
    name[len] = '\0';
    if (w->n == w->cap) {
      size_t cap = w->cap * 2;
      plat_dirh **nh = realloc(w->h, cap * sizeof *nh);
      if (nh) w->h = nh;
      char **nn = nh ? realloc(w->names, cap * sizeof *nn) : NULL;
      if (nn) w->names = nn;
      if (!nh || !nn) { free(name); plat_fail(e, rel, ENOMEM_CODE); return NULL; }
      w->cap = cap;
    }
    plat_dirh *d = plat_dirh_sub(w->h[w->n - 1], name, e);
    if (!d) { free(name); return NULL; }
    w->h[w->n] = d;
    w->names[w->n] = name;
    w->n++;
    c += len + (c[len] == '/');
  }
  pop_to(w, k + 1);  /* nothing deeper stays open (Windows could not remove it) */
  return w->h[k];
}

static size_t ncomp(const char *rel) {
  if (!*rel) return 0;
  size_t n = 1;
  for (const char *p = rel; *p; p++) n += *p == '/';
  return n;
}

plat_dirh *copy_walk_parent(copy_walk *w, const char *rel, const char **leaf, plat_err *e) {
  size_t k = ncomp(rel);
  const char *slash = strrchr(rel, '/');
  *leaf = k == 0 ? NULL : slash ? slash + 1 : rel;
  return walk_to(w, rel, k ? k - 1 : 0, e);
}

plat_dirh *copy_walk_dir(copy_walk *w, const char *rel, plat_err *e) {
  return walk_to(w, rel, ncomp(rel), e);
}

/* ---- content hash -------------------------------------------------------- */

#define K1 0x9E3779B97F4A7C15ULL
#define K2 0xff51afd7ed558ccdULL

static uint64_t mix(uint64_t h, uint64_t v) {
  h = (h ^ v) * K2;
  return h ^ (h >> 31);
}

static uint64_t word(const unsigned char *p) {  /* little-endian on every host */
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
         (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

void copy_hash_init(copy_hash *c) { memset(c, 0, sizeof *c); c->h = K1; }

void copy_hash_add(copy_hash *c, const void *data, size_t n) {
  const unsigned char *p = data;
  c->len += n;
  while (c->nt && c->nt < 8 && n) { c->t[c->nt++] = *p++; n--; if (c->nt == 8) { c->h = mix(c->h, word(c->t)); c->nt = 0; } }
  for (; n >= 8; p += 8, n -= 8) c->h = mix(c->h, word(p));
  while (n--) c->t[c->nt++] = *p++;
}

uint64_t copy_hash_end(copy_hash *c) {
  unsigned char t[8] = {0};
  memcpy(t, c->t, c->nt);
  uint64_t h = mix(mix(c->h, word(t)), c->len);
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

/* ---- data ------------------------------------------------------------------ */

enum { BUF = 1 << 18 };

int copy_stream(plat_file *src, plat_file *dst, uint64_t *bytes, uint64_t *hash, plat_err *e) {
  char *buf = malloc(BUF);
  if (!buf) return plat_fail(e, "(copy)", ENOMEM_CODE);
  copy_hash c;
  copy_hash_init(&c);
  int rc = 0;
  for (;;) {
    size_t got = 0;
    if ((rc = plat_read(src, buf, BUF, &got, e)) != 0 || got == 0) break;
    copy_hash_add(&c, buf, got);
    if (dst && (rc = plat_write(dst, buf, got, e)) != 0) break;
  }
  free(buf);
  *bytes = c.len;
  *hash = copy_hash_end(&c);
  return rc;
}

int copy_sum(plat_file *f, uint64_t *size, uint64_t *hash, plat_err *e) {
  return copy_stream(f, NULL, size, hash, e);
}

int copy_files_equal(plat_file *fa, plat_file *fb, int *equal, plat_err *e) {
  enum { N = 1 << 16 };
  char *ba = malloc(N), *bb = malloc(N);
  int rc = ba && bb ? 0 : plat_fail(e, "(compare)", ENOMEM_CODE);
  *equal = 1;
  while (rc == 0) {
    size_t na = 0, nb = 0, more;
    if ((rc = plat_read(fa, ba, N, &na, e)) != 0) break;
    while (nb < na && (rc = plat_read(fb, bb + nb, na - nb, &more, e)) == 0 && more) nb += more;
    if (rc) break;
    if (na != nb || memcmp(ba, bb, na) != 0) { *equal = 0; break; }
    if (na == 0) {  /* a at its end: b must be too */
      if ((rc = plat_read(fb, bb, 1, &more, e)) == 0 && more) *equal = 0;
      break;
    }
  }
  free(ba);
  free(bb);
  return rc;
}

int copy_time_eq(int64_t a, int64_t b, int64_t precision) {
  int64_t d = a > b ? a - b : b - a;
  return d < (precision > 1 ? precision : 1);
}
