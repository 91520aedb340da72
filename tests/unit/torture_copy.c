/* torture_copy.c: the copy engine against the real file system: plan
   reasons, data, times, xattrs and ACLs, in-place overwrite, backup,
   journal, rollback, verify, and faults injected through copy_os. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/copy_int.h"  /* copy_join and the journal, white-box */

static const char *S, *D, *B;  /* source, destination, backup of the current test */
static int no_checkpoint(const char *verb, const char *rel);

static int setup(void **state) {
  if (th_tempdir_setup(state) != 0) return -1;
  plat_err e;
  S = strdup(th_join(*state, "src"));
  D = strdup(th_join(*state, "dst"));
  B = strdup(th_join(*state, "bk"));
  copy_os = (copy_ops){ plat_open_read, plat_dirh_open_file, copy_stream, plat_fmeta_set, no_checkpoint,
                        plat_is_in_use, plat_replace_at_boot, plat_cancel_at_boot, plat_query_at_boot,
                        plat_service_start, plat_truncate };
  return plat_mkdirs(S, &e);
}

static int teardown(void **state) {
  free((char *)S); free((char *)D); free((char *)B);
  return th_tempdir_teardown(state);
}

static int64_t mtime_of(const char *root, const char *rel) {
  char *p = copy_join(root, rel);
  plat_info st;
  plat_err e;
  assert_int_equal(plat_stat(p, 0, &st, &e), 0);
  free(p);
  return st.mtime_ns;
}

static const copy_item *item(const copy_plan *p, const char *rel) {
  for (size_t i = 0; i < p->n; i++) if (strcmp(p->items[i].rel, rel) == 0) return &p->items[i];
  fail_msg("no item %s in the plan", rel);
  return NULL;
}

/* plan + apply with backup B; returns apply's result. */
static int run_copy(copy_opts *o, copy_plan *p, copy_summary *s, plat_err *e) {
  o->backup = B;
  assert_int_equal(copy_plan_build(S, D, o, p, e), 0);
  return copy_apply(S, D, o, p, s, e);
}

#define T1 1600000000123456700LL  /* 100 ns granularity: Windows keeps it too */

static void copies_tree_data_and_times(void **state) {
  (void)state;
  th_put(S, "a/one.txt", "one", T1);
  th_put(S, "a/b/two.txt", "two two", T1 + 100);
  plat_err e;
  assert_int_equal(plat_mkdirs(th_join(S, "empty"), &e), 0);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  assert_int_equal(s.files.copied, 2);
  assert_int_equal(s.dirs.copied, 4);  /* root, a, a/b, empty */
  assert_int_equal(s.bytes.copied, 10);
  char *t = th_get(D, "a/b/two.txt");
  assert_string_equal(t, "two two");
  free(t);
  assert_true(plat_is_dir(th_join(D, "empty")));
  assert_true(mtime_of(D, "a/one.txt") == T1);
  assert_int_equal(copy_verify(S, D, &o, &p, &e), 0);
  copy_plan_free(&p);
}

/* A file the run wrote is verified by its size on the handle against the
   bytes written (and its metadata); verify_full reads it back. Changed
   afterwards with its time put back: another size is found either way,
   the same size with other bytes only by the read-back. */
static void verify_written_and_full(void **state) {
  (void)state;
  th_put(S, "a.txt", "abc", T1);
  th_put(S, "b.txt", "defg", T1);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  assert_true(item(&p, "a.txt")->hashed);
  assert_int_equal(item(&p, "b.txt")->written, 4);
  assert_int_equal(copy_verify(S, D, &o, &p, &e), 0);
  th_put(D, "a.txt", "xyz", T1);   /* same size, other bytes */
  th_put(D, "b.txt", "defgh", T1); /* one byte more */
  assert_int_equal(copy_verify(S, D, &o, &p, &e), 1);
  assert_non_null(strstr(item(&p, "b.txt")->error, "size differs from the bytes written"));
  assert_null(item(&p, "a.txt")->error);
  free(item(&p, "b.txt")->error);
  ((copy_item *)item(&p, "b.txt"))->error = NULL;
  o.verify_full = 1;
  assert_int_equal(copy_verify(S, D, &o, &p, &e), 2);
  assert_non_null(strstr(item(&p, "a.txt")->error, "contents differ"));
  copy_plan_free(&p);
}

/* A file system that keeps another time than it was given. */
static int meta_set_late(plat_file *f, unsigned what, const plat_meta *m, plat_err *e) {
  plat_meta late = *m;
  late.mtime_ns += 5000000000LL;
  return plat_fmeta_set(f, what, &late, e);
}

