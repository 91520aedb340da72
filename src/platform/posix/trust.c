/* trust.c (POSIX): no system Authenticode verifier or digest provider;
   src/core/authenticode.c verifies with OpenSSL instead. */
#include <stdio.h>

#include "platform/platform.h"

int plat_trust_verify(const char *path, const char *extra, size_t len, plat_sig *out, plat_err *e) {
  (void)extra; (void)len; (void)out;
  return plat_failc(e, PLAT_EC_INTERNAL, 0, "%s: this system has no Authenticode verifier of its own", path);
}

plat_digest *plat_digest_new(const char *alg, plat_err *e) {
  plat_failc(e, PLAT_EC_INTERNAL, 0, "%s: no digest provider in the platform layer", alg);
  return NULL;
}

int plat_digest_update(plat_digest *d, const void *p, size_t n, plat_err *e) {
  (void)d; (void)p; (void)n;
  return plat_fail(e, "digest", 0);
}

int plat_digest_final(plat_digest *d, unsigned char *out, size_t *n, plat_err *e) {
  (void)d; (void)out; (void)n;
  return plat_fail(e, "digest", 0);
}
