/* fuzz_cab: mutated cabinets (and zips of logs, accepted as the outer
   archive) through the expand engine (our header scan, the libarchive
   walk, nested expansion) and the lister. Whatever the input, nothing
   may be written outside the destination: the folders around it must hold
   only what the harness put there. */
#include <string.h>

#include "core/expand.h"
#include "core/safename.h"
#include "fuzzutil.h"

static int on_entry(void *ud, const sx_entry *ent) {
  char again[4096];
  (*(int *)ud)++;
  FZ_CHECK(sx_safename(ent->name, again, sizeof again) == NULL, "listed unsafe name '%s'", ent->name);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  const char *t = fz_tmpdir();
  char *src = fz_join(t, "in.cab"), *a = fz_join(t, "a"), *b = fz_join(a, "b"), *dst = fz_join(b, "out");
  fz_write(src, data, n);
  plat_err e;
  plat_mkdirs(b, &e);
  sx_expand_opts o = { .nested = 1, .zip = 1 };
  sx_expand_stats st;
  if (sx_expand(src, dst, &o, &st, &e) != 0)
    FZ_CHECK(e.msg[0] != '\0', "failure without a message");
  fz_only(t, "in.cab", "a", NULL);
  fz_only(a, "b", NULL);
  fz_only(b, "out", NULL);
  fz_rmtree(dst);
  int count = 0;
  if (sx_list(src, &o, on_entry, &count, &e) != 0)
    FZ_CHECK(e.msg[0] != '\0', "failure without a message");
  free(src), free(a), free(b), free(dst);
  return 0;
}
