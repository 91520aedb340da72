/* torture_host.c: host_main end to end, through the built-in Lua CLI:
   exit-code mapping, error containment and the script-set handshake. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "host/host.h"
#include "host/scripts.h"
#include "platform/platform.h"

#define RUN(...) run((const char *[]){"sxsfix", __VA_ARGS__, NULL})

static int run(const char **args) {
  int argc = 0;
  while (args[argc]) argc++;
  return host_main(argc, (char **)args);
}

static void eval_return_sets_exit_code(void **state) {
  (void)state;
  assert_int_equal(RUN("eval", "return 7"), 7);
  assert_int_equal(RUN("eval", "local x = 1"), SX_EXIT_OK);
}

static void script_errors_exit_4(void **state) {
  (void)state;
  assert_int_equal(RUN("eval", "error('x')"), SX_EXIT_INTERNAL);
  assert_int_equal(RUN("eval", "error({})"), SX_EXIT_INTERNAL);       /* non-string error */
  assert_int_equal(RUN("eval", "error(nil)"), SX_EXIT_INTERNAL);
  assert_int_equal(RUN("eval", "error(setmetatable({}, {__tostring = function() return 'obj' end}))"),
                   SX_EXIT_INTERNAL);
  assert_int_equal(RUN("eval", "local t = nil; return t.x"), SX_EXIT_INTERNAL);
  assert_int_equal(RUN("eval", "return 256"), SX_EXIT_INTERNAL);      /* not an exit code */
}

static void usage_errors_exit_3(void **state) {
  (void)state;
  assert_int_equal(RUN("nosuchcmd"), SX_EXIT_USAGE);
  assert_int_equal(RUN("--nosuchoption", "version"), SX_EXIT_USAGE);
  assert_int_equal(RUN("eval"), SX_EXIT_USAGE);                       /* missing chunk */
  assert_int_equal(RUN("eval", "this is not lua"), SX_EXIT_USAGE);    /* syntax error in argv */
  assert_int_equal(RUN("run", "no-such-script.lua"), SX_EXIT_USAGE);
  assert_int_equal(RUN("version", "--json"), SX_EXIT_USAGE);          /* option without value */
  assert_int_equal(RUN("--scripts", "no-such-folder", "version"), SX_EXIT_USAGE);
}

static void version_and_help_exit_0(void **state) {
  (void)state;
  assert_int_equal(RUN("--version"), SX_EXIT_OK);
  assert_int_equal(RUN("version"), SX_EXIT_OK);
  assert_int_equal(RUN("--help"), SX_EXIT_OK);
  assert_int_equal(RUN("help", "run"), SX_EXIT_OK);
}

static void global_options_anywhere(void **state) {
  const char *root = *state;
  /* --root before and after the command reaches the script the same way */
  const char *chunk = "return require('sxsfix.ctx').opts.root == ... and 5 or 6";
  assert_int_equal(RUN("--root", root, "eval", chunk, root), 5);
  assert_int_equal(RUN("eval", chunk, root, "--root", root), 5);
  assert_int_equal(RUN("eval", chunk, root), 6);
}

static void embedded_set_is_complete(void **state) {
  (void)state;
  assert_non_null(sx_script_find("sxsfix/cli.lua"));
  assert_non_null(sx_script_find("sxsfix/version.lua"));
  assert_null(sx_script_find("sxsfix/nonexistent.lua"));
}

static void export_then_run_edited_set(void **state) {
  const char *dir = th_join(*state, "set");
  assert_int_equal(RUN("scripts", "export", dir), SX_EXIT_OK);
  assert_int_equal(RUN("scripts", "export", dir), SX_EXIT_USAGE);   /* refuses to overwrite */
  assert_int_equal(RUN("--scripts", dir, "eval", "return 9"), 9);
  /* edit: eval now always returns 42 */
  const char *eval = th_join(th_join(th_join(dir, "sxsfix"), "cmd"), "eval.lua");
  static const char edited[] = "return { summary = 's', run = function() return 42 end }\n";
  plat_err e;
  assert_int_equal(plat_write_file(eval, edited, sizeof edited - 1, &e), 0);
  assert_int_equal(RUN("--scripts", dir, "eval", "return 9"), 42);
  assert_int_equal(RUN("eval", "return 9"), 9);  /* the built-in set is unchanged */
}

