/* torture_winpath.c: Windows path mapping, path helpers, registry names and decoding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/reg.h"
#include "core/winpath.h"
#include "platform/platform.h"

/* Map with root (may be NULL); returns the malloc'd result or NULL with err. */
static char *map(const char *root, const char *in, char *err) {
  sx_winpath wp;
  sx_winpath_init(&wp, root);
  char *out = NULL;
  return sx_winpath_map(&wp, in, &out, err, 512) == 0 ? out : NULL;
}

static void expect_map(const char *root, const char *in, const char *want) {
  char err[512] = "";
  char *got = map(root, in, err);
  if (!got) fail_msg("%s: %s", in, err);
  if (plat_sep() == '\\') {  /* Windows keeps the spelling given: the file system folds case */
    int same = strlen(got) == strlen(want);
    for (size_t i = 0; same && got[i]; i++)
      same = (got[i] | 0x20) == (want[i] | 0x20);
    if (!same) fail_msg("%s: expected %s, got %s", in, want, got);
  } else {
    assert_string_equal(got, want);
  }
  free(got);
}

/* A lower-case tree windows/winsxs/amd64_x under the temporary root. */
static void case_mismatched_tree_resolves(void **state) {
  const char *root = *state;
  plat_err e;
  char want[1024];
  const char *ws = th_join(th_join(root, "windows"), "winsxs");
  snprintf(want, sizeof want, "%s", ws);
  assert_int_equal(plat_mkdirs(th_join(ws, "amd64_x"), &e), 0);
  expect_map(root, "C:\\Windows\\WinSxS", want);
  expect_map(root, "%SystemRoot%\\WINSXS", want);
  expect_map(root, "%windir%/WinSxS/", want);
  expect_map(root, "\\\\?\\c:\\WINDOWS\\WinSxS", want);
  expect_map(root, "\\Windows\\.\\WinSxS", want);
  snprintf(want, sizeof want, "%s", th_join(ws, "amd64_x"));
  expect_map(root, "C:\\Windows\\WinSxS\\AMD64_X", want);
  /* a missing component keeps its spelling, and so do those below it */
  snprintf(want, sizeof want, "%s", th_join(th_join(ws, "New"), "Sub"));
  expect_map(root, "C:\\WINDOWS\\winSxS\\New\\Sub", want);
  /* the result is usable */
  char err[512];
  char *p = map(root, "c:/WINDOWS/WINSXS/Amd64_X", err);
  assert_non_null(p);
  assert_true(plat_is_dir(p));
  free(p);
}

static void dotdot_never_leaves_root(void **state) {
  const char *root = *state;
  char want[1024];
  snprintf(want, sizeof want, "%s", th_join(root, "etc"));
  expect_map(root, "C:\\..\\..\\etc", want);
  expect_map(root, "C:\\a\\..\\..\\etc", want);
}

static void offline_variables(void **state) {
  sx_winpath wp;
  sx_winpath_init(&wp, *state);
  char err[256];
  char *s = sx_winpath_expand(&wp, "%SystemDrive%|%SYSTEMROOT%|%ProgramData%|%Unknown%|50%", err, sizeof err);
  assert_non_null(s);
  assert_string_equal(s, "C:|C:\\Windows|C:\\ProgramData|%Unknown%|50%");
  free(s);
}

static void other_drives_fail_with_root(void **state) {
  char err[512];
  assert_null(map(*state, "D:\\data", err));
  assert_non_null(strstr(err, "D:\\data"));
  assert_non_null(strstr(err, "only the system drive"));
}

/* Under --root D:\ (WinPE), D:\ProgramData\x as fs.map returns it is
   native already: mapping it again must neither fail nor move it
   (Windows only: the POSIX build maps drive paths only from C:). */
static void paths_below_a_drive_root_stay(void **state) {
  (void)state;
  if (plat_sep() != '\\') skip();
  char err[512];
  expect_map("D:\\", "D:\\ProgramData\\sxsfix", "D:\\ProgramData\\sxsfix");
  expect_map("D:\\img", "d:\\img\\Windows", "d:\\img\\Windows");
  expect_map("D:\\img\\", "D:\\img", "D:\\img");
  assert_null(map("D:\\img", "D:\\img2\\x", err));  /* not below it */
  assert_null(map("D:\\img", "D:\\other", err));
  assert_null(map("D:\\", "E:\\x", err));
  assert_non_null(strstr(err, "only the system drive"));
}

static void native_paths_pass_through(void **state) {
  (void)state;
  expect_map(NULL, "relative/x", "relative/x");
  expect_map("/r", "/mnt/win/Windows", "/mnt/win/Windows");
  if (plat_sep() == '\\') {   /* a share is a native path on Windows */
    expect_map("/r", "\\\\server\\share\\x", "\\\\server\\share\\x");
  } else {   /* elsewhere it would name a file in the current folder: refused */
    char err[512];
    assert_null(map("/r", "\\\\server\\share\\x", err));
    assert_non_null(strstr(err, "a network or device path"));
    assert_null(map("/r", "\\\\?\\UNC\\srv\\x", err));
    assert_null(map("/r", "\\\\.\\PhysicalDrive0", err));
  }
}

