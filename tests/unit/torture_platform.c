/* torture_platform.c: the platform layer against the real file system. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "platform/platform.h"

static void write_read_roundtrip(void **state) {
  const char *dir = *state;
  const char *p = th_join(dir, "a.bin");
  static const char data[] = "line1\r\nline2\0after-nul\xff\xfe";
  plat_err e;
  assert_int_equal(plat_write_file(p, data, sizeof data, &e), 0);
  char *got;
  size_t len;
  assert_int_equal(plat_read_file(p, &got, &len, &e), 0);
  assert_int_equal(len, sizeof data);
  assert_memory_equal(got, data, sizeof data);
  assert_int_equal(got[len], '\0');  /* NUL-terminated for convenience */
  free(got);
}

static void empty_file(void **state) {
  const char *p = th_join(*state, "empty");
  plat_err e;
  assert_int_equal(plat_write_file(p, "", 0, &e), 0);
  char *got;
  size_t len = 99;
  assert_int_equal(plat_read_file(p, &got, &len, &e), 0);
  assert_int_equal(len, 0);
  free(got);
}

static void write_replaces_and_leaves_no_temp(void **state) {
  const char *sub = th_join(*state, "sub");
  const char *p = th_join(sub, "r.txt");
  plat_err e;
  assert_int_equal(plat_mkdirs(sub, &e), 0);
  assert_int_equal(plat_write_file(p, "first version, longer", 21, &e), 0);
  assert_int_equal(plat_write_file(p, "second", 6, &e), 0);
  char *got;
  size_t len;
  assert_int_equal(plat_read_file(p, &got, &len, &e), 0);
  assert_int_equal(len, 6);
  assert_memory_equal(got, "second", 6);
  free(got);
  /* the folder held only r.txt: no temporary file was left beside it */
  assert_int_equal(plat_remove(p, &e), 0);
  assert_int_equal(plat_remove(sub, &e), 0);
  assert_false(plat_is_dir(sub));
}

static void remove_nonempty_folder_fails(void **state) {
  const char *sub = th_join(*state, "full");
  plat_err e = {0};
  assert_int_equal(plat_mkdirs(sub, &e), 0);
  assert_int_equal(plat_write_file(th_join(sub, "f"), "x", 1, &e), 0);
  assert_int_equal(plat_remove(sub, &e), -1);
  assert_non_null(strstr(e.msg, "full"));
  assert_true(plat_is_dir(sub));
}

static void write_into_missing_folder_fails_cleanly(void **state) {
  const char *p = th_join(th_join(*state, "no-such-dir"), "f.txt");
  plat_err e = {0};
  assert_int_equal(plat_write_file(p, "x", 1, &e), -1);
  assert_int_not_equal(e.code, 0);
  assert_non_null(strstr(e.msg, "no-such-dir"));  /* the message names the file */
  assert_false(plat_is_dir(th_join(*state, "no-such-dir")));
}

static void read_missing_names_path(void **state) {
  const char *p = th_join(*state, "missing.log");
  plat_err e = {0};
  char *got;
  size_t len;
  assert_int_equal(plat_read_file(p, &got, &len, &e), -1);
  assert_int_not_equal(e.code, 0);
  assert_true(strncmp(e.msg, p, strlen(p)) == 0);
  assert_true(strlen(e.msg) > strlen(p) + 4);  /* "path: <reason>" */
}

static void read_folder_fails(void **state) {
  plat_err e = {0};
  char *got;
  size_t len;
  assert_int_equal(plat_read_file(*state, &got, &len, &e), -1);
  assert_int_not_equal(e.code, 0);
}

static void mkdirs_nested_and_existing(void **state) {
  const char *p = th_join(th_join(th_join(*state, "x"), "y"), "z");
  plat_err e;
  assert_false(plat_is_dir(p));
  assert_int_equal(plat_mkdirs(p, &e), 0);
  assert_true(plat_is_dir(p));
  assert_int_equal(plat_mkdirs(p, &e), 0);  /* existing: fine */
}

static void mkdirs_over_file_fails(void **state) {
  const char *f = th_join(*state, "plainfile");
  plat_err e;
  assert_int_equal(plat_write_file(f, "x", 1, &e), 0);
  assert_int_equal(plat_mkdirs(th_join(f, "sub"), &e), -1);
  assert_non_null(strstr(e.msg, "plainfile"));
}

static void unicode_names(void **state) {
  /* Cyrillic, Latin-1 and CJK folder and file names, as UTF-8 */
  const char *d = th_join(*state, "\xc3\xbc" "n" "\xc3\xaf" "code-\xd0\xb4\xd0\xb8\xd1\x80");
  const char *f = th_join(d, "\xe6\x97\xa5\xe5\xbf\x97.log");
  plat_err e;
  assert_int_equal(plat_mkdirs(d, &e), 0);
  assert_int_equal(plat_write_file(f, "ok", 2, &e), 0);
  char *got;
  size_t len;
  assert_int_equal(plat_read_file(f, &got, &len, &e), 0);
  assert_int_equal(len, 2);
  free(got);
}

