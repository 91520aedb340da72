/* copytmpl.c: the security a new file gets when new items take a
   template's (copy_opts.template, a folder's). A folder's descriptor is
   made for folders: its ACEs carry the flags that pass them on (OI, CI),
   and some apply to subfolders only (CI). A new file gets instead the
   security of copy_opts.file_template (a file's: the caller picks a
   sibling), else the folder's as Windows inheritance gives it to a file
   created in it (sd_for_file: its OI ACEs, without the inherit flags);
   POSIX default ACLs (system.posix_acl_default) are for folders only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy_int.h"
#include "core/secdesc.h"

static int is_default(const char *name) {
  size_t n = strlen(name);
  return n > 8 && strcmp(name + n - 8, "_default") == 0;
}

/* x's value: t's descriptor (a folder's) as a file inherits it. */
static int derive(const plat_xattr *t, plat_xattr *x, plat_err *e) {
  secdesc sd;
  char err[160];
  unsigned char *out = NULL;
  size_t len = 0;
  int rc = sd_decode(t->value, t->len, &sd, err, sizeof err);
  if (!rc) {
    sd_for_file(&sd);
    rc = sd_encode(&sd, &out, &len, err, sizeof err);
  }
  sd_free(&sd);
  if (rc) return plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL),
                           "the template's %s: %s (no file's descriptor can be made from it)", t->name, err);
  x->value = out;
  x->len = len;
  return 0;
}

int copy_file_template(const copy_opts *o, const plat_meta *tmpl, plat_meta *out, plat_err *e) {
  memset(out, 0, sizeof *out);
  if (o->file_template) return plat_meta_get(o->file_template, PLAT_META_SECURITY, out, e);
  out->x = calloc(tmpl->nx ? tmpl->nx : 1, sizeof *out->x);
  if (!out->x) return plat_fail(e, o->template, ENOMEM_CODE);
  for (size_t i = 0; i < tmpl->nx; i++) {
    const plat_xattr *t = &tmpl->x[i];
    if (is_default(t->name)) continue;
    plat_xattr *x = &out->x[out->nx];
    if (!(x->name = strdup(t->name))) { plat_meta_free(out); return plat_fail(e, o->template, ENOMEM_CODE); }
    out->nx++;
    if (strcmp(t->name, plat_meta_ntsd_name()) == 0) {
      if (derive(t, x, e) != 0) { plat_meta_free(out); return -1; }
    } else if ((x->value = malloc(t->len + 1)) != NULL) {
      memcpy(x->value, t->value, t->len);
      x->len = t->len;
    } else {
      plat_meta_free(out);
      return plat_fail(e, o->template, ENOMEM_CODE);
    }
  }
  return 0;
}
