/* torture_reg.c: registry key names, value decoding and offline hives
   (a real hive from the test data, read through the platform backend). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/reg.h"

static void key_roots(void **state) {
  (void)state;
  const char *rest;
  assert_string_equal(sx_reg_splitkey("HKEY_LOCAL_MACHINE\\SOFTWARE\\x", &rest), "HKLM");
  assert_string_equal(rest, "SOFTWARE\\x");
  assert_string_equal(sx_reg_splitkey("hkcu", &rest), "HKCU");
  assert_string_equal(rest, "");
  assert_null(sx_reg_splitkey("HKXX\\a", &rest));
  assert_null(sx_reg_splitkey("HKLMX\\a", &rest));
  assert_string_equal(sx_reg_longroot("HKU"), "HKEY_USERS");
}

static void offline_hives(void **state) {
  (void)state;
  const char *sub;
  assert_string_equal(sx_reg_offline_hive("HKLM", "software\\Microsoft", &sub), "SOFTWARE");
  assert_string_equal(sub, "Microsoft");
  assert_string_equal(sx_reg_offline_hive("HKLM", "SYSTEM", &sub), "SYSTEM");
  assert_string_equal(sub, "");
  assert_null(sx_reg_offline_hive("HKLM", "HARDWARE\\x", &sub));
  assert_null(sx_reg_offline_hive("HKCU", "Software", &sub));
  assert_null(sx_reg_offline_hive("HKLM", "SOFTWAREX", &sub));
}

static void names_and_types(void **state) {
  (void)state;
  assert_true(sx_reg_name_eq("CurrentBuild", "currentbuild"));
  assert_true(sx_reg_name_eq("\xc3\x9c" "ber", "\xc3\xbc" "BER"));  /* Über / üBER */
  assert_false(sx_reg_name_eq("Build", "Builds"));
  char buf[32];
  assert_string_equal(sx_reg_typename(SX_REG_EXPAND_SZ, buf, sizeof buf), "REG_EXPAND_SZ");
  assert_string_equal(sx_reg_typename(99, buf, sizeof buf), "REG_0x63");
}

static void utf16(void **state) {
  (void)state;
  size_t n;
  /* "aé" then a surrogate pair (U+1F600), then NUL and trailing bytes */
  const unsigned char d[] = {'a', 0, 0xE9, 0, 0x3D, 0xD8, 0x00, 0xDE, 0, 0, 'x', 0};
  char *s = sx_utf16le_to_utf8(d, sizeof d, &n);
  assert_non_null(s);
  assert_string_equal(s, "a\xc3\xa9\xf0\x9f\x98\x80");
  assert_int_equal(n, strlen(s));
  free(s);
  const unsigned char lone[] = {0x00, 0xD8, 'b', 0};  /* an unpaired high surrogate */
  s = sx_utf16le_to_utf8(lone, sizeof lone, &n);
  assert_string_equal(s, "\xef\xbf\xbd" "b");
  free(s);
}

static int has_subkey(const plat_regkey *k, const char *name) {
  for (size_t i = 0; i < k->nsubkeys; i++)
    if (strcmp(k->subkeys[i], name) == 0) return 1;
  return 0;
}

static void real_hive(void **state) {
  (void)state;
  const char *file;
  TH_TESTDATA(file, "hives/hivex_images_special");
  TH_SKIP_UNDER_WINE("Wine's registry cannot load a regf hive (RegLoadAppKeyW)");
  plat_err e;
  plat_hive *h = plat_hive_open(file, &e);
  assert_non_null(h);
  plat_regkey k;
  assert_int_equal(sx_hive_read(h, "", &k, &e), 1);
  assert_true(has_subkey(&k, "abcd_\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f"));
  plat_regkey_free(&k);
  assert_int_equal(sx_hive_read(h, "ZERO", &k, &e), 1);  /* ASCII, any case */
  plat_regkey_free(&k);
  /* "ABCD_ÄÖÜß": found by Unicode folding, which hivex does not do */
  assert_int_equal(sx_hive_read(h, "ABCD_\xc3\x84\xc3\x96\xc3\x9c\xc3\x9f", &k, &e), 1);
  plat_regkey_free(&k);
  assert_int_equal(sx_hive_read(h, "nope\\deeper", &k, &e), 0);
  assert_int_equal(sx_hive_read(h, "abcd_\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\\none", &k, &e), 0);
  plat_hive_close(h);
}

static void damaged_hive(void **state) {
  (void)state;
  const char *file;
  TH_TESTDATA(file, "hives/regipy_corrupted_system_hive");
  TH_SKIP_UNDER_WINE("Wine's registry cannot load a regf hive (RegLoadAppKeyW)");
  plat_err e;
  plat_hive *h = plat_hive_open(file, &e);
  if (!h) {  /* refused at once, naming the file */
    assert_non_null(strstr(e.msg, "corrupted_system_hive"));
    return;
  }
  plat_regkey k;
  int rc = sx_hive_read(h, "ControlSet001\\Services", &k, &e);
  if (rc == 1) plat_regkey_free(&k);
  else if (rc < 0) assert_non_null(strstr(e.msg, "corrupted_system_hive"));
  plat_hive_close(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(key_roots),
    cmocka_unit_test(offline_hives),
    cmocka_unit_test(names_and_types),
    cmocka_unit_test(utf16),
    cmocka_unit_test(real_hive),
    cmocka_unit_test(damaged_hive),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
