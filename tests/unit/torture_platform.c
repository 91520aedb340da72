/* torture_platform.c: the platform layer against the real file system. */
#ifndef _WIN32
#define _GNU_SOURCE  /* sched_setaffinity */
#include <sched.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/secdesc.h"
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

/* The worker pool runs every index exactly once, whatever the number of
   threads asked for (more than the work, more than the maximum, one). */
static void count_index(void *ud, size_t i) {
  int *seen = ud;
  __atomic_fetch_add(&seen[i], 1, __ATOMIC_SEQ_CST);
}

static void parallel_runs_each_once(void **state) {
  (void)state;
  static int seen[1000];
  const int threads[] = { 1, 2, 3, PLAT_MAX_THREADS, 100 };
  assert_true(plat_cpu_count() >= 1);
  for (int t = 0; t < 5; t++) {
    for (size_t n = 0; n <= 1000; n += 333) {
      memset(seen, 0, sizeof seen);
      plat_parallel(n, threads[t], count_index, seen);
      for (size_t i = 0; i < 1000; i++) assert_int_equal(seen[i], i < n ? 1 : 0);
    }
  }
}

/* The processors counted are those this process may run on: the pool's
   size follows taskset and cpusets. */
static void cpu_count_follows_affinity(void **state) {
  (void)state;
#if !defined(_WIN32) && defined(CPU_COUNT)
  cpu_set_t all, one;
  assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
  if (CPU_COUNT(&all) < 2) { printf("skip: this process may run on one processor only\n"); skip(); }
  int first = 0;
  while (!CPU_ISSET(first, &all)) first++;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
  int n = plat_cpu_count();
  assert_int_equal(sched_setaffinity(0, sizeof all, &all), 0);
  assert_int_equal(n, 1);
  assert_int_equal(plat_cpu_count(), CPU_COUNT(&all) > 64 ? 64 : CPU_COUNT(&all));
#else
  printf("skip: the affinity is set through sched_setaffinity (POSIX) here\n");
  skip();
#endif
}

/* ---- private folders (private.c) ---- */

static int is_win32(void) { return strcmp(plat_name(), "win32") == 0; }

/* 1 when this process may give files away (root / elevated). */
static int elevated(void) {
  plat_priv p;
  plat_err e;
  if (plat_privileges_enable(&p, &e) != 0) return 0;
  int r = p.elevated;
  plat_privileges_restore(&p);
  return r;
}

/* The descriptor of path as SDDL-like text (Windows), malloc'd. */
static char *sd_text(const char *path) {
  plat_meta m = {0};
  plat_err e;
  assert_int_equal(plat_meta_get(path, PLAT_META_SECURITY, &m, &e), 0);
  char *t = NULL;
  for (size_t i = 0; i < m.nx; i++)
    if (strcmp(m.x[i].name, "win32.security") == 0) {
      secdesc sd;
      char err[128];
      assert_int_equal(sd_decode(m.x[i].value, m.x[i].len, &sd, err, sizeof err), 0);
      t = sd_format(&sd);
      sd_free(&sd);
    }
  plat_meta_free(&m);
  assert_non_null(t);
  return t;
}

