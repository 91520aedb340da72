/* torture_pending.c: a destination file in use (another process holds it)
   is written beside it and replaced at the next boot; the journal records
   it and a rollback takes it back. The OS state is played through copy_os
   (in_use, replace_at_boot, cancel_at_boot): POSIX has no files in use, and
   the real Windows calls are tested under Wine by tests/cli/test_live.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/copy_int.h"  /* copy_join, white-box */

#define BUSY 424242  /* the code the injected open returns: "in use" */

static const char *S, *D, *B;
static const char *locked = "k/f.bin";  /* the file "another process" holds */

/* The boot-time renames: pairs from, to (a fake PendingFileRenameOperations). */
static char *boot[16][2];
static int nboot;

static int no_checkpoint(const char *verb, const char *rel) { (void)verb; (void)rel; return 0; }
static int is_busy(int code) { return code == BUSY; }

/* Paths equal as Windows compares them here: '/' and '\\' alike. */
static int same_path(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (*a != *b && !((*a == '/' || *a == '\\') && (*b == '/' || *b == '\\'))) return 0;
  return *a == *b;
}

static int fake_replace(const char *from, const char *to, plat_err *e) {
  (void)e;
  assert_true(nboot < 16);
  boot[nboot][0] = strdup(from);
  boot[nboot][1] = strdup(to);
  nboot++;
  return 0;
}

static int fake_cancel(const char *from, const char *to, int *found, plat_err *e) {
  (void)e;
  *found = 0;
  for (int i = 0; i < nboot; i++)
    if (same_path(boot[i][0], from) && same_path(boot[i][1], to)) {
      free(boot[i][0]), free(boot[i][1]);
      boot[i][0] = boot[nboot - 1][0], boot[i][1] = boot[nboot - 1][1];
      nboot--;
      *found = 1;
      return 0;
    }
  return 0;
}

static int fake_query(const char *from, const char *to, int *found, plat_err *e) {
  (void)e;
  *found = 0;
  for (int i = 0; i < nboot; i++) *found |= same_path(boot[i][0], from) && same_path(boot[i][1], to);
  return 0;
}

/* The services a rollback started, space-separated. */
static char started[256];
static int fake_start(const char *name, unsigned max_ms, plat_err *e) {
  (void)e;
  assert_true(max_ms >= 1000);  /* a bounded wait, of some seconds */
  strncat(started, name, sizeof started - strlen(started) - 2);
  strcat(started, " ");
  return 0;
}

/* The last separator of either kind: copy_join follows the root's ('\\' on Windows). */
static char *last_sep(const char *p) {
  char *s1 = strrchr(p, '/'), *s2 = strrchr(p, '\\');
  return s1 > s2 ? s1 : s2;
}

/* The destination's open for writing in place fails as a sharing violation
   for the locked file; every other open is the real one. */
static plat_file *open_locked(plat_dirh *d, const char *name, int how, plat_err *e) {
  const char *leaf = last_sep(locked) + 1;
  if (how == PLAT_OPEN_EXISTING && !strcmp(name, leaf)) {
    e->code = BUSY;
    e->cls = PLAT_EC_OS;
    snprintf(e->msg, sizeof e->msg, "%s: in use (injected)", name);
    return NULL;
  }
  return plat_dirh_open_file(d, name, how, e);
}

static int setup(void **state) {
  if (th_tempdir_setup(state) != 0) return -1;
  S = strdup(th_join(*state, "src"));
  D = strdup(th_join(*state, "dst"));
  B = strdup(th_join(*state, "bk"));
  copy_os = (copy_ops){ plat_open_read, open_locked, copy_stream, plat_fmeta_set, no_checkpoint,
                        is_busy, fake_replace, fake_cancel, fake_query, fake_start, plat_truncate };
  started[0] = '\0';
  nboot = 0;
  plat_err e;
  return plat_mkdirs(S, &e);
}

static int teardown(void **state) {
  for (int i = 0; i < nboot; i++) free(boot[i][0]), free(boot[i][1]);
  nboot = 0;
  free((char *)S), free((char *)D), free((char *)B);
  return th_tempdir_teardown(state);
}

/* The source is newer than the destination. */
static void put(const char *root, const char *rel, const char *text) {
  th_put(root, rel, text, root == S ? 1600000000000000000LL : 1500000000000000000LL);
}

static void is(const char *root, const char *rel, const char *want) {
  char *t = th_get(root, rel);
  if (!want) { if (t) fail_msg("%s exists, holding \"%s\"", rel, t); return; }
  if (!t) fail_msg("%s is missing", rel);
  if (strcmp(t, want)) fail_msg("%s holds \"%s\", not \"%s\"", rel, t, want);
  free(t);
}

