/* sys.c: process setup, errors and environment on POSIX. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"

int plat_init(int *argc, char ***argv) {
  (void)argc; (void)argv;  /* POSIX argv is already bytes; we treat it as UTF-8 */
  return 0;
}

const char *plat_name(void) { return "posix"; }

int plat_isatty(int fd) { return isatty(fd); }

const char *plat_wine_version(void) { return NULL; }

char plat_sep(void) { return '/'; }

void *plat_to_native(const char *utf8) { return strdup(utf8); }

char *plat_from_native(const void *native) { return strdup(native); }

void plat_strerror(int code, char *buf, size_t len) {
  snprintf(buf, len, "%s", strerror(code));
}

char *plat_getenv(const char *name) {
  const char *v = getenv(name);
  return v ? strdup(v) : NULL;
}
