/* torture_expand.c: entry-name checks, streamed output, the free-space
   precheck (injected at the platform layer) and expansion of real cabs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/expand.h"
#include "core/safename.h"
#include "platform/platform.h"

static void safe_names_pass(void **state) {
  (void)state;
  static const char *const ok[][2] = {
    {"update.mum", "update.mum"},
    {"amd64_x\\cbscore.dll", "amd64_x/cbscore.dll"},
    {"a/b/c.txt", "a/b/c.txt"},
    {"folder\\", "folder"},
    {"console.txt", "console.txt"}, {"COM0", "COM0"}, {"LPT10", "LPT10"}, {"..a", "..a"},
    {"\xc3\xa9t\xc3\xa9.txt", "\xc3\xa9t\xc3\xa9.txt"},
  };
  char out[256];
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    const char *why = sx_safename(ok[i][0], out, sizeof out);
    if (why) fail_msg("'%s' refused: %s", ok[i][0], why);
    assert_string_equal(out, ok[i][1]);
  }
}

static void hostile_names_refused(void **state) {
  (void)state;
  static const char *const bad[] = {
    "", "/etc/passwd", "\\abs", "..", "../x", "a/../../x", "a\\..\\x", "a/./b", "C:\\x", "C:x",
    "f.txt:ads", "CON", "con", "Con.txt", "NUL.tar.gz", "aux", "PRN", "COM1", "com9.log", "LPT1",
    "lpt9.txt", "CON .txt", "a\x01" "b", "tab\tname", "del\x7f", "trail.", "trail ", "a//b", "a\\\\b",
    "q?.txt", "st*r", "pipe|x", "lt<x", "gt>x", "quote\"x",
  };
  char out[256];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (!sx_safename(bad[i], out, sizeof out)) fail_msg("'%s' was accepted", bad[i]);
  char longname[300];
  memset(longname, 'x', 256);
  longname[256] = '\0';
  assert_non_null(sx_safename(longname, out, sizeof out));   /* a component over 255 bytes */
  longname[255] = '\0';
  assert_non_null(sx_safename(longname, out, 100));          /* longer than the caller's room */
  assert_null(sx_safename(longname, out, sizeof out));
}

static int count_entries(const char *dir) {
  plat_err e;
  plat_dir *d = plat_dir_open(dir, &e);
  if (!d) return -1;
  plat_dirent ent;
  int n = 0;
  while (plat_dir_next(d, &ent, &e) == 1) n++;
  plat_dir_close(d);
  return n;
}

static void out_commit_and_abort(void **state) {
  const char *p = th_join(*state, "stream.bin");
  plat_err e;
  plat_out *o = plat_out_create(p, NULL, &e);
  assert_non_null(o);
  assert_int_equal(plat_out_write(o, "abc", 3, &e), 0);
  assert_false(plat_is_dir(p));
  plat_info st;
  assert_int_equal(plat_stat(p, 0, &st, &e), -1);             /* not under its name yet */
  int64_t when = 1500000000LL * 1000000000LL;
  assert_int_equal(plat_out_commit(o, when, 0, &e), 0);
  assert_int_equal(plat_stat(p, 0, &st, &e), 0);
  assert_int_equal(st.size, 3);
  assert_true(st.mtime_ns == when);

  /* without replace an existing name stays, and the new data goes away */
  o = plat_out_create(p, NULL, &e);
  assert_non_null(o);
  assert_int_equal(plat_out_write(o, "defg", 4, &e), 0);
  assert_int_equal(plat_out_commit(o, PLAT_NO_TIME, 0, &e), -1);
  assert_int_equal(e.code, plat_errcode(PLAT_E_EXIST));
  assert_int_equal(plat_stat(p, 0, &st, &e), 0);
  assert_int_equal(st.size, 3);
  /* with replace it is replaced */
  o = plat_out_create(p, NULL, &e);
  assert_non_null(o);
  assert_int_equal(plat_out_write(o, "defg", 4, &e), 0);
  assert_int_equal(plat_out_commit(o, PLAT_NO_TIME, 1, &e), 0);
  assert_int_equal(plat_stat(p, 0, &st, &e), 0);
  assert_int_equal(st.size, 4);

  o = plat_out_create(th_join(*state, "aborted.bin"), NULL, &e);
  assert_non_null(o);
  assert_int_equal(plat_out_write(o, "xyz", 3, &e), 0);
  plat_out_abort(o);
  assert_int_equal(count_entries(*state), 1);                  /* only stream.bin */
}

static void free_space_checked_first(void **state) {
  const char *cab;
  TH_TESTDATA(cab, "cabs/libarchive/test_read_format_cab_2.cab");
  const char *dst = th_join(*state, "full");
  sx_expand_opts o = { .nested = 1 };
  sx_expand_stats st;
  plat_err e;
  plat_fault_free_space(10);
  int rc = sx_expand(cab, dst, &o, &st, &e);
  plat_fault_free_space(-1);
  assert_int_equal(rc, -1);
  assert_int_equal(e.code, SX_EXP_NOSPACE);
  assert_non_null(strstr(e.msg, "not enough free space"));
  assert_int_equal(count_entries(dst), 0);                     /* nothing written */
  assert_int_equal(sx_expand(cab, dst, &o, &st, &e), 0);       /* with room, it works */
  assert_true(st.files > 0);
  assert_int_equal(count_entries(dst) > 0, 1);
}

typedef struct seen { int n, nested; } seen;
static int on_entry(void *ud, const sx_entry *ent) {
  seen *s = ud;
  s->n++;
  if (strstr(ent->origin, ".msu>Windows6.1-KB2999226-x64.cab") && strcmp(ent->name, "update.mum") == 0)
    s->nested++;
  return 0;
}

static void list_reports_nested_origin(void **state) {
  (void)state;
  const char *msu;
  TH_TESTDATA(msu, "cabs/msu/Windows6.1-KB2999226-x64.msu");
  sx_expand_opts o = { .nested = 1 };
  seen s = {0, 0};
  plat_err e;
  assert_int_equal(sx_list(msu, &o, on_entry, &s, &e), 0);
  assert_int_equal(s.nested, 1);
  assert_true(s.n > 4);
  seen flat = {0, 0};
  o.nested = 0;
  assert_int_equal(sx_list(msu, &o, on_entry, &flat, &e), 0);
  assert_int_equal(flat.n, 4);       /* the outer cab only */
  assert_int_equal(flat.nested, 0);
}

static void wrong_magic_named(void **state) {
  const char *p = th_join(*state, "not.cab");
  plat_err e;
  assert_int_equal(plat_write_file(p, "ISc(....", 8, &e), 0);
  sx_expand_opts o = { .nested = 1 };
  sx_expand_stats st;
  assert_int_equal(sx_expand(p, th_join(*state, "d"), &o, &st, &e), -1);
  assert_int_equal(e.code, SX_EXP_FORMAT);
  assert_non_null(strstr(e.msg, "not.cab: is an InstallShield cabinet"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(safe_names_pass),
    cmocka_unit_test(hostile_names_refused),
    cmocka_unit_test_setup_teardown(out_commit_and_abort, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(free_space_checked_first, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(list_reports_nested_origin),
    cmocka_unit_test_setup_teardown(wrong_magic_named, th_tempdir_setup, th_tempdir_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
