/* fuzz_rollback: a random copy (two random trees, the destination's
   existing or not), stopped as a crash would at a random journal record or
   run to its end, then rolled back, leaves the destination as it was:
   names, types, contents, modes, owners, xattrs and modification times, of
   folders too. A second rollback changes nothing. The new files are
   written by one worker or by two (data[0]). */
#include <string.h>

#include "core/copy.h"
#include "fuzzutil.h"

static int crash_at, seen;
static int crash(const char *verb, const char *rel) {
  (void)verb;
  (void)rel;
  return crash_at && ++seen == crash_at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  if (n < 2) return 0;
  const char *t = fz_tmpdir();
  char *s = fz_join(t, "s"), *d = fz_join(t, "d"), *b = fz_join(t, "b"), *j = fz_join(b, "journal.txt");
  crash_at = data[0] % 24;
  seen = 0;
  int nodst = data[0] >= 0xf0;
  size_t cut = (n - 2) * data[1] / 256;
  const uint8_t *dd = data + 2, *sd = data + 2 + cut;
  size_t dn = cut, sn = n - 2 - cut;
  if (!nodst) fz_tree(d, &dd, &dn);
  fz_tree(s, &sd, &sn);
  char *before = fz_snapshot(d);
  copy_os.checkpoint = crash;
  copy_opts o = {0};
  o.backup = b;
  o.compare = 1;
  o.threads = 1 + (data[0] / 24) % 2;
  copy_plan p;
  copy_summary sum;
  plat_err e;
  if (copy_plan_build(s, d, &o, &p, &e) == 0) {
    copy_apply(s, d, &o, &p, &sum, &e);
    copy_plan_free(&p);
    plat_info st;
    if (plat_stat(j, 0, &st, &e) == 0) {
      for (int round = 0; round < 2; round++) {
        copy_rollback_stats rs;
        FZ_CHECK(copy_rollback(j, &rs, &e) == 0, "rollback failed: %s", e.msg);
        FZ_CHECK(rs.failed == 0 && rs.changed == 0, "rollback %d: %s", round, rs.first_error ? rs.first_error : "?");
        FZ_CHECK(!round || rs.restored + rs.removed == 0, "a second rollback did something");
        free(rs.first_error);
      }
    }
    char *after = fz_snapshot(d);
    FZ_CHECK(strcmp(before, after) == 0, "the destination differs after the rollback (crash at %d):\n"
             "--- before\n%s--- after\n%s", crash_at, before, after);
    free(after);
  }
  copy_os.checkpoint = NULL;
  free(before);
  fz_rmtree(s), fz_rmtree(d), fz_rmtree(b);
  free(s), free(d), free(b), free(j);
  return 0;
}