static void running_system(void **state) {
  (void)state;
  char err[512];
  char *p = map(NULL, "C:\\Windows\\WinSxS", err);
  if (plat_sep() == '\\') {  /* Windows: drive paths are native */
    assert_non_null(p);
    assert_string_equal(p, "C:\\Windows\\WinSxS");
    free(p);
    char *env = plat_getenv("SystemRoot");
    assert_non_null(env);
    char want[600];
    snprintf(want, sizeof want, "%s\\WinSxS", env);
    expect_map(NULL, "%SystemRoot%\\WinSxS", want);
    free(env);
  } else {  /* POSIX: a Windows path needs --root */
    assert_null(p);
    assert_non_null(strstr(err, "--root"));
  }
}

static void helpers(void **state) {
  (void)state;
  size_t n;
  const char *b = sx_path_base("C:\\Windows\\WinSxS\\", &n);
  assert_int_equal(n, 6);
  assert_memory_equal(b, "WinSxS", 6);
  assert_int_equal(sx_path_dirlen("C:\\Windows\\WinSxS"), 10);
  assert_int_equal(sx_path_dirlen("C:\\Windows"), 3);
  assert_int_equal(sx_path_dirlen("/x"), 1);
  assert_int_equal(sx_path_dirlen("name"), 0);
  sx_path_base("C:\\", &n);
  assert_int_equal(n, 0);
  static const struct { const char *a, *b; char dflt; const char *want; } joins[] = {
    {"C:\\Windows", "WinSxS", '/', "C:\\Windows\\WinSxS"},
    {"/mnt/win/", "x", '\\', "/mnt/win/x"},
    {"C:", "x", '\\', "C:x"},
    {"a/b", "\\x", '\\', "a/b/\\x"},                      /* b is relative whatever it looks like */
    {"C:\\out", "dir/f.txt", '/', "C:\\out\\dir\\f.txt"}, /* archive names' '/' follow a's '\' */
    {"rel/dir", "", '\\', "rel/dir"},
    {"", "name", '\\', "name"},
    {"/mnt/a\\b", "c", '\\', "/mnt/a\\b/c"},              /* '/' first: a POSIX name may hold '\' */
  };
  for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++) {
    char *j = sx_path_join(joins[i].a, joins[i].b, joins[i].dflt);
    assert_string_equal(j, joins[i].want);
    free(j);
  }
  /* native (dflt 0): the platform's separator, b's '/' too, whatever a uses */
  char want[64], *nj = sx_path_join("C:/out", "dir/f.txt", 0);
  snprintf(want, sizeof want, "C:/out%cdir%cf.txt", plat_sep(), plat_sep());
  assert_string_equal(nj, want);
  free(nj);
  snprintf(want, sizeof want, "root%c", plat_sep());
  nj = sx_path_join(want, "x", 0);          /* no second separator after the platform's */
  strcat(want, "x");
  assert_string_equal(nj, want);
  free(nj);
  assert_true(sx_path_isabs("\\\\srv\\x"));
  assert_false(sx_path_isabs("C:x"));
}

static void registry_names_and_data(void **state) {
  (void)state;
  const char *rest, *sub;
  assert_string_equal(sx_reg_splitkey("HKEY_LOCAL_MACHINE\\SOFTWARE\\X", &rest), "HKLM");
  assert_string_equal(rest, "SOFTWARE\\X");
  assert_string_equal(sx_reg_splitkey("hkcu", &rest), "HKCU");
  assert_string_equal(rest, "");
  assert_null(sx_reg_splitkey("HKXX\\a", &rest));
  assert_string_equal(sx_reg_offline_hive("HKLM", "software\\Microsoft", &sub), "SOFTWARE");
  assert_string_equal(sub, "Microsoft");
  assert_null(sx_reg_offline_hive("HKLM", "HARDWARE\\x", &sub));
  assert_null(sx_reg_offline_hive("HKCU", "Software", &sub));
  char buf[32];
  assert_string_equal(sx_reg_typename(2, buf, sizeof buf), "REG_EXPAND_SZ");
  assert_string_equal(sx_reg_typename(0x99, buf, sizeof buf), "REG_0x99");
  assert_true(sx_reg_name_eq("ключ Ünï", "КЛЮЧ üNÏ"));
  assert_false(sx_reg_name_eq("a*", "abc"));  /* '*' is a literal in names */
  /* "Aé€😀" + stray low surrogate, NUL, trailing garbage */
  static const unsigned char u16[] = {'A', 0, 0xE9, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE,
                                      0x00, 0xDC, 0, 0, 'z', 0};
  size_t n;
  char *s = sx_utf16le_to_utf8(u16, sizeof u16, &n);
  assert_string_equal(s, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBD");
  assert_int_equal(n, strlen(s));
  free(s);
  s = sx_utf16le_to_utf8(u16, 3, &n);  /* odd length: the half unit is dropped */
  assert_string_equal(s, "A");
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(case_mismatched_tree_resolves, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(dotdot_never_leaves_root, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(offline_variables, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(other_drives_fail_with_root, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(paths_below_a_drive_root_stay),
    cmocka_unit_test(native_paths_pass_through),
    cmocka_unit_test(running_system),
    cmocka_unit_test(helpers),
    cmocka_unit_test(registry_names_and_data),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