static void long_paths(void **state) {
  /* deeper than MAX_PATH (260) to exercise \\?\ on Windows */
  char path[2048];
  snprintf(path, sizeof path, "%s", (const char *)*state);
  for (int i = 0; i < 12; i++) {
    size_t n = strlen(path);
    snprintf(path + n, sizeof path - n, "%c%s%02d", plat_sep(),
             "amd64_microsoft-windows-servicingstack_31bf3856ad364e35_", i);
  }
  assert_true(strlen(path) > 600);
  plat_err e;
  assert_int_equal(plat_mkdirs(path, &e), 0);
  const char *f = th_join(path, "cbscore.dll");
  assert_int_equal(plat_write_file(f, "MZ", 2, &e), 0);
  char *got;
  size_t len;
  assert_int_equal(plat_read_file(f, &got, &len, &e), 0);
  assert_memory_equal(got, "MZ", 2);
  free(got);
}

static void remove_tree_removes_everything(void **state) {
  const char *top = th_join(*state, "tree");
  plat_err e;
  assert_int_equal(plat_mkdirs(th_join(th_join(top, "a"), "b"), &e), 0);
  assert_int_equal(plat_write_file(th_join(top, "f1"), "1", 1, &e), 0);
  assert_int_equal(plat_write_file(th_join(th_join(top, "a"), "f2"), "2", 1, &e), 0);
  assert_int_equal(plat_remove_tree(top, &e), 0);
  assert_false(plat_is_dir(top));
  assert_int_equal(plat_remove_tree(top, &e), 0);  /* missing: not an error */
}

static void strerror_has_text(void **state) {
  (void)state;
  char buf[256];
  plat_strerror(2, buf, sizeof buf);  /* ENOENT / ERROR_FILE_NOT_FOUND */
  assert_true(strlen(buf) > 5);
  assert_null(strstr(buf, "\n"));
  assert_null(strstr(buf, "\r"));
  if (strcmp(plat_name(), "win32") == 0) {
    /* FormatMessageW text, with the Win32 code: never strerror(GetLastError()) */
    size_t n = strlen(buf);
    assert_true(n > 4 && strcmp(buf + n - 4, " (2)") == 0);
    assert_null(strstr(buf, "Windows error"));  /* the fallback was not used */
  }
}

static void getenv_set_and_unset(void **state) {
  (void)state;
  char *v = plat_getenv("PATH");
  assert_non_null(v);
  free(v);
  assert_null(plat_getenv("SXSFIX_SURELY_NOT_SET_12345"));
}

static void wine_detection(void **state) {
  (void)state;
  const char *v = plat_wine_version();
  if (th_expect_wine()) {
    assert_non_null(v);
    assert_true(strlen(v) > 0);
  } else {
    assert_null(v);
  }
}

static void dir_lists_names_and_types(void **state) {
  const char *d = *state;
  plat_err e;
  assert_int_equal(plat_mkdirs(th_join(d, "sub"), &e), 0);
  assert_int_equal(plat_write_file(th_join(d, "f.txt"), "abc", 3, &e), 0);
  assert_int_equal(plat_write_file(th_join(d, "\xd0\xb4.log"), "", 0, &e), 0);  /* "д.log" */
  plat_dir *dir = plat_dir_open(d, &e);
  assert_non_null(dir);
  int seen_sub = 0, seen_f = 0, seen_u = 0, n = 0, r;
  plat_dirent ent;
  while ((r = plat_dir_next(dir, &ent, &e)) == 1) {
    n++;
    if (strcmp(ent.name, "sub") == 0) { seen_sub = 1; assert_int_equal(ent.type, PLAT_DIR); }
    if (strcmp(ent.name, "f.txt") == 0) { seen_f = 1; assert_int_equal(ent.type, PLAT_FILE); }
    if (strcmp(ent.name, "\xd0\xb4.log") == 0) seen_u = 1;
  }
  assert_int_equal(r, 0);
  assert_int_equal(n, 3);  /* no "." or ".." */
  assert_true(seen_sub && seen_f && seen_u);
  assert_int_equal(plat_dir_next(dir, &ent, &e), 0);  /* stays at the end */
  plat_dir_close(dir);
  plat_dir_close(NULL);
}

static void dir_empty_and_missing(void **state) {
  plat_err e = {0};
  plat_dirent ent;
  plat_dir *dir = plat_dir_open(*state, &e);
  assert_non_null(dir);
  assert_int_equal(plat_dir_next(dir, &ent, &e), 0);
  plat_dir_close(dir);
  const char *missing = th_join(*state, "absent");
  assert_null(plat_dir_open(missing, &e));
  assert_non_null(strstr(e.msg, "absent"));
  assert_int_equal(plat_write_file(th_join(*state, "file"), "x", 1, &e), 0);
  assert_null(plat_dir_open(th_join(*state, "file"), &e));  /* not a folder */
}