static const copy_item *item(const copy_plan *p, const char *rel) {
  for (size_t i = 0; i < p->n; i++) if (!strcmp(p->items[i].rel, rel)) return &p->items[i];
  fail_msg("no item %s", rel);
  return NULL;
}

static void tree(void) {
  put(D, "k/f.bin", "old f");
  put(D, "k/g.bin", "old g");
  put(S, "k/f.bin", "new f, longer");
  put(S, "k/g.bin", "new g");
}

static int at_boot = 1;
static const char *service;
static int (*check)(void *ud, const char *rel, plat_file *src, plat_err *e);
static int run_copy(copy_plan *p, copy_summary *s, plat_err *e) {
  copy_opts o = {0};
  o.backup = B;
  o.at_boot = at_boot;
  o.service = service;
  o.check = check;
  assert_int_equal(copy_plan_build(S, D, &o, p, e), 0);
  return copy_apply(S, D, &o, p, s, e);
}

/* 1 when the fake boot list holds .../k/TMP -> .../k/f.bin (the engine
   names the folder as it opened it, links resolved: the tails count). */
static int ends(const char *s, const char *tail) {  /* '/' matches '\\' too */
  size_t a = strlen(s), b = strlen(tail);
  if (a < b) return 0;
  for (size_t i = 0; i < b; i++) {
    char x = s[a - b + i], y = tail[i];
    if (x != y && !(y == '/' && x == '\\')) return 0;
  }
  return 1;
}
static int scheduled(const char *tmp) {
  char from[256];
  snprintf(from, sizeof from, "/k/%s", tmp);
  for (int i = 0; i < nboot; i++)
    if (ends(boot[i][0], from) && ends(boot[i][1], "/k/f.bin")) return 1;
  return 0;
}

/* An existing file at the temporary name (another program's, or a
   replacement still pending from an earlier run) is never overwritten. */
static void planted_file_is_not_clobbered(void **state) {
  (void)state;
  tree();
  put(D, "k/f.bin.sxsfix-pending1", "precious");
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&p, &s, &e), 0);
  assert_string_equal(item(&p, locked)->pending, "f.bin.sxsfix-pending2");
  is(D, "k/f.bin.sxsfix-pending1", "precious");
  is(D, "k/f.bin.sxsfix-pending2", "new f, longer");
  assert_true(scheduled("f.bin.sxsfix-pending2"));
  copy_plan_free(&p);
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);
  is(D, "k/f.bin.sxsfix-pending1", "precious");  /* not the run's: kept */
  is(D, "k/f.bin.sxsfix-pending2", NULL);
}

/* The attacker's test: entries planted at the temporary names are neither
   followed nor replaced; the run takes the next free name. */
static void planted_names_are_not_used(void **state) {
  tree();
  plat_err e;
  const char *outside = th_join(*state, "outside.txt");
  char *out = strdup(outside);
  assert_int_equal(plat_write_file(out, "theirs", 6, &e), 0);
  char *l1 = copy_join(D, "k/f.bin.sxsfix-pending1");
  plat_info st;
  if (plat_symlink(out, l1, &e) != 0 || plat_stat(l1, 0, &st, &e) != 0 || st.type != PLAT_LINK) {
    free(l1), free(out);
    print_message("SKIP: a link made here is not seen as a link or reparse point (Wine)\n");
    skip();
  }
  put(D, "k/f.bin.sxsfix-pending2", "precious");
  copy_plan p;
  copy_summary s;
  assert_int_equal(run_copy(&p, &s, &e), 0);
  assert_int_equal(s.pending, 1);
  assert_string_equal(item(&p, locked)->pending, "f.bin.sxsfix-pending3");
  is(D, "k/f.bin.sxsfix-pending3", "new f, longer");
  is(D, "k/f.bin.sxsfix-pending2", "precious");  /* not clobbered */
  is(*state, "outside.txt", "theirs");           /* the link was not followed */
  assert_int_equal(plat_stat(l1, 0, &st, &e), 0);
  assert_int_equal(st.type, PLAT_LINK);
  assert_true(scheduled("f.bin.sxsfix-pending3"));
  copy_plan_free(&p);
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);
  assert_int_equal(rs.cancelled, 1);
  is(D, "k/f.bin.sxsfix-pending3", NULL);
  is(D, "k/f.bin.sxsfix-pending2", "precious");  /* not the run's: kept */
  assert_int_equal(plat_stat(l1, 0, &st, &e), 0);
  assert_int_equal(st.type, PLAT_LINK);
  is(*state, "outside.txt", "theirs");
  free(rs.first_error);
  free(l1), free(out);
}