/* With verify, each file written (new, or overwritten in place) is
   checked on its handle right after the write: a time the file system did
   not keep is found there, and copy_verify does not open it again. */
static void verify_on_the_handle(void **state) {
  (void)state;
  th_put(S, "n/new.txt", "new", T1);
  th_put(S, "n/old.txt", "changed", T1 + 500);
  th_put(D, "n/old.txt", "original", T1);
  copy_opts o = {0};
  o.verify = 1;
  o.threads = 2;
  copy_plan p;
  copy_summary s;
  plat_err e;
  copy_os.meta_set = meta_set_late;
  int rc = run_copy(&o, &p, &s, &e);
  copy_os.meta_set = plat_fmeta_set;
  assert_int_equal(rc, 0);
  assert_int_equal(s.files.copied, 2);
  for (int i = 0; i < 2; i++) {
    const copy_item *it = item(&p, i ? "n/old.txt" : "n/new.txt");
    assert_true(it->verified);
    assert_non_null(it->error);
    assert_non_null(strstr(it->error, "modification time differs"));
  }
  assert_int_equal(copy_verify(S, D, &o, &p, &e), 2);
  copy_plan_free(&p);
}

static void plan_reasons_and_compare(void **state) {
  (void)state;
  th_put(S, "same.txt", "abc", T1);
  th_put(S, "size.txt", "abcd", T1);
  th_put(S, "newer.txt", "abd", T1 + 1000);
  th_put(S, "touched.txt", "abc", T1 + 1000);
  th_put(S, "damaged.txt", "abc", T1);
  th_put(D, "same.txt", "abc", T1);
  th_put(D, "size.txt", "abc", T1);
  th_put(D, "newer.txt", "abc", T1);
  th_put(D, "touched.txt", "abc", T1);  /* same bytes, another time */
  th_put(D, "damaged.txt", "xyz", T1);  /* same size and time, other bytes */
  th_put(D, "extra.txt", "x", T1);
  th_put(D, "clash/f", "x", T1);
  th_put(S, "clash", "file here", T1);
  copy_opts o = {0};
  copy_plan p;
  plat_err e;
  assert_int_equal(copy_plan_build(S, D, &o, &p, &e), 0);
  assert_int_equal(item(&p, "same.txt")->action, CA_SAME);
  assert_int_equal(item(&p, "damaged.txt")->action, CA_SAME);  /* robocopy's blind spot */
  assert_int_equal(item(&p, "size.txt")->action, CA_CHANGED);
  assert_string_equal(item(&p, "size.txt")->reason, "size differs");
  assert_string_equal(item(&p, "newer.txt")->reason, "source is newer");
  assert_int_equal(item(&p, "newer.txt")->action, CA_CHANGED);
  assert_int_equal(item(&p, "touched.txt")->action, CA_SAME);  /* nothing to replace */
  assert_true(item(&p, "touched.txt")->timeonly);
  assert_string_equal(item(&p, "touched.txt")->reason, "same content (only the time differs): left as it is");
  assert_int_equal(item(&p, "extra.txt")->action, CA_EXTRA);
  assert_int_equal(item(&p, "clash")->action, CA_MISMATCH);
  copy_plan_free(&p);
  o.compare = 1;
  assert_int_equal(copy_plan_build(S, D, &o, &p, &e), 0);
  assert_int_equal(item(&p, "damaged.txt")->action, CA_CHANGED);
  assert_string_equal(item(&p, "damaged.txt")->reason, "content differs (same size and time)");
  assert_int_equal(item(&p, "same.txt")->action, CA_SAME);
  copy_plan_free(&p);
  /* the plan touched nothing */
  char *t = th_get(D, "damaged.txt");
  assert_string_equal(t, "xyz");
  free(t);
}

/* An xattr entry for plat_meta. */
static void add_x(plat_meta *m, const char *name, const void *v, size_t len) {
  m->x = realloc(m->x, (m->nx + 1) * sizeof *m->x);
  m->x[m->nx].name = strdup(name);
  m->x[m->nx].value = malloc(len + 1);
  memcpy(m->x[m->nx].value, v, len);
  m->x[m->nx++].len = len;
}

static const plat_xattr *find_x(const plat_meta *m, const char *name) {
  for (size_t i = 0; i < m->nx; i++) if (strcmp(m->x[i].name, name) == 0) return &m->x[i];
  return NULL;
}

/* A POSIX access ACL in the kernel's xattr format: owner rw, user 65534 r,
   group r, mask r, other none. */
static const unsigned char acl[] = {
  2,0,0,0,  1,0,6,0,0xff,0xff,0xff,0xff,  2,0,4,0,0xfe,0xff,0,0,
  4,0,4,0,0xff,0xff,0xff,0xff,  0x10,0,4,0,0xff,0xff,0xff,0xff,  0x20,0,0,0,0xff,0xff,0xff,0xff };

