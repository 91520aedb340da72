/* reg.c: POSIX has no live registry; offline hives are read through hivex (hive.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform/platform.h"

int plat_reg_read(const char *hkey, const char *sub, plat_regkey *k, plat_err *e) {
  (void)k;
  return plat_failc(e, PLAT_EC_OS, ENOSYS,
                    "%s\\%s: no live registry on this system (give --root DIR or a hive file)", hkey, sub);
}

int plat_reg_write(const char *hkey, const char *sub, const char *name, const char *str,
                   uint32_t dword, plat_err *e) {
  (void)name, (void)str, (void)dword;
  return plat_failc(e, PLAT_EC_INPUT, ENOSYS,
                    "%s\\%s: not available without a live Windows registry", hkey, sub);
}