static void mismatched_set_is_refused(void **state) {
  const char *dir = th_join(*state, "old");
  assert_int_equal(RUN("scripts", "export", dir), SX_EXIT_OK);
  const char *ver = th_join(th_join(dir, "sxsfix"), "version.lua");
  static const char old[] = "return { version = '0.0.1', api = 0 }\n";
  plat_err e;
  assert_int_equal(plat_write_file(ver, old, sizeof old - 1, &e), 0);
  assert_int_equal(RUN("--scripts", dir, "eval", "return 0"), SX_EXIT_USAGE);  /* bad input: another API */
  /* a set without version.lua is not a script set */
  assert_int_equal(plat_remove(ver, &e), 0);
  assert_int_equal(RUN("--scripts", dir, "eval", "return 0"), SX_EXIT_INTERNAL);
}

static void run_passes_arguments(void **state) {
  const char *f = th_join(*state, "args.lua");
  static const char src[] =
      "local a, b = ...\n"
      "assert(arg[0]:find('args.lua', 1, true))\n"
      "assert(a == '--root' and b == 'x' and arg[1] == a and arg[2] == b)\n"
      "return #arg\n";
  plat_err e;
  assert_int_equal(plat_write_file(f, src, sizeof src - 1, &e), 0);
  /* options after the script file belong to the script */
  assert_int_equal(RUN("run", f, "--root", "x"), 2);
}

/* A failure's class decides the exit code, in one place: bad input 3, the
   OS or a lack of memory or space 2, internal 4; expand follows it. */
static void failure_classes_map_to_exit_codes(void **state) {
  assert_int_equal(host_exit_for_class(PLAT_EC_INPUT), SX_EXIT_USAGE);
  assert_int_equal(host_exit_for_class(PLAT_EC_OS), SX_EXIT_FAILED);
  assert_int_equal(host_exit_for_class(PLAT_EC_RESOURCE), SX_EXIT_FAILED);
  assert_int_equal(host_exit_for_class(PLAT_EC_INTERNAL), SX_EXIT_INTERNAL);
  plat_err e;
  plat_fail(&e, "x", plat_errcode(PLAT_E_NOMEM));
  assert_int_equal(e.cls, PLAT_EC_RESOURCE);
  plat_fail(&e, "x", plat_errcode(PLAT_E_NOSPC));
  assert_int_equal(e.cls, PLAT_EC_RESOURCE);
  plat_fail(&e, "x", plat_errcode(PLAT_E_NOENT));
  assert_int_equal(e.cls, PLAT_EC_OS);
  const char *bad = th_join(*state, "damaged.cab"), *out = th_join(*state, "out");
  assert_int_equal(plat_write_file(bad, "MSCF\0\0\0\0", 8, &e), 0);
  assert_int_equal(RUN("expand", bad, out), SX_EXIT_USAGE);             /* input */
  bad = th_join(*state, "absent.cab");
  out = th_join(*state, "out");
  assert_int_equal(RUN("expand", bad, out), SX_EXIT_FAILED);            /* os: no such file */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(eval_return_sets_exit_code),
    cmocka_unit_test_setup_teardown(failure_classes_map_to_exit_codes, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(script_errors_exit_4),
    cmocka_unit_test(usage_errors_exit_3),
    cmocka_unit_test(version_and_help_exit_0),
    cmocka_unit_test_setup_teardown(global_options_anywhere, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(embedded_set_is_complete),
    cmocka_unit_test_setup_teardown(export_then_run_edited_set, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(mismatched_set_is_refused, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(run_passes_arguments, th_tempdir_setup, th_tempdir_teardown),
  };
  return cmocka_run_group_tests_name("host", tests, NULL, NULL);
}