static void stat_file_and_folder(void **state) {
  const char *f = th_join(*state, "s.bin");
  plat_err e;
  assert_int_equal(plat_write_file(f, "12345", 5, &e), 0);
  plat_info st;
  assert_int_equal(plat_stat(f, 1, &st, &e), 0);
  assert_int_equal(st.type, PLAT_FILE);
  assert_int_equal(st.size, 5);
  assert_true(st.mtime_ns > 1500000000LL * 1000000000LL);  /* after 2017: a real time */
  assert_int_equal(st.nlink, 1);
  assert_int_equal(plat_stat(*state, 0, &st, &e), 0);
  assert_int_equal(st.type, PLAT_DIR);
  plat_info st2;
  assert_int_equal(plat_stat(f, 0, &st2, &e), 0);
  assert_true(st2.ino != st.ino || st2.dev != st.dev);  /* distinct identities */
  assert_int_equal(plat_stat(th_join(*state, "nope"), 1, &st, &e), -1);
  assert_non_null(strstr(e.msg, "nope"));
}

/* A file held open for writing by another handle: the second writer gets
   the "in use" code on Windows (share modes; Wine keeps them too). */
static void in_use_is_detected(void **state) {
  const char *p = th_join(*state, "held.dll");
  plat_err e;
  assert_int_equal(plat_write_file(p, "x", 1, &e), 0);
  plat_file *f = plat_open_write(p, PLAT_OPEN_EXISTING, &e);
  assert_non_null(f);
  plat_file *g = plat_open_write(p, PLAT_OPEN_EXISTING, &e);
  if (strcmp(plat_name(), "win32") == 0) {
    assert_null(g);
    assert_true(plat_is_in_use(e.code));
  } else {
    assert_non_null(g);   /* POSIX has no share modes */
    assert_false(plat_is_in_use(e.code));
  }
  plat_close(g, NULL);
  plat_close(f, NULL);
}

/* PendingFileRenameOperations holds "\??\FROM", "!\??\TO" (UTF-16LE) after a
   boot-time replacement is scheduled, and loses the pair when it is cancelled. */
static int pending_has(const char *name) {
  plat_regkey k;
  plat_err e;
  int found = 0;
  if (plat_reg_read("HKLM", "SYSTEM\\CurrentControlSet\\Control\\Session Manager", &k, &e) != 1) return -1;
  for (size_t i = 0; i < k.nvalues; i++) {
    if (strcmp(k.values[i].name, "PendingFileRenameOperations") != 0) continue;
    size_t n = strlen(name);
    for (size_t o = 0; !found && o + 2 * n <= k.values[i].len; o += 2) {
      size_t j = 0;
      while (j < n && k.values[i].data[o + 2 * j] == (unsigned char)name[j] && k.values[i].data[o + 2 * j + 1] == 0) j++;
      found = j == n;
    }
  }
  plat_regkey_free(&k);
  return found;
}

static void replace_at_boot_and_cancel(void **state) {
  const char *to = th_join(*state, "locked-target.dll");
  const char *from = th_join(*state, "locked-target.dll.sxsfix-new");
  plat_err e;
  int found = -1;
  assert_int_equal(plat_write_file(to, "old", 3, &e), 0);
  assert_int_equal(plat_write_file(from, "new", 3, &e), 0);
  if (strcmp(plat_name(), "win32") != 0) {
    assert_int_equal(plat_replace_at_boot(from, to, &e), -1);   /* no such thing */
    assert_int_equal(plat_cancel_at_boot(from, to, &found, &e), 0);
    assert_int_equal(found, 0);
    return;
  }
  assert_int_equal(plat_replace_at_boot(from, to, &e), 0);
  assert_int_equal(pending_has("locked-target.dll.sxsfix-new"), 1);   /* read back */
  char *got;
  size_t len;
  assert_int_equal(plat_read_file(to, &got, &len, &e), 0);            /* nothing moved yet */
  assert_memory_equal(got, "old", 3);
  free(got);
  assert_int_equal(plat_cancel_at_boot(from, to, &found, &e), 0);
  assert_int_equal(found, 1);
  assert_int_equal(pending_has("locked-target.dll.sxsfix-new"), 0);
  assert_int_equal(plat_cancel_at_boot(from, to, &found, &e), 0);     /* twice: nothing left */
  assert_int_equal(found, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(write_read_roundtrip, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(empty_file, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(write_replaces_and_leaves_no_temp, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(remove_nonempty_folder_fails, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(write_into_missing_folder_fails_cleanly, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(read_missing_names_path, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(read_folder_fails, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(mkdirs_nested_and_existing, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(mkdirs_over_file_fails, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(unicode_names, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(long_paths, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(remove_tree_removes_everything, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(dir_lists_names_and_types, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(dir_empty_and_missing, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(stat_file_and_folder, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(strerror_has_text),
    cmocka_unit_test(getenv_set_and_unset),
    cmocka_unit_test(wine_detection),
    cmocka_unit_test_setup_teardown(in_use_is_detected, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(replace_at_boot_and_cancel, th_tempdir_setup, th_tempdir_teardown),
  };
  return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