/* A file in use: the target is not touched, its replacement is complete
   beside it and scheduled; verify checks the replacement; the journal
   records it; rollback cancels it and removes the replacement. */
static void in_use_replaced_at_boot(void **state) {
  (void)state;
  tree();
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&p, &s, &e), 0);
  assert_int_equal(s.files.copied, 2);
  assert_int_equal(s.files.failed, 0);
  assert_int_equal(s.pending, 1);
  assert_null(item(&p, "k/g.bin")->pending);
  assert_string_equal(item(&p, locked)->pending, "f.bin.sxsfix-pending1");
  is(D, "k/f.bin", "old f");
  is(D, "k/f.bin.sxsfix-pending1", "new f, longer");
  is(D, "k/g.bin", "new g");
  assert_int_equal(nboot, 1);
  assert_true(scheduled("f.bin.sxsfix-pending1"));
  copy_opts o = {0};
  o.backup = B;
  assert_int_equal(copy_verify(S, D, &o, &p, &e), 0);
  copy_plan_free(&p);
  char *j = th_get(B, "journal.txt");
  assert_non_null(strstr(j, "sxsfix-copy-journal 3\n"));
  assert_non_null(strstr(j, "\npending k/f.bin "));
  free(j);
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);
  assert_int_equal(rs.failed, 0);
  assert_int_equal(rs.cancelled, 1);
  assert_int_equal(nboot, 0);
  is(D, "k/f.bin.sxsfix-pending1", NULL);
  is(D, "k/f.bin", "old f");
  is(D, "k/g.bin", "old g");
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);  /* again: nothing */
  assert_int_equal(rs.cancelled + rs.removed + rs.restored, 0);
}

/* Without at_boot (an offline system: the schedule would be another
   system's), a file in use fails as any unwritable file, and is not touched. */
static void in_use_fails_without_at_boot(void **state) {
  (void)state;
  tree();
  at_boot = 0;
  copy_plan p;
  copy_summary s;
  plat_err e;
  int rc = run_copy(&p, &s, &e);
  at_boot = 1;
  assert_int_equal(rc, 0);
  assert_int_equal(s.pending, 0);
  assert_int_equal(s.files.failed, 1);
  assert_true(item(&p, locked)->failed);
  assert_non_null(strstr(item(&p, locked)->error, "in use"));
  assert_int_equal(nboot, 0);
  is(D, "k/f.bin.sxsfix-pending1", NULL);
  is(D, "k/f.bin", "old f");
  copy_plan_free(&p);
}

/* The source's check (the signature's hashes) holds for a replacement at
   the next boot as for any copy: a file that fails it is neither written
   nor scheduled. */
static int refuse_f(void *ud, const char *rel, plat_file *src, plat_err *e) {
  (void)ud; (void)src;
  if (strcmp(rel, "k/f.bin")) return 0;
  return plat_failf(e, plat_errcode(PLAT_E_INVAL), "%s: changed since its signature was verified", rel);
}

static void pending_source_is_checked(void **state) {
  (void)state;
  tree();
  check = refuse_f;
  copy_plan p;
  copy_summary s;
  plat_err e;
  int rc = run_copy(&p, &s, &e);
  check = NULL;
  assert_int_equal(rc, 0);
  assert_true(item(&p, locked)->failed);
  assert_non_null(strstr(item(&p, locked)->error, "signature"));
  assert_int_equal(s.pending, 0);
  assert_int_equal(nboot, 0);
  is(D, "k/f.bin.sxsfix-pending1", NULL);
  copy_plan_free(&p);
}

/* What diagnose asks: the journal's replacements, and whether each is
   still scheduled. */
static void pending_list_from_the_journal(void **state) {
  (void)state;
  tree();
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&p, &s, &e), 0);
  copy_plan_free(&p);
  copy_pending_entry *v;
  size_t n;
  assert_int_equal(copy_pending_list(th_join(B, "journal.txt"), &v, &n, &e), 0);
  assert_int_equal(n, 1);
  assert_true(ends(v[0].target, "/k/f.bin"));
  assert_true(ends(v[0].replacement, "/k/f.bin.sxsfix-pending1"));
  assert_int_equal(v[0].scheduled, 1);
  copy_pending_free(v, n);
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);
  assert_int_equal(copy_pending_list(th_join(B, "journal.txt"), &v, &n, &e), 0);
  assert_int_equal(n, 0);  /* rolled back: nothing pending */
  copy_pending_free(v, n);
}

