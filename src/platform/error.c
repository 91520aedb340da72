/* error.c: the plat_err convention, shared by both platforms. */
#include <stdarg.h>
#include <stdio.h>

#include "platform/platform.h"

plat_errclass plat_errclass_of(int code) {
  return code == plat_errcode(PLAT_E_NOMEM) || code == plat_errcode(PLAT_E_NOSPC)
    ? PLAT_EC_RESOURCE : PLAT_EC_OS;
}

const char *plat_errclass_name(plat_errclass c) {
  static const char *const names[] = { "os", "input", "resource", "internal" };
  return (unsigned)c < 4 ? names[c] : "internal";
}

int plat_fail(plat_err *e, const char *what, int code) {
  char text[512];
  plat_strerror(code, text, sizeof text);
  e->code = code;
  e->cls = plat_errclass_of(code);
  snprintf(e->msg, sizeof e->msg, "%s: %s", what, text);
  return -1;
}

static int vfail(plat_err *e, plat_errclass cls, int code, const char *fmt, va_list ap) {
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  e->code = code;
  e->cls = cls;
  return -1;
}

int plat_failf(plat_err *e, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(e, plat_errclass_of(code), code, fmt, ap);
  va_end(ap);
  return -1;
}

int plat_failc(plat_err *e, plat_errclass cls, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(e, cls, code, fmt, ap);
  va_end(ap);
  return -1;
}
