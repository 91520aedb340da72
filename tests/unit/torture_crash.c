/* torture_crash.c: a copy killed (SIGKILL) just before each change it
   makes, through the POSIX fault point (SXSFIX_FAULT_KILL_AT=N counts
   every create, write, truncation, rename, removal, folder and metadata
   set, the journal's own writes among them), one run per change: after a
   rollback the destination is exactly as before and nothing stays
   scheduled for the next boot. Two trees: one with a file in use (its
   replacement LEAF.sxsfix-pendingN), with one worker and two; one whose
   destination and a parent of it do not exist yet. The run is this program
   again (--child), so each kill is a real one; files in use and the
   boot-time renames are played through copy_os, as in torture_pending.c
   (POSIX has no files in use), the renames kept in a file the rollback
   reads back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/copy_int.h"

#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUSY 424242
static const char *self;  /* this program, run again for each kill */

static int no_checkpoint(const char *verb, const char *rel) { (void)verb; (void)rel; return 0; }
static int is_busy(int code) { return code == BUSY; }

/* The boot-time renames, "FROM\tTO" lines in BOOT (the fake
   PendingFileRenameOperations; the child appends, the rollback cancels). */
static const char *bootfile;
static char *boot[16][2];
static int nboot;

static int fake_replace(const char *from, const char *to, plat_err *e) {
  char line[2200];
  snprintf(line, sizeof line, "%s\t%s\n", from, to);
  plat_file *f = plat_open_write(bootfile, PLAT_OPEN_APPEND, e);
  int rc = f ? plat_write(f, line, strlen(line), e) : -1;
  if (f && plat_close(f, rc ? NULL : e) != 0) rc = -1;
  return rc;
}

static int fake_cancel(const char *from, const char *to, int *found, plat_err *e) {
  (void)e;
  *found = 0;
  for (int i = 0; i < nboot; i++)
    if (!strcmp(boot[i][0], from) && !strcmp(boot[i][1], to)) {
      free(boot[i][0]), free(boot[i][1]);
      boot[i][0] = boot[nboot - 1][0], boot[i][1] = boot[nboot - 1][1];
      nboot--;
      *found = 1;
      return 0;
    }
  return 0;
}

static void load_boot(void) {
  char *t;
  size_t len;
  plat_err e;
  for (int i = 0; i < nboot; i++) free(boot[i][0]), free(boot[i][1]);
  nboot = 0;
  if (plat_read_file(bootfile, &t, &len, &e) != 0) return;
  for (char *l = t, *nl; (nl = strchr(l, '\n')); l = nl + 1) {
    *nl = '\0';
    char *tab = strchr(l, '\t');
    assert_non_null(tab);
    assert_true(nboot < 16);
    *tab = '\0';
    boot[nboot][0] = strdup(l), boot[nboot][1] = strdup(tab + 1);
    nboot++;
  }
  free(t);
}

/* The destination's open in place of any file named f.bin fails as in use. */
static plat_file *open_locked(plat_dirh *d, const char *name, int how, plat_err *e) {
  if (how == PLAT_OPEN_EXISTING && !strcmp(name, "f.bin")) {
    e->code = BUSY;
    e->cls = PLAT_EC_OS;
    snprintf(e->msg, sizeof e->msg, "%s: in use (injected)", name);
    return NULL;
  }
  return plat_dirh_open_file(d, name, how, e);
}

/* --child SRC DST BACKUP BOOT THREADS: the copy, exit 0 when it completed. */
static int child(char **argv) {
  bootfile = argv[5];
  copy_os = (copy_ops){ plat_open_read, open_locked, copy_stream, plat_fmeta_set, no_checkpoint,
                        is_busy, fake_replace, fake_cancel, fake_cancel, plat_service_start, plat_truncate };
  copy_opts o = {0};
  o.backup = argv[4];
  o.at_boot = 1;
  o.threads = atoi(argv[6]);
  copy_plan p;
  copy_summary s;
  plat_err e;
  if (copy_plan_build(argv[2], argv[3], &o, &p, &e) != 0) { fprintf(stderr, "plan: %s\n", e.msg); return 2; }
  int rc = copy_apply(argv[2], argv[3], &o, &p, &s, &e);
  if (rc) fprintf(stderr, "apply: %s\n", e.msg);
  copy_plan_free(&p);
  return rc ? 2 : 0;
}

/* Every name below dir with its type and contents, one a line, into *out. */
static void listing(const char *dir, const char *rel, char *out, size_t len) {
  plat_err e;
  plat_dir *d = plat_dir_open(dir, &e);
  if (!d) return;
  plat_dirent de;
  char *names[64];
  int n = 0;
  while (n < 64 && plat_dir_next(d, &de, &e) == 1) names[n++] = strdup(de.name);
  plat_dir_close(d);
  for (int i = 0; i < n; i++)  /* sorted, so the listing compares */
    for (int k = i + 1; k < n; k++)
      if (strcmp(names[k], names[i]) < 0) { char *t = names[i]; names[i] = names[k]; names[k] = t; }
  for (int i = 0; i < n; i++) {
    char sub[512], *path = strdup(th_join(dir, names[i]));
    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
    char *t = th_get(dir, names[i]);
    plat_info st;
    int isdir = plat_stat(path, 0, &st, &e) == 0 && st.type == PLAT_DIR;
    size_t k = strlen(out);
    snprintf(out + k, len - k, "%s %s\n", sub, isdir ? "(folder)" : t ? t : "(unreadable)");
    free(t);
    if (isdir) listing(path, sub, out, len);
    free(path);
    free(names[i]);
  }
}

