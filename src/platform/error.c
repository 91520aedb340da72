/* error.c: the plat_err convention, shared by both platforms. */
#include <stdio.h>

#include "platform/platform.h"

int plat_fail(plat_err *e, const char *what, int code) {
  char text[512];
  plat_strerror(code, text, sizeof text);
  e->code = code;
  snprintf(e->msg, sizeof e->msg, "%s: %s", what, text);
  return -1;
}
