/*
** backupmeta.c: a backup slot's xattrs in a sidecar file when the backup
** folder's file system cannot hold them (see backupmeta.h).
**
** SLOT.xattrs: "sxsfix-xattrs 1\n", then per entry its name, a NUL, its
** length (4 bytes, little-endian) and its value. Read as hostile input:
** bounded sizes, names checked, anything else is an error naming the file.
*/
#include "core/backupmeta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "sxsfix-xattrs 1\n"
#define MAX_SIDECAR (1u << 20)
#define MAX_NAME 255

static char *sidecar_name(const char *slot) {
  size_t n = strlen(slot);
  char *p = malloc(n + 8);
  if (p) { memcpy(p, slot, n); memcpy(p + n, ".xattrs", 8); }
  return p;
}

static int write_sidecar(const char *sp, const plat_meta *m, plat_err *e) {
  plat_file *f = plat_open_write(sp, PLAT_CREATE_NEW, e);
  if (!f) return -1;
  int rc = plat_write(f, MAGIC, sizeof MAGIC - 1, e);
  for (size_t i = 0; !rc && i < m->nx; i++) {
    const plat_xattr *x = &m->x[i];
    unsigned char len[4] = { (unsigned char)x->len, (unsigned char)(x->len >> 8),
                             (unsigned char)(x->len >> 16), (unsigned char)(x->len >> 24) };
    rc = plat_write(f, x->name, strlen(x->name) + 1, e);
    if (!rc) rc = plat_write(f, len, 4, e);
    if (!rc && x->len) rc = plat_write(f, x->value, x->len, e);
  }
  if (!rc) rc = plat_sync(f, e);
  if (plat_close(f, rc ? NULL : e) != 0) rc = -1;
  plat_err ignore;
  if (rc) plat_remove(sp, &ignore);
  return rc;
}

int backup_meta_set(const char *path, const char *slot, const plat_meta *m, plat_err *e) {
  if (plat_meta_set(path, PLAT_META_ALL, m, e) == 0) return 0;
  plat_err first = *e;
  if (m->nx == 0 || plat_meta_set(path, PLAT_META_TIMES | PLAT_META_OWNER, m, e) != 0) {
    *e = first;
    return -1;
  }
  char *sp = sidecar_name(slot);
  int rc = sp ? write_sidecar(sp, m, e) : plat_fail(e, slot, plat_errcode(PLAT_E_NOMEM));
  free(sp);
  return rc;
}

static int bad(plat_err *e, const char *sp, const char *what) {
  e->code = plat_errcode(PLAT_E_INVAL);
  e->cls = plat_errclass_of(e->code);
  snprintf(e->msg, sizeof e->msg, "%s: %s (expected the xattrs a backup kept)", sp, what);
  return -1;
}

/* Parse buf (n bytes) into m's xattrs (m->x empty on entry). */
static int parse(const char *sp, const unsigned char *buf, size_t n, plat_meta *m, plat_err *e) {
  size_t at = sizeof MAGIC - 1;
  if (n < at || memcmp(buf, MAGIC, at) != 0) return bad(e, sp, "not an sxsfix xattrs file");
  while (at < n) {
    const unsigned char *z = memchr(buf + at, 0, n - at);
    size_t nl = z ? (size_t)(z - (buf + at)) : 0;
    if (!z || nl == 0 || nl > MAX_NAME) return bad(e, sp, "an entry without a valid name");
    if (n - at - nl - 1 < 4) return bad(e, sp, "an entry cut short");
    const unsigned char *l = z + 1;
    size_t len = l[0] | (size_t)l[1] << 8 | (size_t)l[2] << 16 | (size_t)l[3] << 24;
    size_t vat = at + nl + 5;
    if (len > n - vat) return bad(e, sp, "an entry longer than the file");
    plat_xattr *nx = realloc(m->x, (m->nx + 1) * sizeof *nx);
    if (!nx) return plat_fail(e, sp, plat_errcode(PLAT_E_NOMEM));
    m->x = nx;
    plat_xattr *x = &m->x[m->nx];
    x->name = malloc(nl + 1);
    x->value = malloc(len + 1);
    x->len = len;
    if (!x->name || !x->value) { free(x->name); free(x->value); return plat_fail(e, sp, plat_errcode(PLAT_E_NOMEM)); }
    memcpy(x->name, buf + at, nl + 1);
    memcpy(x->value, buf + vat, len);
    m->nx++;
    at = vat + len;
  }
  return 0;
}

int backup_meta_get(const char *slot, plat_meta *m, plat_err *e) {
  if (plat_meta_get(slot, PLAT_META_ALL, m, e) != 0) return -1;
  char *sp = sidecar_name(slot);
  if (!sp) { plat_meta_free(m); return plat_fail(e, slot, plat_errcode(PLAT_E_NOMEM)); }
  plat_err oe;
  plat_file *f = plat_open_read(sp, &oe);
  if (!f) {
    int absent = oe.code == plat_errcode(PLAT_E_NOENT);
    free(sp);
    if (absent) return 0;  /* the slot holds its xattrs itself */
    *e = oe;
    plat_meta_free(m);
    return -1;
  }
  unsigned char *buf = malloc(MAX_SIDECAR + 1);
  size_t n = 0, got = 0;
  int rc = buf ? 0 : plat_fail(e, sp, plat_errcode(PLAT_E_NOMEM));
  while (!rc && n <= MAX_SIDECAR && (rc = plat_read(f, buf + n, MAX_SIDECAR + 1 - n, &got, e)) == 0 && got)
    n += got;
  plat_close(f, NULL);
  if (!rc && n > MAX_SIDECAR) rc = bad(e, sp, "larger than 1 MiB");
  if (!rc) {  /* its entries replace the slot's own */
    for (size_t i = 0; i < m->nx; i++) { free(m->x[i].name); free(m->x[i].value); }
    free(m->x);
    m->x = NULL;
    m->nx = 0;
    rc = parse(sp, buf, n, m, e);
  }
  free(buf);
  free(sp);
  if (rc) plat_meta_free(m);
  return rc;
}
