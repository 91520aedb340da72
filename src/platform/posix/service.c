/* service.c: POSIX has no Service Control Manager: every service is absent. */
#include <errno.h>

#include "platform/platform.h"

int plat_service_state(const char *name, plat_svc_state *state, plat_err *e) {
  (void)name; (void)e;
  *state = PLAT_SVC_ABSENT;
  return 0;
}

int plat_service_stop(const char *name, unsigned max_ms, plat_err *e) {
  (void)max_ms;
  return plat_fail(e, name, ENOTSUP);
}

int plat_service_start(const char *name, unsigned max_ms, plat_err *e) {
  (void)max_ms;
  return plat_fail(e, name, ENOTSUP);
}
