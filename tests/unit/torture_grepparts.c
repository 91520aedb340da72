/* torture_grepparts.c: the grep engine's fast paths against its plain
   ones: a big file searched in parts on several threads against one
   thread, count mode against the lines reported one by one, and the
   prefilter's fingerprints tuned to dense log text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "config.h"
#include "core/grep.h"
#include "core/grep_int.h"  /* sx_grep_split, sx_filt_tune */
#include "core/simd.h"
#include "platform/platform.h"

typedef struct trace { char *s; size_t n, cap; uint64_t done, lines, last; int matches, faults; } trace;

static void put(trace *t, const char *fmt, const char *file, uint64_t a, int b, const char *text, size_t len,
                const char *enc) {
  size_t need = t->n + len + strlen(file) + 128;
  if (need > t->cap) {
    t->cap = need * 2;
    t->s = realloc(t->s, t->cap);
    assert_non_null(t->s);
  }
  t->n += (size_t)snprintf(t->s + t->n, t->cap - t->n, fmt, file, (unsigned long long)a, b, (int)len, text, enc);
}

static int tr_match(void *ud, const sx_grep_match *m) {
  trace *t = ud;
  t->matches++;
  if (m->line != t->last) t->lines++;  /* matches come in line order */
  t->last = m->line;
  put(t, "M %s:%llu:%d:%.*s:%s\n", m->file, m->line, m->pattern, m->text, m->len, m->encoding);
  return 0;
}
static void tr_error(void *ud, const char *file, const plat_err *e) {
  put(ud, "E %s:%llu:%d:%.*s:%s\n", file, 0, e->code, e->msg, strlen(e->msg), "");
}
static void tr_done(void *ud, const char *file, uint64_t n) {
  trace *t = ud;
  t->done += n;
  put(t, "D %s:%llu:%d:%.*s:%s\n", file, n, 0, "", 0, "");
}
static void tr_fault(void *ud, const sx_grep_match *m, const plat_err *e) {
  trace *t = ud;
  t->faults++;
  put(t, "F %s:%llu:%d:%.*s:%s\n", m->file, m->line, m->pattern, e->msg, strlen(e->msg), "");
}

static sx_grep *set_of(const char *const *pats, int flags) {
  sx_grep *g = sx_grep_new();
  assert_non_null(g);
  char msg[256];
  size_t off;
  for (; *pats; pats++) assert_true(sx_grep_add(g, *pats, strlen(*pats), flags, msg, sizeof msg, &off) >= 0);
  return g;
}

static void search(sx_grep *g, const char *path, int threads, const sx_grep_opts *o, trace *t) {
  memset(t, 0, sizeof *t);
  sx_grep_sink s = { tr_match, tr_error, tr_done, t, tr_fault, NULL };
  assert_int_equal(sx_grep_paths(g, &path, 1, threads, o, &s), 0);
  if (!t->s) { t->s = calloc(1, 1); assert_non_null(t->s); }
}

/* A log of n bytes or more: CRLF, LF and lone CR lines, the literals
   every few lines (two on one line sometimes), a line longer than the
   64 KiB a cut looks through, and a last line without a line end that
   holds a match. */
static size_t make_log(char *buf, size_t n, int bom) {
  size_t k = 0;
  if (bom) { memcpy(buf, "\xEF\xBB\xBF", 3); k = 3; }
  for (int i = 0; k + 300 < n; i++) {
    const char *end = i % 7 == 3 ? "\n" : i % 11 == 5 ? "\r" : "\r\n";
    if (i == 500) {  /* one long line, a match at its end */
      memset(buf + k, 'z', 70000);
      k += 70000;
      k += (size_t)sprintf(buf + k, " CDlpActionDriverMigrate\r\n");
      continue;
    }
    if (i % 5 == 0) k += (size_t)sprintf(buf + k, "2024-01-01, Error CSI Failed to create worker session %d%s", i, end);
    else if (i % 13 == 0) k += (size_t)sprintf(buf + k, "Info Setup phase change and CDlpActionDriverMigrate %d%s", i, end);
    else k += (size_t)sprintf(buf + k, "2024-01-01, Info CBS Failed to get next element [HRESULT = 0x800f080d] %d%s", i, end);
  }
  k += (size_t)sprintf(buf + k, "last MoSetupPlatform: Using");
  return k;
}

