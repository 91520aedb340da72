/* torture_grepline.c: lines longer than the grep engine's limit are
   searched in parts: the same lines and numbers as a search that holds
   them whole, at every place of the match and every block size, in both
   modes; the match printed cut shows it with its marker; the file is
   named once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "config.h"
#include "core/grep.h"
#include "platform/platform.h"

typedef struct res {
  char s[4096];         /* "line:pattern " of each match */
  size_t n;
  int longs, bad;
  uint64_t longline, done;
} res;

static int on_match(void *ud, const sx_grep_match *m) {
  res *r = ud;
  r->n += (size_t)snprintf(r->s + r->n, sizeof r->s - r->n, "%llu:%d ", (unsigned long long)m->line, m->pattern);
  if (m->end > m->len || m->start > m->end) r->bad++;
  else if (m->end - m->start >= 6 && strncmp(m->text + m->start, "needle", 6) != 0
           && strncmp(m->text + m->start, "NEEDLE", 6) != 0) r->bad++;
  return 0;
}
static void on_error(void *ud, const char *file, const plat_err *e) {
  (void)file; (void)e;
  ((res *)ud)->bad++;
}
static void on_done(void *ud, const char *file, uint64_t n) {
  (void)file;
  ((res *)ud)->done = n;
}
static void on_long(void *ud, const char *file, uint64_t line, size_t limit) {
  res *r = ud;
  (void)file; (void)limit;
  if (!r->longs++) r->longline = line;
}

static void run(const char *const *pats, int flags, size_t maxline, size_t block, int count,
                const char *text, size_t len, res *r) {
  sx_grep *g = sx_grep_new();
  assert_non_null(g);
  char msg[256];
  size_t off;
  for (; *pats; pats++) assert_true(sx_grep_add(g, *pats, strlen(*pats), flags, msg, sizeof msg, &off) >= 0);
  sx_grep_set_block(g, block);
  if (maxline) sx_grep_set_maxline(g, maxline);
  memset(r, 0, sizeof *r);
  sx_grep_sink s = { on_match, on_error, on_done, r, NULL, on_long };
  sx_grep_opts o = { .count_only = count };
  assert_int_equal(sx_grep_buffer(g, "t", text, len, &o, &s), 0);
  sx_grep_free(g);
}

/* short lines, a 300-byte line holding the match at `at`, a long line
   without one, a match after it */
static size_t make(char *t, size_t at, const char *lit) {
  char line[400];
  memset(line, 'a', 300);
  memcpy(line + at, lit, 6);
  line[300] = '\0';
  return (size_t)sprintf(t, "one\r\ntwo needle\n%s\nthree\r\n%.300s\nneedle four\n%.250s", line,
                         "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                         line);
}

static void parts_equal_whole(void **state) {
  (void)state;
  static const size_t bs[] = { 1, 3, 7, 16, 64, 4096 };
  const char *fixed[] = { "needle", NULL }, *two[] = { "needle", "four", NULL }, *re[] = { "ne+dle", NULL },
             *ic[] = { "NEEDLE", NULL };
  struct { const char *const *p; int flags; } sets[] = {
    { fixed, SX_GREP_FIXED }, { two, SX_GREP_FIXED }, { re, 0 }, { ic, SX_GREP_FIXED | SX_GREP_ICASE },
  };
  char t[2048];
  for (size_t at = 0; at <= 294; at += (at < 8 || at > 286 || (at > 56 && at < 72)) ? 1 : 13) {
    size_t len = make(t, at, "needle");
    for (size_t si = 0; si < sizeof sets / sizeof sets[0]; si++)
      for (size_t b = 0; b < sizeof bs / sizeof bs[0]; b++)
        for (int count = 0; count <= 1; count++) {
          res whole, parts;
          run(sets[si].p, sets[si].flags, 0, bs[b], count, t, len, &whole);
          run(sets[si].p, sets[si].flags, 64, bs[b], count, t, len, &parts);
          assert_int_equal(whole.longs, 0);
          assert_int_equal(parts.bad, 0);
          assert_string_equal(parts.s, whole.s);
          assert_int_equal(parts.done, whole.done);
          assert_int_equal(parts.longs, 1);  /* named once */
          uint64_t l = parts.longline;  /* (the first read is 4 KiB: the first line held too long) */
          if (count ? l != 0 : l != 3 && l != 5 && l != 7)
            fail_msg("at %llu set %llu block %llu count %d: line %llu", (unsigned long long)at, (unsigned long long)si,
                     (unsigned long long)bs[b], count, (unsigned long long)parts.longline);  /* (mingw: no %zu) */
        }
  }
}

/* A match on a long line is printed cut: the marker, and the match. */
static int keep_text(void *ud, const sx_grep_match *m) {
  char *out = ud;  /* the marker, then "needle" where the match is said to be */
  snprintf(out, 512, "%.5s", m->text);
  if (m->end - m->start == 6 && m->end <= m->len) snprintf(out + 5, 507, "%.6s", m->text + m->start);
  return 0;
}
static void printed_cut(void **state) {
  (void)state;
  size_t n = 3u << 20;
  char *t = malloc(n + 16);
  assert_non_null(t);
  memset(t, 0, n);
  memcpy(t + n - 100, "needle", 6);
  sx_grep *g = sx_grep_new();
  char msg[256], out[512] = "";
  size_t off;
  assert_true(sx_grep_add(g, "needle", 6, SX_GREP_FIXED, msg, sizeof msg, &off) >= 0);
  sx_grep_sink s = { keep_text, on_error, NULL, out, NULL, NULL };
  assert_int_equal(sx_grep_buffer(g, "t", t, n, &(sx_grep_opts){ 0 }, &s), 0);
  assert_memory_equal(out, "[...]", 5);
  assert_string_equal(out + 5, "needle");
  sx_grep_free(g);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parts_equal_whole),
    cmocka_unit_test(printed_cut),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
