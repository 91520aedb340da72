/* error.c: the plat_err convention, shared by both platforms. */
#include <stdarg.h>
#include <stdio.h>

#include "platform/platform.h"

int plat_fail(plat_err *e, const char *what, int code) {
  char text[512];
  plat_strerror(code, text, sizeof text);
  e->code = code;
  snprintf(e->msg, sizeof e->msg, "%s: %s", what, text);
  return -1;
}

int plat_failf(plat_err *e, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  e->code = code;
  return -1;
}