static const char *const lits[] = { "CDlpActionDriverMigrate", "Failed to create worker session",
                                    "MoSetupPlatform: Using", "Setup phase change", NULL };

/* Parts on 2..8 threads, cut at every few KiB: the same matches, line
   numbers, texts, encodings and count as one thread reading it whole;
   count mode too, whose count is the number of lines matched. */
static void parts_same_as_whole(void **state) {
  const char *dir = *state;
  enum { SIZE = 400 << 10 };
  char *buf = malloc(SIZE + 80000);
  assert_non_null(buf);
  plat_err e;
  const char *regex[] = { "Failed to create (worker) session", "CDlpAction\\w+", "MoSetupPlatform: Using", NULL };
  for (int bom = 0; bom < 2; bom++) {
    size_t n = make_log(buf, SIZE, bom);
    const char *path = th_join(dir, bom ? "bom.log" : "plain.log");
    assert_int_equal(plat_write_file(path, buf, n, &e), 0);
    for (int re = 0; re < 2; re++) {
      sx_grep *g = set_of(re ? regex : lits, re ? 0 : SX_GREP_FIXED);
      static const size_t blocks[] = { 7, 4096, 256 << 10 };
      for (size_t b = 0; b < 3; b++) {
        sx_grep_set_block(g, blocks[b]);
        sx_grep_set_split(g, (uint64_t)1 << 62);
        trace one, many, c1, cn;
        search(g, path, 4, &(sx_grep_opts){ 0 }, &one);  /* parts of 2^62 bytes: not split */
        search(g, path, 1, &(sx_grep_opts){ .count_only = 1 }, &c1);
        assert_true(one.matches > 1000);
        assert_int_equal(c1.matches, 0);
        assert_int_equal(c1.done, one.lines);  /* the lines matched, each once */
        assert_non_null(strstr(one.s, bom ? ":utf-8-bom\n" : ":utf-8\n"));
        sx_grep_set_split(g, 1);  /* any size: a part per thread */
        for (int t = 2; t <= PLAT_MAX_THREADS; t += 3) {  /* 2, 5, 8 */
          search(g, path, t, &(sx_grep_opts){ 0 }, &many);
          if (strcmp(many.s, one.s) != 0) fail_msg("%d threads, block %lu: not as one thread", t, (unsigned long)blocks[b]);
          free(many.s);
          search(g, path, t, &(sx_grep_opts){ .count_only = 1 }, &cn);
          assert_string_equal(cn.s, c1.s);
          free(cn.s);
        }
        /* it was split: sx_grep_split itself takes it */
        memset(&many, 0, sizeof many);
        sx_grep_sink s = { tr_match, tr_error, tr_done, &many, tr_fault, NULL };
        assert_int_equal(sx_grep_split(g, path, 3, &(sx_grep_opts){ 0 }, &s), 0);
        assert_string_equal(many.s, one.s);
        free(many.s);
        free(one.s);
        free(c1.s);
      }
      sx_grep_free(g);
    }
  }
  free(buf);
}

/* What is not split: context lines, max_count, UTF-16 (the cuts would
   fall inside its code units), a file of one line, a small file. */