static void posix_xattrs_acl_mode(void **state) {
  (void)state;
  if (strcmp(plat_name(), "posix") != 0) { print_message("SKIP: POSIX xattrs and ACLs\n"); skip(); }
  th_put(S, "f", "secret", T1);
  char *p = copy_join(S, "f");
  plat_meta m = {0};
  plat_err e;
  add_x(&m, "user.sxsfix", "v1", 2);
  add_x(&m, "trusted.sxsfix", "\0\1\2", 3);
  add_x(&m, "system.posix_acl_access", acl, sizeof acl);
  if (plat_meta_set(p, PLAT_META_XATTRS | PLAT_META_SECURITY, &m, &e) != 0) {
    print_message("SKIP: this file system keeps no xattrs here: %s\n", e.msg);
    plat_meta_free(&m);
    free(p);
    skip();
  }
  plat_meta_free(&m);
  assert_int_equal(plat_meta_get(p, PLAT_META_ALL, &m, &e), 0);
  m.mode = 0;  /* mode 000: readable only through root's privilege (drops the ACL's bits) */
  m.mtime_ns = T1;
  assert_int_equal(plat_meta_set(p, PLAT_META_OWNER | PLAT_META_TIMES, &m, &e), 0);
  plat_meta_free(&m);
  copy_opts o = {0};
  copy_plan pl;
  copy_summary s;
  assert_int_equal(run_copy(&o, &pl, &s, &e), 0);
  assert_int_equal(s.files.copied, 1);
  char *d = copy_join(D, "f");
  assert_int_equal(plat_meta_get(d, PLAT_META_ALL, &m, &e), 0);
  assert_int_equal(m.mode & 07777, 0);
  assert_true(m.mtime_ns == T1);
  const plat_xattr *x = find_x(&m, "trusted.sxsfix");
  assert_non_null(x);
  assert_memory_equal(x->value, "\0\1\2", 3);
  assert_non_null(find_x(&m, "user.sxsfix"));
  assert_non_null(find_x(&m, "system.posix_acl_access"));
  plat_meta_free(&m);
  assert_int_equal(copy_verify(S, D, &o, &pl, &e), 0);
  copy_plan_free(&pl);
  free(d);
  free(p);
}

static void security_descriptor_roundtrip(void **state) {
  (void)state;
  if (strcmp(plat_name(), "win32") != 0) { print_message("SKIP: Windows security descriptors (POSIX ACLs are tested above)\n"); skip(); }
  TH_SKIP_UNDER_WINE("SetFileSecurityW reports success but Wine keeps no descriptor");
  th_put(S, "f", "x", T1);
  plat_meta m;
  plat_err e;
  assert_int_equal(plat_meta_get(th_join(S, "f"), PLAT_META_SECURITY, &m, &e), 0);
  assert_non_null(find_x(&m, "win32.security"));
  copy_opts o = {0};
  copy_plan pl;
  copy_summary s;
  assert_int_equal(run_copy(&o, &pl, &s, &e), 0);
  plat_meta d;
  assert_int_equal(plat_meta_get(th_join(D, "f"), PLAT_META_SECURITY, &d, &e), 0);
  const plat_xattr *a = find_x(&m, "win32.security"), *b = find_x(&d, "win32.security");
  assert_non_null(b);
  assert_int_equal(a->len, b->len);
  assert_memory_equal(a->value, b->value, a->len);
  plat_meta_free(&m);
  plat_meta_free(&d);
  copy_plan_free(&pl);
}

/* Destination with an old version; returns its metadata. */
static void old_destination(plat_meta *orig) {
  th_put(D, "k/f.bin", "original bytes, longer than the new ones", T1);
  th_put(D, "k/g.bin", "g original", T1);
  th_put(S, "k/f.bin", "new bytes", T1 + 500);
  th_put(S, "k/g.bin", "g new", T1 + 500);
  th_put(S, "k/h.bin", "h is new", T1);
  plat_err e;
  assert_int_equal(plat_meta_get(th_join(D, "k/f.bin"), PLAT_META_ALL, orig, &e), 0);
}

static void same_meta(const plat_meta *a, const plat_meta *b) {
  assert_true(a->mtime_ns == b->mtime_ns);
  assert_int_equal(a->mode, b->mode);
  assert_int_equal(a->nx, b->nx);
}

