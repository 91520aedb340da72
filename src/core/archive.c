/* archive.c: what the archive readers share: the failure form of an
   archive problem and format detection from the first bytes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/archive.h"

int sx_exp_fail(plat_err *e, int code, const char *label, const char *fmt, ...) {
  int n = snprintf(e->msg, sizeof e->msg, "%s: ", label);
  if (n < 0 || (size_t)n >= sizeof e->msg) n = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg + n, sizeof e->msg - (size_t)n, fmt, ap);
  va_end(ap);
  e->code = code;
  e->cls = code >= 0 ? plat_errclass_of(code) : code == SX_EXP_NOSPACE ? PLAT_EC_RESOURCE : PLAT_EC_INPUT;
  return -1;
}

int sx_exp_nomem(plat_err *e, const char *label) {
  return plat_failc(e, PLAT_EC_RESOURCE, plat_errcode(PLAT_E_NOMEM), "%s: out of memory", label);
}

int sx_detect(const char *path, const char *label, sx_format *fmt, plat_err *e) {
  unsigned char m[8] = {0};
  plat_rfile *in = plat_rfile_open(path, e);
  if (!in) return -1;
  size_t n = 0;
  int rc = plat_rfile_read(in, m, sizeof m, &n, e);
  plat_rfile_close(in);
  if (rc != 0) return -1;
  *fmt = SX_FMT_UNKNOWN;
  if (n >= 4 && memcmp(m, "MSCF", 4) == 0) *fmt = SX_FMT_CAB;
  else if (n == 8 && memcmp(m, "MSWIM\0\0\0", 8) == 0) *fmt = SX_FMT_WIM;
  else if (n >= 4 && memcmp(m, "PK\3\4", 4) == 0) *fmt = SX_FMT_ZIP;
  else if (n >= 4 && memcmp(m, "ISc(", 4) == 0)
    return sx_exp_fail(e, SX_EXP_FORMAT, label, "is an InstallShield cabinet, not a Microsoft "
                       "cabinet or WIM (expected the signature MSCF or MSWIM)");
  else
    return sx_exp_fail(e, SX_EXP_FORMAT, label, "%s (expected a Microsoft cabinet or WIM: "
                       "the signature MSCF or MSWIM)", n == 0 ? "is empty" : "has an unknown signature");
  return 0;
}