/* A file another process has mapped opens for writing, but its truncation
   (the overwrite's first change) fails as in use: nothing changed, the
   journal says so ("unchanged"), and it is replaced at the next boot. A
   rollback then has no overwrite to undo (the file may still be mapped). */
static int mapped_truncate(plat_file *f, uint64_t size, plat_err *e) {
  (void)f; (void)size;
  e->code = BUSY;
  snprintf(e->msg, sizeof e->msg, "(file): mapped (injected)");
  return -1;
}

static void mapped_file_replaced_at_boot(void **state) {
  (void)state;
  tree();
  locked = "k/none";  /* every open succeeds; every truncation fails */
  copy_os.truncate = mapped_truncate;
  copy_plan p;
  copy_summary s;
  plat_err e;
  int rc = run_copy(&p, &s, &e);
  copy_os.truncate = plat_truncate;
  locked = "k/f.bin";
  assert_int_equal(rc, 0);
  assert_int_equal(s.files.failed, 0);
  assert_int_equal(s.pending, 2);
  assert_string_equal(item(&p, "k/g.bin")->pending, "g.bin.sxsfix-pending1");
  is(D, "k/f.bin", "old f");
  is(D, "k/g.bin", "old g");
  is(D, "k/g.bin.sxsfix-pending1", "new g");
  assert_int_equal(nboot, 2);
  copy_plan_free(&p);
  char *j;
  size_t len;
  assert_int_equal(plat_read_file(th_join(B, "journal.txt"), &j, &len, &e), 0);
  /* the batch's overwrite records first, in one write; then each file's */
  char *ow = strstr(j, "\noverwrite k/g.bin 4\n"), *un = strstr(j, "\nunchanged k/g.bin\ncreatepending k/g.bin 1\npending k/g.bin ");
  assert_true(ow && un && ow < un);
  free(j);
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);
  assert_int_equal(rs.failed, 0);
  assert_int_equal(rs.cancelled, 2);
  assert_int_equal(rs.restored, 2);  /* the folders' metadata; no file was overwritten */
  assert_int_equal(nboot, 0);
  is(D, "k/g.bin.sxsfix-pending1", NULL);
  is(D, "k/g.bin", "old g");
}

/* Verification reads the replacement: a damaged one is a mismatch. */
static void verify_reads_the_replacement(void **state) {
  (void)state;
  tree();
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&p, &s, &e), 0);
  char *tp = copy_join(D, "k/f.bin.sxsfix-pending1");
  assert_int_equal(plat_write_file(tp, "damaged after", 13, &e), 0);
  copy_opts o = {0};
  o.backup = B;
  assert_int_equal(copy_verify(S, D, &o, &p, &e), 1);
  assert_non_null(strstr(item(&p, locked)->error, "differ"));
  copy_plan_free(&p);
  free(tp);
}

static int stop_at_pending(const char *verb, const char *rel) { (void)rel; return !strcmp(verb, "pending"); }

/* Killed right after the "pending" record: the replacement is half made
   and not scheduled; rollback removes it, and the target was never touched. */
static void crash_after_pending_record(void **state) {
  (void)state;
  tree();
  copy_os.checkpoint = stop_at_pending;
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&p, &s, &e), -1);
  copy_os.checkpoint = no_checkpoint;
  copy_plan_free(&p);
  assert_int_equal(nboot, 0);
  char *t = th_get(D, "k/f.bin.sxsfix-pending1");
  assert_non_null(t);  /* left by the "crash" */
  free(t);
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);
  assert_int_equal(rs.failed, 0);
  assert_int_equal(rs.cancelled, 0);
  is(D, "k/f.bin.sxsfix-pending1", NULL);
  is(D, "k/f.bin", "old f");
}

/* A boot carried the replacement out before the rollback: the file is the
   new one now and is left as it is, said so. */
static void rollback_after_the_boot(void **state) {
  (void)state;
  tree();
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&p, &s, &e), 0);
  copy_plan_free(&p);
  assert_int_equal(nboot, 1);
  assert_int_equal(plat_rename(boot[0][0], boot[0][1], &e), 0);  /* the boot */
  free(boot[0][0]), free(boot[0][1]);
  nboot = 0;
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);
  assert_int_equal(rs.changed, 1);
  assert_non_null(strstr(rs.first_error, "replaced at a restart"));
  free(rs.first_error);
  is(D, "k/f.bin", "new f, longer");
}

/* A service the run stopped is journaled first; a rollback after a kill
   starts it again, once, last; so does one whose destination the run
   created and that is gone. */