static void parts_not_split(void **state) {
  const char *dir = *state;
  plat_err e;
  sx_grep *g = set_of(lits, SX_GREP_FIXED);
  sx_grep_set_split(g, 1);
  trace t = { 0 };
  sx_grep_sink s = { tr_match, tr_error, tr_done, &t, tr_fault, NULL };
  char buf[4096];
  size_t n = make_log(buf, sizeof buf - 100, 0);
  const char *path = th_join(dir, "a.log");
  assert_int_equal(plat_write_file(path, buf, n, &e), 0);
  assert_int_equal(sx_grep_split(g, path, 2, &(sx_grep_opts){ .before = 1 }, &s), -1);
  assert_int_equal(sx_grep_split(g, path, 2, &(sx_grep_opts){ .max_count = 3 }, &s), -1);
  assert_int_equal(sx_grep_split(g, path, 1, &(sx_grep_opts){ 0 }, &s), -1);
  assert_int_equal(sx_grep_split(g, path, 2, &(sx_grep_opts){ 0 }, &s), 0);
  free(t.s);
  unsigned char u16[2 * sizeof buf + 2] = { 0xFF, 0xFE };
  for (size_t i = 0; i < n; i++) u16[2 + 2 * i] = (unsigned char)buf[i], u16[3 + 2 * i] = 0;
  const char *p16 = th_join(dir, "u16.log");
  assert_int_equal(plat_write_file(p16, u16, 2 + 2 * n, &e), 0);
  assert_int_equal(sx_grep_split(g, p16, 2, &(sx_grep_opts){ 0 }, &s), -1);
  trace a, b;
  search(g, path, 1, &(sx_grep_opts){ 0 }, &a);
  search(g, p16, 4, &(sx_grep_opts){ 0 }, &b);  /* the twin, searched whole: the same lines */
  assert_true(a.matches > 3);
  assert_int_equal(b.matches, a.matches);
  free(a.s); free(b.s);
  const char *one = th_join(dir, "one.log");
  assert_int_equal(plat_write_file(one, "x CDlpActionDriverMigrate x", 27, &e), 0);
  assert_int_equal(sx_grep_split(g, one, 2, &(sx_grep_opts){ 0 }, &s), -1);
  sx_grep_set_split(g, 1 << 20);
  assert_int_equal(sx_grep_split(g, path, 8, &(sx_grep_opts){ 0 }, &s), -1);
  sx_grep_free(g);
}

/* Count mode over buffers: each line once however many patterns hold it,
   at every block size and line end, the last line without one; max_count
   bounds the lines; the UTF-16LE twin counts the same; a fault has no
   line number. */
static void count_mode(void **state) {
  (void)state;
  static const char text[] = "a\nfoo bar\r\nb\rbar\r\rfoo\n\nbar foo foo\r\nfoo bar";
  const char *pats[] = { "foo", "bar", NULL };
  unsigned char u16[2 * sizeof text + 2] = { 0xFF, 0xFE };
  for (size_t i = 0; i < sizeof text - 1; i++) u16[2 + 2 * i] = (unsigned char)text[i];
  for (int f = 0; f < 2; f++) {
    sx_grep *g = set_of(pats, f ? SX_GREP_FIXED : 0);
    for (size_t b = 1; b < sizeof text + 1; b++) {
      sx_grep_set_block(g, b);
      for (int enc = 0; enc < 2; enc++) {
        for (uint64_t max = 0; max < 7; max++) {
          trace t = { 0 };
          sx_grep_sink s = { tr_match, tr_error, tr_done, &t, tr_fault, NULL };
          sx_grep_opts o = { .count_only = 1, .max_count = max };
          if (enc) assert_int_equal(sx_grep_buffer(g, "u", u16, 2 * sizeof text, &o, &s), 0);
          else assert_int_equal(sx_grep_buffer(g, "t", text, sizeof text - 1, &o, &s), 0);
          assert_int_equal(t.matches, 0);
          assert_int_equal(t.done, max && max < 5 ? max : 5);  /* lines 2, 4, 6, 8 and 9 */
          free(t.s);
        }
      }
    }
    sx_grep_free(g);
  }
#if SXSFIX_HAVE_PCRE2
  sx_grep *g = set_of((const char *const[]){ "(a|aa)+b", "x", NULL }, 0);
  const char *big = "x\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaError: ab\nx\n";
  trace t = { 0 };
  sx_grep_sink s = { tr_match, tr_error, tr_done, &t, tr_fault, NULL };
  assert_int_equal(sx_grep_buffer(g, "f.log", big, strlen(big), &(sx_grep_opts){ .count_only = 1 }, &s), 0);
  assert_int_equal(t.done, 2);
  assert_int_equal(t.faults, 1);
  assert_non_null(strstr(t.s, "F f.log:0:0:f.log: pattern '(a|aa)+b': "));
  assert_non_null(strstr(t.s, "a line was not fully searched for it"));
  free(t.s);
  sx_grep_free(g);
#endif
}