static void backup_journal_rollback(void **state) {
  (void)state;
  plat_meta orig, now;
  old_destination(&orig);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  assert_int_equal(s.files.copied, 3);
  char *t = th_get(D, "k/f.bin");
  assert_string_equal(t, "new bytes");  /* truncated to the new length */
  free(t);
  t = th_get(B, "files/3");  /* dirs/1 the root, dirs/2 k, then k/f.bin */
  assert_string_equal(t, "original bytes, longer than the new ones");
  free(t);
  copy_rollback_stats st;
  char *j = copy_join(B, "journal.txt");
  assert_int_equal(copy_rollback(j, &st, &e), 0);
  assert_int_equal(st.failed, 0);
  assert_int_equal(st.restored, 2 + 2);  /* two files, and the times of k and the root */
  t = th_get(D, "k/f.bin");
  assert_string_equal(t, "original bytes, longer than the new ones");
  free(t);
  assert_null(th_get(D, "k/h.bin"));
  assert_int_equal(plat_meta_get(th_join(D, "k/f.bin"), PLAT_META_ALL, &now, &e), 0);
  same_meta(&orig, &now);
  plat_meta_free(&now);
  assert_int_equal(copy_rollback(j, &st, &e), 0);  /* twice is fine */
  assert_int_equal(st.failed, 0);
  plat_meta_free(&orig);
  copy_plan_free(&p);
  free(j);
}

/* Faults: a copy that writes a little then reports a full disk. */
static int full_disk(plat_file *s, plat_file *d, uint64_t *bytes, uint64_t *hash, plat_err *e) {
  *hash = 0;
  char buf[4];
  size_t got;
  *bytes = 0;
  if (plat_read(s, buf, sizeof buf, &got, e) != 0 || plat_write(d, buf, got, e) != 0) return -1;
  return plat_fail(e, "(injected)", plat_errcode(PLAT_E_NOSPC));
}

static plat_file *denied(plat_dirh *d, const char *name, int how, plat_err *e) {
  (void)how;
  (void)d;
  plat_fail(e, name, plat_errcode(PLAT_E_ACCES));
  return NULL;
}

static void fault_no_space_loses_nothing(void **state) {
  (void)state;
  plat_meta orig;
  old_destination(&orig);
  copy_os.copy_data = full_disk;
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  assert_int_equal(s.files.failed, 3);
  assert_int_equal(s.files.copied, 0);
  assert_true(item(&p, "k/f.bin")->failed);
  assert_non_null(strstr(item(&p, "k/f.bin")->error, "injected"));
  char *t = th_get(D, "k/f.bin");  /* put back at once from the backup */
  assert_string_equal(t, "original bytes, longer than the new ones");
  free(t);
  assert_null(th_get(D, "k/h.bin"));  /* no half file under the final name... */
  assert_null(th_get(D, "k/h.bin.sxsfix-new"));  /* ...nor a temporary one */
  plat_meta now;
  assert_int_equal(plat_meta_get(th_join(D, "k/f.bin"), PLAT_META_ALL, &now, &e), 0);
  same_meta(&orig, &now);
  plat_meta_free(&now);
  plat_meta_free(&orig);
  copy_plan_free(&p);
}

static void fault_denied_and_source_vanishing(void **state) {
  plat_meta orig;
  old_destination(&orig);
  plat_meta_free(&orig);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  o.backup = B;
  assert_int_equal(copy_plan_build(S, D, &o, &p, &e), 0);
  assert_int_equal(plat_remove(th_join(S, "k/g.bin"), &e), 0);  /* vanishes after the plan */
  assert_int_equal(copy_apply(S, D, &o, &p, &s, &e), 0);
  assert_true(item(&p, "k/g.bin")->failed);
  assert_non_null(strstr(item(&p, "k/g.bin")->error, "g.bin"));
  char *t = th_get(D, "k/g.bin");
  assert_string_equal(t, "g original");
  free(t);
  assert_true(item(&p, "k/f.bin")->done);  /* the run went on */
  copy_plan_free(&p);
  th_put(S, "k/f.bin", "newer still", T1 + 900);
  copy_os.open_write = denied;  /* a read-only destination */
  free((char *)B);
  B = strdup(th_join(*state, "bk2"));  /* a backup folder serves one run */
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  assert_true(item(&p, "k/f.bin")->failed);
  t = th_get(D, "k/f.bin");
  assert_string_equal(t, "new bytes");
  free(t);
  copy_plan_free(&p);
}

static int workers = 1;  /* copy_opts.threads of the crash tests */
static int crash_after;
static int crash_checkpoint(const char *verb, const char *rel) {
  (void)rel;
  return strcmp(verb, "overwrite") == 0 && --crash_after == 0;
}

static int crash_records;
static int crash_at_record(const char *verb, const char *rel) {
  (void)verb;
  (void)rel;
  return --crash_records == 0;
}