static void service_restarted_by_rollback(void **state) {
  (void)state;
  tree();
  service = "TestSvc_1";
  copy_os.checkpoint = stop_at_pending;
  copy_plan p;
  copy_summary s;
  plat_err e;
  int rc = run_copy(&p, &s, &e);
  copy_os.checkpoint = no_checkpoint;
  service = NULL;
  assert_int_equal(rc, -1);
  copy_plan_free(&p);
  char *j;
  size_t len;
  assert_int_equal(plat_read_file(th_join(B, "journal.txt"), &j, &len, &e), 0);
  const char *root = strstr(j, "\nroot "), *svc = strstr(j, "\nservice TestSvc_1\n");
  assert_non_null(svc);
  assert_true(root && root < svc);  /* journaled after the root record */
  free(j);
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);
  assert_int_equal(rs.started, 1);
  assert_string_equal(started, "TestSvc_1 ");
  is(D, "k/f.bin.sxsfix-pending1", NULL);
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &rs, &e), 0);  /* again: nothing */
  assert_string_equal(started, "TestSvc_1 ");
}

/* Hostile "pending" records are refused before anything is undone. */
static void rollback_rejects_bad_pending(void **state) {
  plat_err e;
  const char *j = th_join(*state, "j.txt");
  char *jp = strdup(j);
  const char *bad[] = { "unchanged k/f", "service a%20b", "service ../x", "service a 1", "service %2E%2E", "pending k/f 1:2 0", "pending k/f 1:2 17", "pending k/f 1:2", "pending k/f 1:2 1x",
                        "pending ../f 1:2 1", "pending  1:2 1", "pending k/f zz 1", "pending k/f 1:2 -1",
                        "createpending k/f 0", "createpending k/f 17", "createpending k/f", "createpending ../f 1",
                        "createpending k/f 1x", "create k/f 1", "createdir  1", "createparent 1", "mkparent 1 1:2" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[512];
    snprintf(text, sizeof text, "sxsfix-copy-journal 3\ndst %s/d\nbackup %s/b\nroot  1:2\n%s\n",
             (const char *)*state, (const char *)*state, bad[i]);
    assert_int_equal(plat_write_file(jp, text, strlen(text), &e), 0);
    copy_rollback_stats rs;
    assert_int_equal(copy_rollback(jp, &rs, &e), -1);
    if (!strstr(e.msg, ":5: ")) fail_msg("%s: %s", bad[i], e.msg);
  }
  char text[512];  /* format 2 has no pending records */
  snprintf(text, sizeof text, "sxsfix-copy-journal 2\ndst %s/d\nbackup %s/b\nroot  1:2\npending k/f 1:2 1\n",
           (const char *)*state, (const char *)*state);
  assert_int_equal(plat_write_file(jp, text, strlen(text), &e), 0);
  copy_rollback_stats rs;
  assert_int_equal(copy_rollback(jp, &rs, &e), -1);
  assert_non_null(strstr(e.msg, "format 2 does not have"));
  /* a rollback's progress file holds its three kinds of line, nothing else */
  snprintf(text, sizeof text, "sxsfix-copy-journal 3\ndst %s/d\nbackup %s/b\nroot  1:2\n",
           (const char *)*state, (const char *)*state);
  assert_int_equal(plat_write_file(jp, text, strlen(text), &e), 0);
  char *pp = strdup(th_join(*state, "j.txt.rollback"));
  assert_int_equal(plat_write_file(pp, "undone 4\nremove 4\n", 18, &e), 0);
  assert_int_equal(copy_rollback(jp, &rs, &e), -1);
  if (!strstr(e.msg, "j.txt.rollback:2: expected")) fail_msg("%s", e.msg);
  plat_remove(pp, &e);
  free(pp);
  free(jp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(planted_names_are_not_used, setup, teardown),
    cmocka_unit_test_setup_teardown(planted_file_is_not_clobbered, setup, teardown),
    cmocka_unit_test_setup_teardown(in_use_replaced_at_boot, setup, teardown),
    cmocka_unit_test_setup_teardown(verify_reads_the_replacement, setup, teardown),
    cmocka_unit_test_setup_teardown(mapped_file_replaced_at_boot, setup, teardown),
    cmocka_unit_test_setup_teardown(in_use_fails_without_at_boot, setup, teardown),
    cmocka_unit_test_setup_teardown(pending_source_is_checked, setup, teardown),
    cmocka_unit_test_setup_teardown(pending_list_from_the_journal, setup, teardown),
    cmocka_unit_test_setup_teardown(crash_after_pending_record, setup, teardown),
    cmocka_unit_test_setup_teardown(rollback_after_the_boot, setup, teardown),
    cmocka_unit_test_setup_teardown(service_restarted_by_rollback, setup, teardown),
    cmocka_unit_test_setup_teardown(rollback_rejects_bad_pending, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