static void mkdir_private_creates_private_folder(void **state) {
  const char *p = th_join(th_join(th_join(*state, "missing"), "parent"), "priv");
  plat_err e = {0};
  assert_int_equal(plat_mkdir_private(p, &e), 0);
  assert_true(plat_is_dir(p));
  if (is_win32()) {
    char *t = sd_text(p);
    if (th_under_wine() && !strstr(t, "D:P")) {
      /* Wine reads the folder as its user's, with a DACL made from the Unix
         mode: the check must accept it (that user is the administrator) */
      assert_int_equal(plat_check_private(p, &e), 0);
      print_message("SKIP under Wine: CreateDirectoryW keeps no descriptor (re-read: %s)\n", t);
      free(t);
      skip();
      return;
    }
    /* owner Administrators; protected; SYSTEM and Administrators only */
    assert_non_null(strstr(t, "O:S-1-5-32-544"));
    assert_non_null(strstr(t, "D:P(A;OICI;FA;;;S-1-5-18)(A;OICI;FA;;;S-1-5-32-544)"));
    assert_null(strstr(t, "(A;OICI;FA;;;S-1-5-32-544)("));  /* nothing else, nothing inherited */
    free(t);
  } else {
    plat_meta m = {0};
    assert_int_equal(plat_meta_get(p, PLAT_META_OWNER | PLAT_META_SECURITY, &m, &e), 0);
    assert_int_equal(m.mode & 07777, 0700);
    assert_int_equal(m.nx, 0);  /* no ACL */
    plat_meta_free(&m);
  }
  assert_int_equal(plat_check_private(p, &e), 0);
  /* existing: refused with the EEXIST code, whatever its security */
  assert_int_equal(plat_mkdir_private(p, &e), -1);
  assert_int_equal(e.code, plat_errcode(PLAT_E_EXIST));
  assert_non_null(strstr(e.msg, "priv"));
}

/* Linux ACL xattr: version 2, then {tag, perm, id} entries. */
static size_t acl_bytes(unsigned char *b, unsigned uid) {
  static const unsigned ent[][3] = {
    { 0x01, 7, 0xffffffffu }, { 0x02, 7, 0 }, { 0x04, 5, 0xffffffffu },
    { 0x10, 7, 0xffffffffu }, { 0x20, 5, 0xffffffffu } };
  size_t n = 0;
  b[n++] = 2; b[n++] = 0; b[n++] = 0; b[n++] = 0;
  for (size_t i = 0; i < 5; i++) {
    unsigned id = ent[i][0] == 0x02 ? uid : ent[i][2];
    b[n++] = (unsigned char)ent[i][0]; b[n++] = 0;
    b[n++] = (unsigned char)ent[i][1]; b[n++] = 0;
    for (int k = 0; k < 4; k++) b[n++] = (unsigned char)(id >> (8 * k));
  }
  return n;
}

static int set_acl(const char *path, const char *name, unsigned uid) {
  unsigned char b[64];
  plat_xattr x = { (char *)name, b, acl_bytes(b, uid) };
  plat_meta m = { .nx = 1, .x = &x };
  plat_err e;
  return plat_meta_set(path, PLAT_META_SECURITY, &m, &e);
}

static void mkdir_private_inherits_nothing(void **state) {
  if (is_win32()) { print_message("SKIP: POSIX default ACLs (the Windows DACL is checked above)\n"); skip(); }
  const char *parent = th_join(*state, "shared");
  plat_err e;
  assert_int_equal(plat_mkdirs(parent, &e), 0);
  if (set_acl(parent, "system.posix_acl_default", 65534) != 0) {
    print_message("SKIP: this file system keeps no POSIX ACLs\n");
    skip();
  }
  const char *p = th_join(parent, "priv");
  assert_int_equal(plat_mkdir_private(p, &e), 0);
  plat_meta m = {0};
  assert_int_equal(plat_meta_get(p, PLAT_META_OWNER | PLAT_META_SECURITY, &m, &e), 0);
  assert_int_equal(m.mode & 07777, 0700);
  assert_int_equal(m.nx, 0);  /* neither the default nor an access ACL came down */
  plat_meta_free(&m);
  assert_int_equal(plat_check_private(p, &e), 0);
}

