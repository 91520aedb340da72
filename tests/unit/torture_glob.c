/* torture_glob.c: Windows wildcard matching. */
#include "harness.h"
#include "core/glob.h"

static void literal_and_case(void **state) {
  (void)state;
  assert_true(sx_glob_match("SetupAct.log", "setupact.LOG"));
  assert_true(sx_glob_match("WinSxS", "winsxs"));
  assert_false(sx_glob_match("setupact.log", "setupact.lo"));
  assert_false(sx_glob_match("setupact.lo", "setupact.log"));
  assert_true(sx_glob_match("", ""));
  assert_false(sx_glob_match("", "a"));
}

static void stars_and_questions(void **state) {
  (void)state;
  assert_true(sx_glob_match("MoSetup*", "MoSetupPlatform.log"));
  assert_true(sx_glob_match("*servicingstack*",
      "amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4"));
  assert_false(sx_glob_match("*servicingstack*", "amd64_microsoft-windows-servicing-onecore"));
  assert_true(sx_glob_match("CbsPersist_*.log", "CbsPersist_20240101120000.log"));
  assert_false(sx_glob_match("CbsPersist_*.log", "CbsPersist_20240101120000.cab"));
  assert_true(sx_glob_match("*", ""));
  assert_true(sx_glob_match("**a**", "bab"));
  assert_true(sx_glob_match("a?c", "abc"));
  assert_false(sx_glob_match("a?c", "ac"));
  assert_true(sx_glob_match("*.*", "a.b.c"));
  assert_true(sx_glob_match("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
  assert_false(sx_glob_match("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void unicode_folding(void **state) {
  (void)state;
  /* "ДИР" vs "дир", "Ünï" vs "üNÏ", '?' takes one whole character */
  assert_true(sx_glob_match("\xd0\x94\xd0\x98\xd0\xa0*", "\xd0\xb4\xd0\xb8\xd1\x80.log"));
  assert_true(sx_glob_match("\xc3\x9c" "n" "\xc3\xaf", "\xc3\xbc" "N" "\xc3\x8f"));
  assert_true(sx_glob_match("?.log", "\xe6\x97\xa5.log"));
  assert_false(sx_glob_match("??.log", "\xe6\x97\xa5.log"));
  /* Latin Extended-A: Ł/ł (odd capital range), Ź/ź, Ž/ž; ź is not Ż */
  assert_true(sx_glob_match("\xc5\x81\xc5\xb9\xc5\xbd", "\xc5\x82\xc5\xba\xc5\xbe"));
  assert_false(sx_glob_match("\xc5\xba", "\xc5\xbb"));
  /* invalid UTF-8 bytes compare as themselves, without reading past the end */
  assert_true(sx_glob_match("caf\xe9*", "caf\xe9 ok"));
  assert_false(sx_glob_match("caf\xe9", "caf\xc3"));
}

static void has_wildcard(void **state) {
  (void)state;
  assert_true(sx_glob_has_wildcard("MoSetup*"));
  assert_true(sx_glob_has_wildcard("a?"));
  assert_false(sx_glob_has_wildcard("SetupAct.log"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(literal_and_case),
    cmocka_unit_test(stars_and_questions),
    cmocka_unit_test(unicode_folding),
    cmocka_unit_test(has_wildcard),
  };
  return cmocka_run_group_tests_name("glob", tests, NULL, NULL);
}
