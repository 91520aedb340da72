/* live.c: files in use on a live Windows; nothing of the kind on POSIX. */
#include <errno.h>

#include "platform/platform.h"

int plat_is_in_use(int code) { (void)code; return 0; }

int plat_replace_at_boot(const char *from, const char *to, plat_err *e) {
  (void)from;
  return plat_fail(e, to, ENOTSUP);
}

int plat_cancel_at_boot(const char *from, const char *to, int *found, plat_err *e) {
  (void)from; (void)to; (void)e;
  *found = 0;
  return 0;
}

int plat_query_at_boot(const char *from, const char *to, int *found, plat_err *e) {
  return plat_cancel_at_boot(from, to, found, e);
}