/* Dense CBS-like text where the static choice of a fingerprint is common:
   tuned on the text, each literal's fingerprint is 3 bytes the sample
   does not hold; and the literals are still found at every offset across
   the 32- and 64-byte rounds, after the sample, as without the prefilter. */
static void tuned_fingerprints(void **state) {
  (void)state;
  const char *pats[] = { "Failed to bind the online", "Setup phase change", "Process Drivers for Migration",
                         "CDlpActionDriverMigrate", NULL };
  enum { N = 64 << 10 };
  char *text = malloc(N + 4096);
  assert_non_null(text);
  size_t n = 0;
  for (int i = 0; n < N; i++)
    n += (size_t)sprintf(text + n, "2023-05-17, Info CBS Failed to %s the package. Setup phase: %d, "
                         "Process Driver%d for MIGRATION, Migration\r\n", i % 2 ? "internally open" : "initialize", i, i);
  char *low = malloc(n + 1);  /* the text with ASCII letters in lower case, for the folded literals */
  assert_non_null(low);
  for (size_t i = 0; i <= n; i++) low[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] | 0x20 : text[i]);
  for (int icase = 0; icase < 2; icase++) {
    sx_grep *g = set_of(pats, SX_GREP_FIXED | (icase ? SX_GREP_ICASE : 0));
    sx_filt f = g->filt;
    assert_int_equal(f.teddy, 1);
    int common = 0;
    for (int k = 0; k < f.n; k++) {
      char tri[4] = { 0 };
      memcpy(tri, f.lit[k] + f.ta[k], 3);
      common += strstr(icase ? low : text, tri) != NULL;
    }
    assert_true(common >= 3);  /* the static choice: "Fai", "pha", "Mig"; folded "the", "mig" */
    sx_filt_tune(&f, text, n);
    for (int k = 0; k < f.n; k++) {
      char tri[4] = { 0 };
      memcpy(tri, f.lit[k] + f.ta[k], 3);
      if (strstr(icase ? low : text, tri)) fail_msg("literal %d: fingerprint '%s' is in the sample", k, tri);
    }
    sx_grep_free(g);
  }
  static const char *const levels[] = { "c", "sse2", "avx2" };
  sx_grep *g = set_of(pats, SX_GREP_FIXED);
  for (int off = 0; off < 140; off++) {
    size_t m = n;
    m += (size_t)sprintf(text + m, "%.*sx Process Drivers for Migration Failed to bind the online\r\n", off,
                         "................................................................................................................................................");
    m += (size_t)sprintf(text + m, "CDlpActionDriverMigrate");
    for (int l = 0; l < 3; l++) {
      if (sx_simd_force(levels[l]) != 0) continue;
      trace a, b;
      sx_grep_set_prefilter(g, 0);
      memset(&a, 0, sizeof a);
      sx_grep_sink sa = { tr_match, tr_error, tr_done, &a, tr_fault, NULL };
      sx_grep_buffer(g, "t", text, m, &(sx_grep_opts){ 0 }, &sa);
      sx_grep_set_prefilter(g, 1);
      memset(&b, 0, sizeof b);
      sx_grep_sink sb = { tr_match, tr_error, tr_done, &b, tr_fault, NULL };
      sx_grep_buffer(g, "t", text, m, &(sx_grep_opts){ 0 }, &sb);
      assert_int_equal(a.matches, 3);
      assert_string_equal(a.s, b.s);
      free(a.s); free(b.s);
    }
  }
  sx_simd_force(NULL);
  sx_grep_free(g);
  free(low);
  free(text);
}

int main(int argc, char **argv) {
  plat_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(parts_same_as_whole, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test_setup_teardown(parts_not_split, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(count_mode),
    cmocka_unit_test(tuned_fingerprints),
  };
  return cmocka_run_group_tests_name("grepparts", tests, NULL, NULL);
}