/* A destination the run creates, the run stopped after its first, second
   or third record: the rollback removes the folder (the fuzz target
   rollback found the root left behind when the stop came between the
   root record and the root's mkdir). */
static void fault_crash_new_root(void **state) {
  th_put(S, "a/one.txt", "one", T1);
  for (int at = 1; at <= 3; at++) {
    const char *b = th_join(*state, at == 1 ? "bk-1" : at == 2 ? "bk-2" : "bk-3");
    copy_opts o = {0};
    o.backup = b;
    o.threads = workers;
    copy_plan p;
    copy_summary s;
    plat_err e;
    assert_int_equal(copy_plan_build(S, D, &o, &p, &e), 0);
    int (*keep)(const char *, const char *) = copy_os.checkpoint;
    copy_os.checkpoint = crash_at_record;
    crash_records = at;
    assert_int_equal(copy_apply(S, D, &o, &p, &s, &e), -1);
    copy_os.checkpoint = keep;
    copy_plan_free(&p);
    copy_rollback_stats st;
    assert_int_equal(copy_rollback(th_join(b, "journal.txt"), &st, &e), 0);
    assert_int_equal(st.failed, 0);
    free(st.first_error);
    assert_false(plat_is_dir(D));
  }
}

/* Changed files are overwritten in batches of one folder's files, after
   the batch's "overwrite" records: stopped at the second record of k/'s
   batch, nothing is overwritten yet; stopped at m/'s record, k/'s files
   are. Either way the rollback puts every original back. */
static void fault_crash_then_rollback(void **state) {
  for (int at = 2; at <= 3; at++) {
    plat_meta orig;
    old_destination(&orig);
    plat_meta_free(&orig);
    th_put(D, "m/x.bin", "x original", T1);
    th_put(S, "m/x.bin", "x new", T1 + 500);
    int (*keep)(const char *, const char *) = copy_os.checkpoint;
    copy_os.checkpoint = crash_checkpoint;
    crash_after = at;
    copy_opts o = {0};
    o.threads = workers;
    o.backup = th_join(*state, at == 2 ? "bk-2" : "bk-3");
    copy_plan p;
    copy_summary s;
    plat_err e;
    assert_int_equal(copy_plan_build(S, D, &o, &p, &e), 0);
    assert_int_equal(copy_apply(S, D, &o, &p, &s, &e), -1);
    copy_os.checkpoint = keep;
    assert_non_null(strstr(e.msg, "stopped"));
    char *t = th_get(D, "k/f.bin");
    assert_string_equal(t, at == 2 ? "original bytes, longer than the new ones" : "new bytes");
    free(t);
    t = th_get(D, "m/x.bin");
    assert_string_equal(t, "x original");
    free(t);
    copy_plan_free(&p);
    copy_rollback_stats st;
    assert_int_equal(copy_rollback(th_join(o.backup, "journal.txt"), &st, &e), 0);
    assert_int_equal(st.failed, 0);
    t = th_get(D, "k/f.bin");
    assert_string_equal(t, "original bytes, longer than the new ones");
    free(t);
    t = th_get(D, "k/g.bin");
    assert_string_equal(t, "g original");
    free(t);
    t = th_get(D, "m/x.bin");
    assert_string_equal(t, "x original");
    free(t);
  }
}

static void rollback_rejects_bad_journal(void **state) {
  plat_err e;
  const char *j = th_join(*state, "j.txt");
  assert_int_equal(plat_write_file(j, "hello\n", 6, &e), 0);
  copy_rollback_stats st;
  assert_int_equal(copy_rollback(j, &st, &e), -1);
  assert_non_null(strstr(e.msg, "not an sxsfix copy journal"));
  assert_int_equal(plat_write_file(j, "sxsfix-copy-journal 2\nnew a%zz\n", 31, &e), 0);
  assert_int_equal(copy_rollback(j, &st, &e), -1);
  assert_non_null(strstr(e.msg, ":2: malformed record"));
  /* records naming paths outside the destination: refused before any undo */
  const char *keep = th_join(*state, "keep.txt");
  assert_int_equal(plat_write_file(keep, "x", 1, &e), 0);
  const char *bad[] = { "new ../keep.txt 1:2", "new %2E%2E/keep.txt 1:2", "overwrite a/../../keep.txt 1",
                        "new /etc/passwd 1:2", "new C:%5Cx 1:2", "mkdir a\\..\\.. 1:2", "new a//b 1:2" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "sxsfix-copy-journal 2\ndst %s/d\nbackup %s/b\nroot  1:2\n%s\n",
             (const char *)*state, (const char *)*state, bad[i]);
    assert_int_equal(plat_write_file(j, text, strlen(text), &e), 0);
    assert_int_equal(copy_rollback(j, &st, &e), -1);
    if (!strstr(e.msg, ":5: a ") || !strstr(e.msg, "outside the destination")) fail_msg("%s: %s", bad[i], e.msg);
    plat_info info;
    assert_int_equal(plat_stat(keep, 1, &info, &e), 0);
  }
}


