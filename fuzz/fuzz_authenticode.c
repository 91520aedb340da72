/* fuzz_authenticode: mutated signed cabinets through the Authenticode
   verifier (cabinet layout, PKCS#7, SpcIndirectDataContent, timestamps,
   chains). Whatever the input: no crash, no leak, a verdict with a reason,
   and never "ok": there is no trust anchor, and a root the file carries
   itself must never be trusted. */
#include <string.h>

#include "core/authenticode.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  const char *t = fz_tmpdir();
  char *src = fz_join(t, "in.cab");
  fz_write(src, data, n);
  plat_err e;
  sx_sig s;
  if (sx_authenticode_verify(src, "", 0, 1700000000, &s, &e) == 0) {
    FZ_CHECK(s.status != SX_SIG_OK, "an input verified with no trust anchor");
    FZ_CHECK(s.reason[0] != '\0', "a verdict without a reason");
  } else {
    FZ_CHECK(e.msg[0] != '\0', "failure without a message");
  }
  free(src);
  return 0;
}