/* Run the copy SRC -> DST killed at change 1, 2, ... until it completes;
   after each kill, roll back and compare TOP (which holds DST) with its
   listing before. Returns the number of kills. */
static int kill_each(const char *top, const char *src, const char *dst, const char *bk, const char *threads,
                     void (*fresh)(void)) {
  int kills = 0;
  for (int n = 1; n < 400; n++) {
    plat_err e;
    fresh();
    plat_remove(bootfile, &e);
    char before[8192] = "", after[8192] = "";
    listing(top, "", before, sizeof before);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      char at[16];
      snprintf(at, sizeof at, "%d", n);
      setenv("SXSFIX_FAULT_KILL_AT", at, 1);
      execl(self, self, "--child", src, dst, bk, bootfile, threads, (char *)NULL);
      _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
      assert_int_equal(WEXITSTATUS(status), 0);  /* completed: every change was killed once */
      return kills;
    }
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    kills++;
    load_boot();
    const char *jp = th_join(bk, "journal.txt");
    plat_info st;
    if (plat_stat(jp, 0, &st, &e) == 0) {
      copy_rollback_stats rs;
      if (copy_rollback(jp, &rs, &e) != 0) fail_msg("kill at %d: rollback: %s", n, e.msg);
      if (rs.failed || rs.changed) fail_msg("kill at %d: rollback: %s", n, rs.first_error);
      free(rs.first_error);
    }
    listing(top, "", after, sizeof after);
    if (strcmp(before, after)) fail_msg("kill at %d, %s thread(s): before:\n%safter rollback:\n%s", n, threads, before, after);
    if (nboot) fail_msg("kill at %d: %s is still scheduled to replace %s at the next boot", n, boot[0][0], boot[0][1]);
  }
  fail_msg("the copy never completed");
  return kills;
}

static char *S, *D, *B, *T;
static int setup(void **state) {
  if (th_tempdir_setup(state) != 0) return -1;
  S = strdup(th_join(*state, "src"));
  T = strdup(th_join(*state, "top"));
  B = strdup(th_join(*state, "bk"));
  bootfile = strdup(th_join(*state, "boot.txt"));
  copy_os.cancel_at_boot = fake_cancel;
  th_put(S, "k/f.bin", "new f, longer", 1600000000000000000LL);
  th_put(S, "k/g.bin", "new g", 1600000000000000000LL);
  th_put(S, "k/h.bin", "new h", 1600000000000000000LL);
  th_put(S, "k/n/i.bin", "new i", 1600000000000000000LL);
  return 0;
}
static int teardown(void **state) {
  for (int i = 0; i < nboot; i++) free(boot[i][0]), free(boot[i][1]);
  nboot = 0;
  free(S), free(D), free(B), free(T), free((char *)bootfile);
  D = NULL;
  return th_tempdir_teardown(state);
}

static void fresh_in_use(void) {
  plat_err e;
  plat_remove_tree(T, &e);
  plat_remove_tree(B, &e);
  th_put(D, "k/f.bin", "old f", 1500000000000000000LL);
  th_put(D, "k/g.bin", "old g", 1500000000000000000LL);
}

/* f.bin is in use: replaced at the next boot; g.bin overwritten; h.bin and
   the folder n new. */
static void killed_with_a_file_in_use(void **state) {
  (void)state;
  D = strdup(th_join(T, "d"));
  int one = kill_each(T, S, D, B, "1", fresh_in_use);
  int two = kill_each(T, S, D, B, "2", fresh_in_use);
  print_message("killed %d times with one worker, %d with two\n", one, two);
  assert_true(one >= 20 && two >= 20);
}

static void fresh_none(void) {
  plat_err e;
  plat_remove_tree(T, &e);
  plat_remove_tree(B, &e);
  assert_int_equal(plat_mkdirs(T, &e), 0);
}

/* The destination TOP/x/d and its parent x are created by the run. */
static void killed_creating_the_destination(void **state) {
  (void)state;
  char *x = strdup(th_join(T, "x"));
  D = strdup(th_join(x, "d"));
  free(x);
  int kills = kill_each(T, S, D, B, "1", fresh_none);
  print_message("killed %d times\n", kills);
  assert_true(kills >= 10);
}
#endif

int main(int argc, char **argv) {
#ifdef _WIN32
  (void)argc, (void)argv;
  printf("SKIP: the fault point (SXSFIX_FAULT_KILL_AT) and fork are the POSIX platform's\n");
  return 77;
#else
  if (argc == 7 && !strcmp(argv[1], "--child")) return child(argv);
  self = argv[0];
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(killed_with_a_file_in_use, setup, teardown),
    cmocka_unit_test_setup_teardown(killed_creating_the_destination, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