/* ---- attacks and accidents (each failed on the path-based engine) ------- */

/* An existing folder's metadata, and the destination root's, come back
   exactly after a rollback, though the copy created children under them.
   (The old engine backed up folder a/ only as a side effect of backing up
   a/b/, and the root's backup was the dirs/ folder itself.) */
static void rollback_restores_folders(void **state) {
  (void)state;
  plat_err e;
  th_put(D, "a/old.txt", "old", T1);
  th_put(S, "a/b/new.txt", "new", T1);
  plat_meta ma, mr, now;
  const char *a = th_join(D, "a");
  assert_int_equal(plat_meta_get(a, PLAT_META_ALL, &ma, &e), 0);
  ma.mtime_ns = T1 + 7700;
  ma.mode = (ma.mode & ~07777u) | 0750;
  ma.attrs |= 2;  /* hidden (Windows) */
  if (!strcmp(plat_name(), "posix")) add_x(&ma, "user.sxsfix.folder", "a", 1);
  if (plat_meta_set(a, PLAT_META_ALL, &ma, &e) != 0) {  /* no user xattrs here: without */
    plat_meta_free(&ma);
    assert_int_equal(plat_meta_get(a, PLAT_META_ALL, &ma, &e), 0);
    ma.mtime_ns = T1 + 7700;
    ma.mode = (ma.mode & ~07777u) | 0750;
    assert_int_equal(plat_meta_set(a, PLAT_META_OWNER | PLAT_META_TIMES, &ma, &e), 0);
  }
  assert_int_equal(plat_meta_get(D, PLAT_META_ALL, &mr, &e), 0);
  mr.mtime_ns = T1 + 8800;
  mr.mode = (mr.mode & ~07777u) | 0711;
  assert_int_equal(plat_meta_set(D, PLAT_META_OWNER | PLAT_META_TIMES, &mr, &e), 0);
  plat_meta_free(&ma);
  plat_meta_free(&mr);
  assert_int_equal(plat_meta_get(a, PLAT_META_ALL, &ma, &e), 0);
  assert_int_equal(plat_meta_get(D, PLAT_META_ALL, &mr, &e), 0);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  copy_plan_free(&p);
  assert_true(plat_is_dir(th_join(D, "a/b")));
  copy_rollback_stats st;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &st, &e), 0);
  assert_int_equal(st.failed, 0);
  assert_false(plat_is_dir(th_join(D, "a/b")));
  for (int i = 0; i < 2; i++) {
    const plat_meta *want = i ? &mr : &ma;
    assert_int_equal(plat_meta_get(i ? D : a, PLAT_META_ALL, &now, &e), 0);
    assert_true(now.mtime_ns == want->mtime_ns);
    assert_int_equal(now.mode, want->mode);
    assert_int_equal(now.uid, want->uid);
    assert_int_equal(now.attrs & 7, want->attrs & 7);
    assert_int_equal(now.nx, want->nx);
    for (size_t k = 0; k < want->nx; k++) {
      const plat_xattr *x = find_x(&now, want->x[k].name);
      assert_non_null(x);
      assert_int_equal(x->len, want->x[k].len);
      assert_memory_equal(x->value, want->x[k].value, x->len);
    }
    plat_meta_free(&now);
  }
  plat_meta_free(&ma);
  plat_meta_free(&mr);
}

/* Another writer creates the file the copy is creating: the copy fails for
   that item, and the rollback leaves the other writer's file alone. */
static const char *hostile_path;
static int hostile_create(const char *verb, const char *rel) {
  plat_err e;
  if (!strcmp(verb, "new") && !strcmp(rel, "k/h.bin")) plat_write_file(hostile_path, "theirs", 6, &e);
  return 0;
}

static void rollback_keeps_what_others_created(void **state) {
  (void)state;
  plat_meta orig;
  old_destination(&orig);
  plat_meta_free(&orig);
  hostile_path = th_join(D, "k/h.bin");
  char *hp = strdup(hostile_path);
  hostile_path = hp;
  copy_os.checkpoint = hostile_create;
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  copy_os.checkpoint = no_checkpoint;
  assert_true(item(&p, "k/h.bin")->failed);
  copy_plan_free(&p);
  copy_rollback_stats st;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &st, &e), 0);
  free(st.first_error);
  char *t = th_get(D, "k/h.bin");
  assert_non_null(t);
  assert_string_equal(t, "theirs");
  free(t);
  assert_null(th_get(D, "k/h.bin.sxsfix-new"));
  t = th_get(D, "k/f.bin");
  assert_string_equal(t, "original bytes, longer than the new ones");
  free(t);
  free(hp);
}

