/* hive.c: offline hive files on POSIX, read through hivex (Windows reads
   them through RegLoadAppKeyW, in win32/reg.c). Names are looked up as
   hivex does, ASCII case-insensitively; core/reg.c folds other names. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "platform/platform.h"
#include "posix.h"

#if SXSFIX_HAVE_HIVEX
#include <hivex.h>

struct plat_hive {
  hive_h *h;
  char *file;
};

static int hive_fail(plat_err *e, const char *file, const char *what, int code) {
  char buf[700];
  snprintf(buf, sizeof buf, "%s: %s", file, what);
  plat_fail(e, buf, code ? code : EINVAL);
  return -1;
}

plat_hive *plat_hive_open(const char *file, plat_err *e) {
  plat_hive *hv = calloc(1, sizeof *hv);
  if (!hv || !(hv->file = strdup(file))) {
    free(hv);
    plat_fail(e, file, ENOMEM);
    return NULL;
  }
  /* hivex opens by name: check the file first, then (on Linux) let hivex
     open the same file through the descriptor, so it cannot be swapped. */
  struct stat st;
  int fd = px_open_regular(file, &st, e);
  if (fd < 0) { free(hv->file); free(hv); return NULL; }
  const char *name = file;
#ifdef __linux__
  char fdname[32];
  snprintf(fdname, sizeof fdname, "/proc/self/fd/%d", fd);
  if (access(fdname, R_OK) == 0) name = fdname;
#endif
  errno = 0;
  hv->h = hivex_open(name, 0);
  int code = errno;
  close(fd);
  if (!hv->h) {
    if (code == ENOENT || code == ENOTDIR || code == EACCES || code == EISDIR) plat_fail(e, file, code);
    else hive_fail(e, file, "not a registry hive, or a damaged one", code);
    free(hv->file);
    free(hv);
    return NULL;
  }
  return hv;
}

/* Fill k from node: subkey names and raw values. */
static int read_node(plat_hive *hv, hive_node_h node, const char *sub, plat_regkey *k, plat_err *e) {
  memset(k, 0, sizeof *k);
  errno = 0;
  hive_node_h *kids = hivex_node_children(hv->h, node);
  hive_value_h *vals = kids ? hivex_node_values(hv->h, node) : NULL;
  if (!kids || !vals) goto fail;
  size_t nk = 0, nv = 0;
  while (kids[nk]) nk++;
  while (vals[nv]) nv++;
  k->subkeys = calloc(nk + 1, sizeof *k->subkeys);
  k->values = calloc(nv + 1, sizeof *k->values);
  if (!k->subkeys || !k->values) { errno = ENOMEM; goto fail; }
  for (size_t i = 0; i < nk; i++) {
    if (!(k->subkeys[i] = hivex_node_name(hv->h, kids[i]))) goto fail;
    k->nsubkeys++;
  }
  for (size_t i = 0; i < nv; i++) {
    plat_regvalue *v = &k->values[i];
    hive_type t;
    if (!(v->name = hivex_value_key(hv->h, vals[i]))) goto fail;
    if (!(v->data = (unsigned char *)hivex_value_value(hv->h, vals[i], &t, &v->len))) {
      free(v->name);
      goto fail;
    }
    v->type = (uint32_t)t;
    k->nvalues++;
  }
  free(kids);
  free(vals);
  return 1;
fail:;
  int code = errno;
  free(kids);
  free(vals);
  plat_regkey_free(k);
  char what[600];
  snprintf(what, sizeof what, "key %s is damaged", sub[0] ? sub : "(root)");
  return hive_fail(e, hv->file, what, code);
}

/* The child of node named name (ASCII case-insensitive): 0 when absent. */
static hive_node_h child(plat_hive *hv, hive_node_h node, const char *name) {
  errno = 0;
  return hivex_node_get_child(hv->h, node, name);
}

int plat_hive_read(plat_hive *hv, const char *sub, plat_regkey *k, plat_err *e) {
  errno = 0;
  hive_node_h node = hivex_root(hv->h);
  if (!node) return hive_fail(e, hv->file, "no root key", errno);
  char name[512];
  for (const char *p = sub; *p;) {
    size_t n = strcspn(p, "\\");
    if (n >= sizeof name) return 0;  /* longer than any key name: absent */
    if (n > 0) {
      memcpy(name, p, n);
      name[n] = '\0';
      node = child(hv, node, name);
      if (!node) return errno ? hive_fail(e, hv->file, "damaged key list", errno) : 0;
    }
    p += n;
    if (*p) p++;
  }
  return read_node(hv, node, sub, k, e);
}

void plat_hive_close(plat_hive *hv) {
  if (!hv) return;
  hivex_close(hv->h);
  free(hv->file);
  free(hv);
}

#else /* no hivex */

plat_hive *plat_hive_open(const char *file, plat_err *e) {
  plat_failc(e, PLAT_EC_INTERNAL, ENOSYS, "%s: this sxsfix was built without hivex: offline hives cannot be read", file);
  return NULL;
}

int plat_hive_read(plat_hive *h, const char *sub, plat_regkey *k, plat_err *e) {
  (void)h; (void)k;
  return plat_fail(e, sub, ENOSYS);
}

void plat_hive_close(plat_hive *h) { (void)h; }
#endif
