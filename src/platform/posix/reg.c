/* reg.c: POSIX has no registry; offline hives are read through hivex in src/core. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform/platform.h"

int plat_reg_read(const char *hkey, const char *sub, plat_regkey *k, plat_err *e) {
  (void)k;
  e->code = ENOSYS;
  snprintf(e->msg, sizeof e->msg,
           "%s\\%s: no live registry on this system (give --root DIR or a hive file)", hkey, sub);
  return -1;
}

plat_hive *plat_hive_open(const char *file, plat_err *e) {
  e->code = ENOSYS;
  snprintf(e->msg, sizeof e->msg, "%s: this sxsfix was built without hivex: offline hives cannot be read", file);
  return NULL;
}

int plat_hive_read(plat_hive *h, const char *sub, plat_regkey *k, plat_err *e) {
  (void)h; (void)k;
  return plat_fail(e, sub, ENOSYS);
}

void plat_hive_close(plat_hive *h) { (void)h; }