/* A journal is bound to its destination folder: after the folder was
   replaced by another at the same path, rollback refuses and changes nothing. */
static void rollback_refuses_another_destination(void **state) {
  plat_meta orig;
  old_destination(&orig);
  plat_meta_free(&orig);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  copy_plan_free(&p);
  const char *moved = th_join(*state, "dst.moved");
  char *mv = strdup(moved);
  assert_int_equal(plat_rename(D, mv, &e), 0);
  th_put(D, "k/h.bin", "another tree's file", T1);
  copy_rollback_stats st;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &st, &e), -1);
  assert_non_null(strstr(e.msg, "not the folder"));
  char *t = th_get(D, "k/h.bin");
  assert_string_equal(t, "another tree's file");
  free(t);
  free(mv);
}

/* A backup folder serves one run: a second copy into it is refused, so the
   first run's originals stay recoverable. */
static void backup_folder_serves_one_run(void **state) {
  (void)state;
  plat_meta orig;
  old_destination(&orig);
  plat_meta_free(&orig);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  copy_plan_free(&p);
  th_put(S, "k/f.bin", "a third version", T1 + 999);
  assert_int_equal(run_copy(&o, &p, &s, &e), -1);
  assert_non_null(strstr(e.msg, "already holds"));
  copy_plan_free(&p);
  copy_rollback_stats st;
  assert_int_equal(copy_rollback(th_join(B, "journal.txt"), &st, &e), 0);
  char *t = th_get(D, "k/f.bin");
  assert_string_equal(t, "original bytes, longer than the new ones");
  free(t);
}

/* A rollback never undoes later changes: a file edited after the copy is
   left as it is (counted as changed); a second rollback changes nothing. */
static void rollback_leaves_later_changes(void **state) {
  (void)state;
  plat_meta orig;
  old_destination(&orig);
  plat_meta_free(&orig);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  copy_plan_free(&p);
  th_put(D, "k/f.bin", "edited by an admin later", T1);
  th_put(D, "k/h.bin", "h, edited later", T1);
  copy_rollback_stats st;
  const char *j = th_join(B, "journal.txt");
  char *jj = strdup(j);
  assert_int_equal(copy_rollback(jj, &st, &e), 0);
  assert_int_equal(st.changed, 2);
  assert_int_equal(st.failed, 0);
  assert_non_null(st.first_error);
  assert_non_null(strstr(st.first_error, "after the copy: left as it is"));
  free(st.first_error);
  char *t = th_get(D, "k/f.bin");
  assert_string_equal(t, "edited by an admin later");
  free(t);
  t = th_get(D, "k/h.bin");
  assert_string_equal(t, "h, edited later");
  free(t);
  t = th_get(D, "k/g.bin");
  assert_string_equal(t, "g original");  /* the untouched one is restored */
  free(t);
  th_put(D, "k/g.bin", "g changed after the rollback", T1);
  assert_int_equal(copy_rollback(jj, &st, &e), 0);  /* complete: nothing is done again */
  assert_int_equal(st.restored + st.removed + st.changed + st.failed, 0);
  t = th_get(D, "k/g.bin");
  assert_string_equal(t, "g changed after the rollback");
  free(t);
  free(jj);
}

/* A journal others could have written is refused. */
static void rollback_refuses_unprivate_journal(void **state) {
  (void)state;
  if (strcmp(plat_name(), "posix") != 0) { print_message("SKIP: POSIX modes (the Windows DACL check is the platform's)\n"); skip(); }
  plat_meta orig;
  old_destination(&orig);
  plat_meta_free(&orig);
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  plat_err e;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  copy_plan_free(&p);
  const char *j = th_join(B, "journal.txt");
  char *jj = strdup(j);
  plat_meta m;
  assert_int_equal(plat_meta_get(jj, PLAT_META_OWNER, &m, &e), 0);
  m.mode = (m.mode & ~07777u) | 0666;
  assert_int_equal(plat_meta_set(jj, PLAT_META_OWNER, &m, &e), 0);
  copy_rollback_stats st;
  assert_int_equal(copy_rollback(jj, &st, &e), -1);
  assert_non_null(strstr(e.msg, "writable by"));
  char *t = th_get(D, "k/f.bin");
  assert_string_equal(t, "new bytes");  /* nothing was rolled back */
  free(t);
  plat_meta_free(&m);
  free(jj);
}