static void check_private_refuses_writers(void **state) {
  if (is_win32()) { print_message("SKIP: POSIX modes and ACLs (Windows below)\n"); skip(); }
  plat_err e = {0};
  const char *f = th_join(*state, "history.log");
  assert_int_equal(plat_write_file(f, "x", 1, &e), 0);
  plat_meta m = {0};
  assert_int_equal(plat_meta_get(f, PLAT_META_OWNER, &m, &e), 0);
  m.mode = (m.mode & ~07777u) | 0600;
  assert_int_equal(plat_meta_set(f, PLAT_META_OWNER, &m, &e), 0);
  assert_int_equal(plat_check_private(f, &e), 0);
  m.mode = (m.mode & ~07777u) | 0620;  /* group-writable */
  assert_int_equal(plat_meta_set(f, PLAT_META_OWNER, &m, &e), 0);
  assert_int_equal(plat_check_private(f, &e), -1);
  assert_non_null(strstr(e.msg, "history.log: writable by its group (mode 0620)"));
  assert_non_null(strstr(e.msg, "remove it"));
  m.mode = (m.mode & ~07777u) | 0602;
  assert_int_equal(plat_meta_set(f, PLAT_META_OWNER, &m, &e), 0);
  assert_int_equal(plat_check_private(f, &e), -1);
  assert_non_null(strstr(e.msg, "writable by everyone"));
  /* an ACL granting user 65534 write (mask rwx; the mode shows the mask) */
  const char *d = th_join(*state, "work");
  assert_int_equal(plat_mkdir_private(d, &e), 0);
  if (set_acl(d, "system.posix_acl_default", 65534) == 0) {
    assert_int_equal(plat_check_private(d, &e), -1);
    assert_non_null(strstr(e.msg, "an ACL lets user 65534 write"));
  } else {
    print_message("SKIP part: this file system keeps no POSIX ACLs\n");
  }
  if (!elevated()) { print_message("SKIP part: giving a file away needs root\n"); return; }
  m.mode = (m.mode & ~07777u) | 0600;
  m.uid = 65534;  /* nobody */
  assert_int_equal(plat_meta_set(f, PLAT_META_OWNER, &m, &e), 0);
  assert_int_equal(plat_check_private(f, &e), -1);
  assert_non_null(strstr(e.msg, "owned by user 65534, not root"));
  plat_meta_free(&m);
}

static void check_private_windows(void **state) {
  if (!is_win32()) { print_message("SKIP: Windows owners and DACLs (POSIX above)\n"); skip(); }
  /* a folder made the ordinary way inherits the temporary folder's DACL,
     which gives its owner (this user) full control */
  TH_SKIP_UNDER_WINE("every file reads as owned by the user running Wine (accepted as the "
                     "administrator there), with a DACL made from the Unix mode");
  const char *d = th_join(*state, "ordinary");
  plat_err e = {0};
  assert_int_equal(plat_mkdirs(d, &e), 0);
  char *t = sd_text(d);
  int admin_only = strstr(t, "O:S-1-5-32-544") || strstr(t, "O:S-1-5-18");
  if (admin_only) print_message("re-read: %s\n", t);
  free(t);
  if (admin_only) { print_message("SKIP: this user's folders are owned by Administrators\n"); skip(); }
  assert_int_equal(plat_check_private(d, &e), -1);
  assert_non_null(strstr(e.msg, "ordinary: "));
  assert_non_null(strstr(e.msg, "remove it as an administrator"));
}

static void check_private_missing(void **state) {
  plat_err e = {0};
  assert_int_equal(plat_check_private(th_join(*state, "absent"), &e), -1);
  assert_true(plat_is_notfound(e.code));
  assert_non_null(strstr(e.msg, "absent"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parallel_runs_each_once),
    cmocka_unit_test(cpu_count_follows_affinity),
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
    cmocka_unit_test_setup_teardown(mkdir_private_creates_private_folder, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(mkdir_private_inherits_nothing, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(check_private_refuses_writers, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(check_private_windows, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(check_private_missing, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(strerror_has_text),
    cmocka_unit_test(getenv_set_and_unset),
    cmocka_unit_test(wine_detection),
    cmocka_unit_test_setup_teardown(in_use_is_detected, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(replace_at_boot_and_cancel, th_tempdir_setup, th_tempdir_teardown),
  };
  return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
