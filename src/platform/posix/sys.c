/* sys.c: process setup, errors and environment on POSIX. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"

int plat_init(int *argc, char ***argv) {
  (void)argc; (void)argv;  /* POSIX argv is already bytes; we treat it as UTF-8 */
  /* The one change of process state: libarchive converts entry names
     through the C library's character set, so make it UTF-8. */
  if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "en_US.UTF-8");
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

int plat_computer_name(char *buf, size_t len, plat_err *e) {
  if (gethostname(buf, len) != 0) return plat_fail(e, "gethostname", errno);
  buf[len - 1] = '\0';
  return 0;
}

uint64_t plat_clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* POSIX has no event log we write to (syslog is the admin's choice). */
int plat_event_write(const char *source, int level, unsigned id, const char *text,
                     int *registered, plat_err *e) {
  (void)source; (void)level; (void)id; (void)text; (void)e;
  if (registered) *registered = 0;
  return 0;
}