/* A folder swapped for a link during the run: writes never go through it. */
static char *swap_dir, *swap_out;
static int swap_at_root(const char *verb, const char *rel) {
  (void)rel;
  plat_err e;
  if (!strcmp(verb, "root")) {
    char *moved = copy_join(swap_dir, "../k.moved");
    plat_rename(swap_dir, moved, &e);
    plat_symlink(swap_out, swap_dir, &e);
    free(moved);
  }
  return 0;
}

static void link_swapped_in_is_not_followed(void **state) {
  plat_meta orig;
  old_destination(&orig);
  plat_meta_free(&orig);
  plat_err e;
  swap_out = strdup(th_join(*state, "outside"));
  swap_dir = strdup(th_join(D, "k"));
  assert_int_equal(plat_mkdirs(swap_out, &e), 0);
  char *probe = copy_join(swap_out, "probe");
  if (plat_symlink(swap_out, probe, &e) != 0) {
    print_message("SKIP: no symbolic links here: %s\n", e.msg);
    free(probe); free(swap_out); free(swap_dir);
    skip();
  }
  plat_info st;
  int islink = plat_stat(probe, 0, &st, &e) == 0 && st.type == PLAT_LINK;
  plat_remove(probe, &e);
  free(probe);
  if (!islink) {
    print_message("SKIP: a link made here is not seen as a link or reparse point (Wine)\n");
    free(swap_out); free(swap_dir);
    skip();
  }
  copy_os.checkpoint = swap_at_root;
  copy_opts o = {0};
  copy_plan p;
  copy_summary s;
  assert_int_equal(run_copy(&o, &p, &s, &e), 0);
  copy_os.checkpoint = no_checkpoint;
  assert_true(item(&p, "k/f.bin")->failed);
  assert_true(item(&p, "k/h.bin")->failed);
  assert_non_null(strstr(item(&p, "k/h.bin")->error, "not followed"));
  copy_plan_free(&p);
  plat_dir *d = plat_dir_open(swap_out, &e);
  assert_non_null(d);
  plat_dirent de;
  assert_int_equal(plat_dir_next(d, &de, &e), 0);  /* nothing was written outside */
  plat_dir_close(d);
  free(swap_out);
  free(swap_dir);
}

static int no_checkpoint(const char *verb, const char *rel) { (void)verb; (void)rel; return 0; }

/* The same crashes with two workers writing the new files. */
static void fault_crash_then_rollback_2(void **state) { workers = 2; fault_crash_then_rollback(state); workers = 1; }
static void fault_crash_new_root_2(void **state) { workers = 2; fault_crash_new_root(state); workers = 1; }

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(copies_tree_data_and_times, setup, teardown),
    cmocka_unit_test_setup_teardown(verify_written_and_full, setup, teardown),
    cmocka_unit_test_setup_teardown(verify_on_the_handle, setup, teardown),
    cmocka_unit_test_setup_teardown(plan_reasons_and_compare, setup, teardown),
    cmocka_unit_test_setup_teardown(posix_xattrs_acl_mode, setup, teardown),
    cmocka_unit_test_setup_teardown(security_descriptor_roundtrip, setup, teardown),
    cmocka_unit_test_setup_teardown(backup_journal_rollback, setup, teardown),
    cmocka_unit_test_setup_teardown(fault_no_space_loses_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown(fault_denied_and_source_vanishing, setup, teardown),
    cmocka_unit_test_setup_teardown(fault_crash_then_rollback, setup, teardown),
    cmocka_unit_test_setup_teardown(fault_crash_new_root, setup, teardown),
    cmocka_unit_test_setup_teardown(fault_crash_then_rollback_2, setup, teardown),
    cmocka_unit_test_setup_teardown(fault_crash_new_root_2, setup, teardown),
    cmocka_unit_test_setup_teardown(rollback_rejects_bad_journal, setup, teardown),
    cmocka_unit_test_setup_teardown(rollback_restores_folders, setup, teardown),
    cmocka_unit_test_setup_teardown(rollback_keeps_what_others_created, setup, teardown),
    cmocka_unit_test_setup_teardown(rollback_refuses_another_destination, setup, teardown),
    cmocka_unit_test_setup_teardown(backup_folder_serves_one_run, setup, teardown),
    cmocka_unit_test_setup_teardown(rollback_leaves_later_changes, setup, teardown),
    cmocka_unit_test_setup_teardown(rollback_refuses_unprivate_journal, setup, teardown),
    cmocka_unit_test_setup_teardown(link_swapped_in_is_not_followed, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
