/* torture_grep.c: the grep engine over buffers and files: encodings, line
   ends, block boundaries, long lines, context, limits, files and globs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "config.h"
#include "core/grep.h"
#include "core/grep_int.h"  /* sx_grep_expand */
#include "core/simd.h"
#include "platform/platform.h"

/* The out-of-memory test asks malloc for more than any machine has: under
   AddressSanitizer that must return NULL, as the C library's malloc does,
   rather than stop the process. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

typedef struct got {
  int n, errors, done;
  int err_cls, err_code;
  uint64_t done_count;
  uint64_t line[64];
  int pat[64];
  char text[64][128];
  char cap1[64][64];
  char ctx[64][256];    /* "before|after" context texts joined with ',' */
  char file[64][800];
  char err[800];
  int nfault, fault_pat;  /* faults: lines a pattern could not be searched to the end */
  uint64_t fault_line;
  char fault[800];
} got;

static int on_match(void *ud, const sx_grep_match *m) {
  got *g = ud;
  if (g->n >= 64) return 1;
  int i = g->n++;
  g->line[i] = m->line;
  g->pat[i] = m->pattern;
  snprintf(g->text[i], sizeof g->text[i], "%.*s", (int)m->len, m->text);
  snprintf(g->file[i], sizeof g->file[i], "%s", m->file);
  g->cap1[i][0] = '\0';
  if (m->ncap >= 1 && m->cap[0]) snprintf(g->cap1[i], sizeof g->cap1[i], "%.*s", (int)m->caplen[0], m->cap[0]);
  char *c = g->ctx[i];
  c[0] = '\0';
  for (int k = 0; k < m->nbefore; k++)
    snprintf(c + strlen(c), 256 - strlen(c), "%llu=%.*s,", (unsigned long long)m->before[k].line,
             (int)m->before[k].len, m->before[k].text);
  strcat(c, "|");
  for (int k = 0; k < m->nafter; k++)
    snprintf(c + strlen(c), 256 - strlen(c), "%llu=%.*s,", (unsigned long long)m->after[k].line,
             (int)m->after[k].len, m->after[k].text);
  return 0;
}

static void on_error(void *ud, const char *file, const plat_err *e) {
  got *g = ud;
  (void)file;
  g->errors++;
  g->err_cls = e->cls;
  g->err_code = e->code;
  snprintf(g->err, sizeof g->err, "%s", e->msg);
}

static void on_done(void *ud, const char *file, uint64_t n) {
  got *g = ud;
  (void)file;
  g->done++;
  g->done_count += n;
}

static sx_grep *set_of(const char *const *pats, int flags) {
  sx_grep *g = sx_grep_new();
  assert_non_null(g);
  char msg[256];
  size_t off;
  for (; *pats; pats++) assert_true(sx_grep_add(g, *pats, strlen(*pats), flags, msg, sizeof msg, &off) >= 0);
  return g;
}

static void search_buf(sx_grep *g, const void *data, size_t len, const sx_grep_opts *o, got *out) {
  memset(out, 0, sizeof *out);
  sx_grep_sink s = { on_match, on_error, on_done, out, NULL, NULL };
  assert_int_equal(sx_grep_buffer(g, "buf", data, len, o, &s), 0);
  assert_int_equal(out->done, 1);
}

static const size_t blocks[] = { 1, 2, 3, 5, 7, 16, 4096, 1 << 20 };
#define NBLOCKS (sizeof blocks / sizeof blocks[0])

/* LF, CRLF, CR alone, an empty line and no final line end, at every block
   size: the same lines and numbers. */
static void line_ends_and_blocks(void **state) {
  (void)state;
  static const char text[] = "a\nfoo x\r\nb\rfoo y\r\rfoo z";
  const char *pats[] = { "foo", NULL };
  for (int f = 0; f < 2; f++) {
    sx_grep *g = set_of(pats, f ? SX_GREP_FIXED : 0);
    for (size_t b = 0; b < NBLOCKS; b++) {
      got r;
      sx_grep_set_block(g, blocks[b]);
      search_buf(g, text, sizeof text - 1, &(sx_grep_opts){ 0 }, &r);
      assert_int_equal(r.n, 3);
      assert_int_equal(r.line[0], 2); assert_string_equal(r.text[0], "foo x");
      assert_int_equal(r.line[1], 4); assert_string_equal(r.text[1], "foo y");
      assert_int_equal(r.line[2], 6); assert_string_equal(r.text[2], "foo z");
      assert_int_equal(r.done_count, 3);
    }
    sx_grep_free(g);
  }
}

/* A match straddling every possible block boundary, and captures. */
static void match_across_block_boundary(void **state) {
  (void)state;
  static const char text[] = "line one\nthe Error: 0x80070003 here\nlast\n";
  const char *pats[] = { "Error: (0x[0-9a-f]{8})", NULL };
  sx_grep *g = set_of(pats, 0);
  for (size_t b = 1; b < sizeof text; b++) {
    got r;
    sx_grep_set_block(g, b);
    search_buf(g, text, sizeof text - 1, &(sx_grep_opts){ 0 }, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.line[0], 2);
    assert_string_equal(r.cap1[0], "0x80070003");
  }
  sx_grep_free(g);
}

/* A regex that could reach over a line end matches within one line only. */
static void no_match_spans_lines(void **state) {
  (void)state;
  static const char text[] = "a\nb\r\na b\nc\r\nx";
  const char *pats[] = { "a\\s+b", "c\\s*x", NULL };
  sx_grep *g = set_of(pats, 0);
  got r;
  search_buf(g, text, sizeof text - 1, &(sx_grep_opts){ 0 }, &r);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.line[0], 3);
  assert_string_equal(r.text[0], "a b");
  sx_grep_free(g);
}

/* UTF-8 with a BOM then raw ANSI bytes: ASCII still matches and the line
   is shown as Windows-1252 decoded to UTF-8. */
static void bom_then_invalid_utf8(void **state) {
  (void)state;
  static const char text[] = "\xEF\xBB\xBF" "first\r\n\xE9t\xE9 Error 0x80070003\r\nok \xC3\xA9\r\n";
  const char *pats[] = { "0x80070003", "ok", "^first$", NULL };
  sx_grep *g = set_of(pats, 0);
  got r;
  search_buf(g, text, sizeof text - 1, &(sx_grep_opts){ 0 }, &r);
  assert_int_equal(r.n, 3);
  assert_int_equal(r.line[0], 1);  /* the BOM is not part of line 1 */
  assert_string_equal(r.text[1], "\xC3\xA9t\xC3\xA9 Error 0x80070003");
  assert_string_equal(r.text[2], "ok \xC3\xA9");  /* valid UTF-8 stays as it is */
  sx_grep_free(g);
}

/* UTF-8 text -> UTF-16 (le or be), with or without a BOM. */
static size_t to_utf16(const char *s, int be, int bom, unsigned char *out) {
  size_t o = 0;
  const unsigned char *p = (const unsigned char *)s;
  if (bom) { out[o++] = be ? 0xFE : 0xFF; out[o++] = be ? 0xFF : 0xFE; }
  while (*p) {
    unsigned c;
    if (*p < 0x80) c = *p++;
    else if (*p < 0xE0) { c = (p[0] & 0x1Fu) << 6 | (p[1] & 0x3F); p += 2; }
    else if (*p < 0xF0) { c = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3F); p += 3; }
    else { c = (p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3F); p += 4; }
    unsigned u[2] = { c, 0 };
    int k = 1;
    if (c >= 0x10000) { u[0] = 0xD800 + ((c - 0x10000) >> 10); u[1] = 0xDC00 + ((c - 0x10000) & 0x3FF); k = 2; }
    for (int j = 0; j < k; j++) {
      out[o++] = (unsigned char)(be ? u[j] >> 8 : u[j] & 0xFF);
      out[o++] = (unsigned char)(be ? u[j] & 0xFF : u[j] >> 8);
    }
  }
  return o;
}

static void utf16_all_forms(void **state) {
  (void)state;
  static const char text[] =
    "2024-01-01 Info CBS Starting\r\n"
    "\xD0\x9F\xD1\x80\xD0\xB8 Failed to bind the online servicing stack \xF0\x9F\x98\x80\r\n"
    "tail line\n";
  unsigned char u[512];
  const char *pats[] = { "Failed to bind the online servicing stack", "^tail", NULL };
  sx_grep *g = set_of(pats, 0);
  for (int form = 0; form < 3; form++) {  /* LE+BOM, BE+BOM, LE without BOM */
    size_t n = to_utf16(text, form == 1, form != 2, u);
    for (size_t b = 0; b < NBLOCKS; b++) {
      got r;
      sx_grep_set_block(g, blocks[b]);
      search_buf(g, u, n, &(sx_grep_opts){ 0 }, &r);
      assert_int_equal(r.n, 2);
      assert_int_equal(r.line[0], 2);
      assert_string_equal(r.text[0],
        "\xD0\x9F\xD1\x80\xD0\xB8 Failed to bind the online servicing stack \xF0\x9F\x98\x80");
      assert_int_equal(r.line[1], 3);
      assert_string_equal(r.text[1], "tail line");
    }
  }
  sx_grep_free(g);
}

/* A non-ASCII pattern matches as UTF-8, case-insensitively too. */
static void unicode_pattern_ignore_case(void **state) {
  (void)state;
  static const char text[] = "x\n\xD0\x9E\xD0\xA8\xD0\x98\xD0\x91\xD0\x9A\xD0\x90 \xE9\n";  /* ОШИБКА, then a raw byte */
  const char *pats[] = { "\xD0\xBE\xD1\x88\xD0\xB8\xD0\xB1\xD0\xBA\xD0\xB0", NULL };  /* ошибка */
  sx_grep *g = set_of(pats, SX_GREP_FIXED | SX_GREP_ICASE);
  got r;
  search_buf(g, text, sizeof text - 1, &(sx_grep_opts){ 0 }, &r);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.line[0], 2);
  sx_grep_free(g);
}

/* Lines longer than 1 MiB, found whole at any block size. */
static void long_lines(void **state) {
  (void)state;
  size_t big = (3u << 20) / 2;
  char *t = malloc(big + 64);
  assert_non_null(t);
  memset(t, 'x', big);
  strcpy(t + big, "needle\nsecond needle\n");
  size_t len = strlen(t);
  const char *pats[] = { "needle", NULL };
  sx_grep *g = set_of(pats, SX_GREP_FIXED);
  size_t bs[] = { 4096, 1 << 20 };
  for (int b = 0; b < 2; b++) {
    got r;
    memset(&r, 0, sizeof r);
    sx_grep_set_block(g, bs[b]);
    sx_grep_sink s = { on_match, on_error, on_done, &r, NULL, NULL };
    assert_int_equal(sx_grep_buffer(g, "big", t, len, &(sx_grep_opts){ 0 }, &s), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.line[0], 1);
    assert_int_equal(r.line[1], 2);
    assert_string_equal(r.text[1], "second needle");
  }
  sx_grep_free(g);
  free(t);
}

static void empty_input(void **state) {
  (void)state;
  const char *pats[] = { "", NULL };  /* the empty pattern matches every line */
  sx_grep *g = set_of(pats, 0);
  got r;
  search_buf(g, "", 0, &(sx_grep_opts){ 0 }, &r);
  assert_int_equal(r.n, 0);
  search_buf(g, "a\n\nb", 4, &(sx_grep_opts){ 0 }, &r);
  assert_int_equal(r.n, 3);
  assert_int_equal(r.line[2], 3);
  sx_grep_free(g);
}

/* Several patterns: each line once per pattern, in line order; limits. */
static void patterns_and_max_count(void **state) {
  (void)state;
  static const char text[] = "err A\nwarn\nerr B warn\nerr C\n";
  const char *pats[] = { "err", "warn", NULL };
  sx_grep *g = set_of(pats, SX_GREP_FIXED);
  got r;
  search_buf(g, text, sizeof text - 1, &(sx_grep_opts){ 0 }, &r);
  assert_int_equal(r.n, 5);
  assert_int_equal(r.line[2], 3); assert_int_equal(r.pat[2], 0);
  assert_int_equal(r.line[3], 3); assert_int_equal(r.pat[3], 1);
  sx_grep_set_block(g, 3);
  search_buf(g, text, sizeof text - 1, &(sx_grep_opts){ .max_count = 1 }, &r);
  assert_int_equal(r.n, 2);
  assert_int_equal(r.line[0], 1);
  assert_int_equal(r.line[1], 2);
  sx_grep_free(g);
}

static void context_lines(void **state) {
  (void)state;
  static const char text[] = "l1\nl2\r\nHIT\rl4\nl5\nl6";
  const char *pats[] = { "HIT", "l6", NULL };
  sx_grep *g = set_of(pats, 0);
  for (size_t b = 0; b < NBLOCKS; b++) {
    got r;
    sx_grep_set_block(g, blocks[b]);
    search_buf(g, text, sizeof text - 1, &(sx_grep_opts){ .before = 2, .after = 1 }, &r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.ctx[0], "1=l1,2=l2,|4=l4,");
    assert_string_equal(r.ctx[1], "4=l4,5=l5,|");
  }
  sx_grep_free(g);
}

/* A PCRE2 resource limit is a fault on its line (with the pattern), never
   "no match": later lines are still searched, at every block size, and a
   sink without a fault callback gets it as an error. */
static void on_fault(void *ud, const sx_grep_match *m, const plat_err *e) {
  got *g = ud;
  g->nfault++;
  g->fault_line = m->line;
  g->fault_pat = m->pattern;
  snprintf(g->fault, sizeof g->fault, "%s", e->msg);
  assert_true(e->code < 0);
}

static void search_limit_is_a_fault(void **state) {
  (void)state;
#if SXSFIX_HAVE_PCRE2
  char text[200];
  snprintf(text, sizeof text, "first aab\n%sError: ab\nmid ab\nlast aab\n",
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  const char *pats[] = { "zzz", "(a|aa)+b", NULL };
  sx_grep *g = set_of(pats, 0);
  for (size_t b = 0; b < NBLOCKS; b++) {
    got r;
    memset(&r, 0, sizeof r);
    sx_grep_set_block(g, blocks[b]);
    sx_grep_sink s = { on_match, on_error, on_done, &r, on_fault, NULL };
    assert_int_equal(sx_grep_buffer(g, "limit.log", text, strlen(text), &(sx_grep_opts){ 0 }, &s), 0);
    assert_int_equal(r.n, 3);  /* lines 1, 3 and 4: the rest is searched */
    assert_int_equal(r.line[0], 1);
    assert_int_equal(r.line[1], 3);
    assert_int_equal(r.line[2], 4);
    assert_int_equal(r.nfault, 1);
    assert_int_equal(r.fault_line, 2);
    assert_int_equal(r.fault_pat, 1);
    assert_non_null(strstr(r.fault, "limit.log:2: pattern '(a|aa)+b'"));
    assert_non_null(strstr(r.fault, "limit"));
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.done, 1);
  }
  got r;
  memset(&r, 0, sizeof r);
  sx_grep_sink s = { on_match, on_error, on_done, &r, NULL, NULL };
  sx_grep_buffer(g, "limit.log", text, strlen(text), &(sx_grep_opts){ 0 }, &s);
  assert_int_equal(r.errors, 1);
  assert_non_null(strstr(r.err, "limit.log:2:"));
  assert_int_equal(r.n, 3);
  /* The limit hit over the whole block (a 'b' further on), but the line
     alone holds no 'b': searched again line by line, no fault, no loss. */
  snprintf(text, sizeof text, "x\n%s\nError: ab\n", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  memset(&r, 0, sizeof r);
  s.fault = on_fault;
  sx_grep_set_block(g, 1 << 20);
  sx_grep_buffer(g, "limit.log", text, strlen(text), &(sx_grep_opts){ 0 }, &s);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.line[0], 3);
  assert_int_equal(r.nfault + r.errors, 0);
  sx_grep_free(g);
#else
  skip();
#endif
}

/* ---- the literal prefilter: with it and without it, the same lines ---- */

static const char *const levels[] = { "c", "sse2", "avx2" };

/* "line:pattern;" for every match, prefilter on or off. */
static void lines_of(sx_grep *g, int filt, const char *text, size_t len, char *out, size_t outlen) {
  got r;
  memset(&r, 0, sizeof r);
  sx_grep_set_prefilter(g, filt);
  sx_grep_sink s = { on_match, on_error, on_done, &r, on_fault, NULL };
  sx_grep_buffer(g, "t", text, len, &(sx_grep_opts){ 0 }, &s);
  out[0] = '\0';
  for (int i = 0; i < r.n; i++)
    snprintf(out + strlen(out), outlen - strlen(out), "%llu:%d;", (unsigned long long)r.line[i], r.pat[i]);
  if (r.nfault) snprintf(out + strlen(out), outlen - strlen(out), "fault%llu:%d;", (unsigned long long)r.fault_line, r.fault_pat);
}

/* Both ways at every SIMD level and block size: the same lines; returns
   the prefiltered result of the last. */
static void same_both_ways(sx_grep *g, const char *text, size_t len, char *want, size_t wantlen) {
  char a[2048], b[2048];
  for (int l = 0; l < 3; l++) {
    if (sx_simd_force(levels[l]) != 0) continue;  /* not on this CPU */
    for (size_t k = 0; k < NBLOCKS; k++) {
      sx_grep_set_block(g, blocks[k]);
      lines_of(g, 0, text, len, a, sizeof a);
      lines_of(g, 1, text, len, b, sizeof b);
      if (strcmp(a, b) != 0) fail_msg("simd %s block %lu: without prefilter %s, with %s", levels[l], (unsigned long)blocks[k], a, b);
    }
  }
  sx_simd_force(NULL);
  snprintf(want, wantlen, "%s", b);
}

/* A literal at every offset across 16- and 32-byte lanes and block edges,
   and up to the end of the text (the positions after the last whole
   vector); with two literals (two bytes each) and with three (AVX2 looks
   for their fingerprints). */
static void prefilter_lanes_and_block_edges(void **state) {
  (void)state;
  const char *pats[] = { "CDlpActionDriverMigrate", "Result = 0x8007[0-9A-F]{4}", "ExecuteRoutine", NULL };
  for (int three = 0; three < 2; three++) {
    const char *p3[] = { pats[0], pats[1], three ? pats[2] : NULL, NULL };
    sx_grep *gf = set_of(p3, 0);
    char text[256], res[2048];
    for (int off = 0; off < 70; off++) {
      for (int end = 0; end < 2; end++) {  /* "\r\ntail" after it, or the end of the text */
        memset(text, 'x', sizeof text);
        text[off / 2] = '\n';  /* a line end before it, sometimes in the same vector */
        memcpy(text + off + 1, "CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x80070003", 61);
        memcpy(text + off + 62, "\r\ntail", 7);
        same_both_ways(gf, text, (size_t)off + (end ? 62 : 69), res, sizeof res);
        assert_string_equal(res, three ? "2:0;2:1;2:2;" : "2:0;2:1;");
      }
    }
    sx_grep_free(gf);
  }
}

/* Six patterns, fixed and regex, all on one line: each reports it once. */
static void prefilter_every_pattern_on_one_line(void **state) {
  (void)state;
  const char *fixed[] = { "Failed to bind", "CDlpActionDriverMigrate", "Process Drivers", "[0x80070003]",
                          "SetupPhaseError", "worker session", NULL };
  const char *regex[] = { "Failed to bind.*hr:0x8007", "CDlpActionDriverMigrate::\\w+", "Process Drivers\\.?",
                          "\\[0x[0-9A-F]+\\]", "-> \\[SetupPhase[A-Za-z]+\\]", "worker (session)", NULL };
  const char *text = "a\r\nFailed to bind hr:0x80070003 CDlpActionDriverMigrate::ExecuteRoutine Process Drivers "
                     "[0x80070003] -> [SetupPhaseError] worker session\r\nb\r\n";
  char res[2048];
  for (int k = 0; k < 2; k++) {
    sx_grep *g = set_of(k ? regex : fixed, k ? 0 : SX_GREP_FIXED);
    same_both_ways(g, text, strlen(text), res, sizeof res);
    assert_string_equal(res, "2:0;2:1;2:2;2:3;2:4;2:5;");
    sx_grep_free(g);
  }
}

/* Every byte of every literal changed in turn: no pattern matches. */
static void prefilter_near_misses(void **state) {
  (void)state;
  const char *lits[] = { "Failed to bind the online servicing stack", "CDlpActionDriverMigrate",
                         "Using action error code: [0x", NULL };
  sx_grep *g = set_of(lits, SX_GREP_FIXED);
  char res[2048], text[128];
  for (int i = 0; lits[i]; i++) {
    size_t n = strlen(lits[i]);
    for (size_t j = 0; j < n; j++) {
      snprintf(text, sizeof text, "x\n%s\n", lits[i]);
      text[2 + j] = text[2 + j] == '#' ? '%' : '#';
      same_both_ways(g, text, strlen(text), res, sizeof res);
      assert_string_equal(res, "");
    }
  }
  sx_grep_free(g);
}

/* Candidates that are not the literal: a literal that overlaps itself
   ("xkxkxq" in "xkxkxkxq") and its two rarest bytes in place with other
   bytes between, before and after the real one, at every offset across
   lanes; and the same case-folded. */
static void prefilter_candidates_not_literal(void **state) {
  (void)state;
  const char *pats[] = { "xkxkxq", "K{0x}Z", NULL };
  for (int icase = 0; icase < 2; icase++) {
    sx_grep *g = set_of(pats, SX_GREP_FIXED | (icase ? SX_GREP_ICASE : 0));
    char text[256], res[2048];
    for (int off = 0; off < 40; off++) {
      size_t n = 0;
      n += (size_t)snprintf(text + n, sizeof text - n, "%.*sxkxkxkxkxQ K{0y}Z K{0x}Y\n", off, "................................................");
      n += (size_t)snprintf(text + n, sizeof text - n, "K{1x}Z xkxkxkxq\r\n%s k{0X}z\n", icase ? "XKXKXQ" : "-");
      same_both_ways(g, text, n, res, sizeof res);
      assert_string_equal(res, icase ? "1:0;2:0;3:0;3:1;" : "2:0;");
    }
    sx_grep_free(g);
  }
}

/* Case-insensitive literals over non-ASCII text; ASCII folding never
   matches the neighbours it shares bits with ('[' and '{', '@' and '`'). */
static void prefilter_ignore_case_non_ascii(void **state) {
  (void)state;
  const char *pats[] = { "servicing STACK", "[0x8007", "\xD0\xBE\xD1\x88\xD0\xB8\xD0\xB1\xD0\xBA\xD0\xB0", "@home", NULL };
  sx_grep *g = set_of(pats, SX_GREP_FIXED | SX_GREP_ICASE);
  const char *text =
    "\xD0\x9E\xD0\xA8\xD0\x98\xD0\x91\xD0\x9A\xD0\x90 Servicing Stack \xC3\xA9\n"  /* ОШИБКА */
    "{0x8007 `HOME servicing\xC2\xA0stack\n"
    "\xE9t\xE9 [0X8007 @Home\n";
  char res[2048];
  same_both_ways(g, text, strlen(text), res, sizeof res);
  assert_string_equal(res, "1:0;1:2;3:1;3:3;");
  sx_grep_free(g);
}

/* Regexes whose required literal is easy to get wrong: alternation,
   optional and repeated characters, groups, classes, escapes. */
static void prefilter_regex_literals(void **state) {
  (void)state;
  const char *pats[] = { "colou?r code", "Err(or)?: 0x8007", "a|bcdef", "ab*cdef", "x{0,2}yzzy",
    "\\x41BCD", "\\pLxyz[0-9]", "(?i)hello", "q(?=uux)uux", "0x[0-9]{2}\\.dll", "k{2}kk", "\\QLit.*\\E", NULL };
  sx_grep *g = set_of(pats, 0);
  const char *text = "color code\ncolour code\nErr: 0x8007\nError: 0x80070003\nbcdef\nacdef\nabbbcdef\n"
                     "yzzy\nxxyzzy\nABCD\nAxyz1\nHELLO\nquux\n0x12.dll\nkkkk\nkkk\nLit.*\n";
  char res[2048];
  same_both_ways(g, text, strlen(text), res, sizeof res);
  assert_string_equal(res, "1:0;2:0;3:1;4:1;5:2;6:2;6:3;7:2;7:3;8:4;9:4;10:5;11:6;12:7;13:8;14:9;15:10;17:11;");
  sx_grep_free(g);
}

/* Many paths on several threads: the sink sees exactly the sequence of a
   search one path after the other (matches with line numbers, context and
   captures, errors, faults, files done), at any number of threads. */
typedef struct trace { char s[1 << 20]; size_t n; } trace;
#define TR_ROOM(t) ((t)->n < sizeof (t)->s - 2048 ? sizeof (t)->s - (t)->n : 0)

static int tr_match(void *ud, const sx_grep_match *m) {
  trace *t = ud;
  if (TR_ROOM(t)) t->n += (size_t)snprintf(t->s + t->n, TR_ROOM(t), "M %s:%llu:%d:%.*s:%s:%d/%d;", m->file,
                           (unsigned long long)m->line, m->pattern, (int)m->len, m->text,
                           m->ncap && m->cap[0] ? m->cap[0] : "-", m->nbefore, m->nafter);
  return 0;
}
static void tr_error(void *ud, const char *file, const plat_err *e) {
  trace *t = ud;
  (void)e;
  if (TR_ROOM(t)) t->n += (size_t)snprintf(t->s + t->n, TR_ROOM(t), "E %s;", file);
}
static void tr_done(void *ud, const char *file, uint64_t n) {
  trace *t = ud;
  if (TR_ROOM(t)) t->n += (size_t)snprintf(t->s + t->n, TR_ROOM(t), "D %s %llu;", file, (unsigned long long)n);
}
static void tr_fault(void *ud, const sx_grep_match *m, const plat_err *e) {
  trace *t = ud;
  (void)e;
  if (TR_ROOM(t)) t->n += (size_t)snprintf(t->s + t->n, TR_ROOM(t), "F %s:%llu;", m->file, (unsigned long long)m->line);
}

static void many_paths_in_order(void **state) {
  const char *dir = *state;
  plat_err e;
  char body[4096];
  const char *paths[13];
  char names[13][1024];
  for (int i = 0; i < 10; i++) {
    size_t n = 0;
    for (int k = 0; k < 30 + 7 * i; k++)
      n += (size_t)snprintf(body + n, sizeof body - n, k % (3 + i) ? "line %d\r\n" : "Error: 0x8007%04d here\r\n", k);
    if (i == 4) n += (size_t)snprintf(body + n, sizeof body - n, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaErr ab\r\n");
    char nm[32];
    snprintf(nm, sizeof nm, "log%d.log", i);
    snprintf(names[i], sizeof names[i], "%s", th_join(dir, nm));
    assert_int_equal(plat_write_file(names[i], body, n, &e), 0);
    paths[i] = names[i];
  }
  snprintf(names[10], sizeof names[10], "%s", th_join(dir, "missing.log"));
  snprintf(names[11], sizeof names[11], "%s", th_join(dir, "LOG*"));
  snprintf(names[12], sizeof names[12], "%s%cx*", th_join(dir, "nodir"), plat_sep());  /* a folder that cannot be listed */
  paths[10] = names[10];
  paths[11] = names[12];
  paths[12] = names[11];
  /* the wildcard is 10 files, each its own task for the pool, in name order */
  size_t nf;
  int listed;
  got lr;
  memset(&lr, 0, sizeof lr);
  sx_grep_sink ls = { on_match, on_error, on_done, &lr, NULL, NULL };
  char **files = sx_grep_expand(names[11], &nf, &listed, &ls);
  assert_int_equal(nf, 10);
  assert_int_equal(listed, 1);
  for (size_t i = 0; i < nf; i++) {
    assert_string_equal(files[i], names[i]);
    free(files[i]);
  }
  free(files);
  assert_null(sx_grep_expand(names[12], &nf, &listed, &ls));
  assert_int_equal(nf, 0);
  assert_int_equal(lr.errors, 1);
  const char *pats[] = { "Error: (0x[0-9]{8})", "(a|aa)+b", "line 1", NULL };
  sx_grep *g = set_of(pats, 0);
  static trace one, many;
  sx_grep_opts o = { .before = 1, .after = 1 };
  memset(&one, 0, sizeof one);
  sx_grep_sink s1 = { tr_match, tr_error, tr_done, &one, tr_fault, NULL };
  assert_int_equal(sx_grep_paths(g, paths, 13, 1, &o, &s1), 0);
  assert_true(TR_ROOM(&one) > 0);
  assert_non_null(strstr(one.s, "F "));   /* the fault of log4 is in it */
  assert_non_null(strstr(one.s, "E "));   /* and the missing file */
  const char *nodir = strstr(one.s, "nodir");  /* the folder's error before the wildcard's files */
  assert_non_null(nodir);
  assert_true(strstr(nodir, "D ") != NULL);
  assert_true(strstr(one.s, "D ") < nodir);
  for (int t = 2; t <= PLAT_MAX_THREADS; t *= 2) {
    memset(&many, 0, sizeof many);
    sx_grep_sink s2 = { tr_match, tr_error, tr_done, &many, tr_fault, NULL };
    assert_int_equal(sx_grep_paths(g, paths, 13, t, &o, &s2), 0);
    assert_string_equal(many.s, one.s);
  }
  sx_grep_free(g);
}

static void bad_pattern(void **state) {
  (void)state;
#if SXSFIX_HAVE_PCRE2
  sx_grep *g = sx_grep_new();
  char msg[256];
  size_t off;
  assert_int_equal(sx_grep_add(g, "ok(", 3, 0, msg, sizeof msg, &off), -1);
  assert_int_equal(off, 3);
  assert_true(strlen(msg) > 0);
  assert_int_equal(sx_grep_count(g), 0);
  sx_grep_free(g);
#else
  skip();
#endif
}

/* Files: missing ones are errors and the search goes on; globs are
   case-insensitive and sorted. */
static void files_and_globs(void **state) {
  const char *dir = *state;
  plat_err e;
  assert_int_equal(plat_write_file(th_join(dir, "MoSetup_b.log"), "x\nsig here\n", 11, &e), 0);
  assert_int_equal(plat_write_file(th_join(dir, "mosetup_a.log"), "sig\n", 4, &e), 0);
  assert_int_equal(plat_write_file(th_join(dir, "other.log"), "sig\n", 4, &e), 0);
  assert_int_equal(plat_mkdirs(th_join(dir, "MOSETUP_dir"), &e), 0);
  const char *pats[] = { "sig", NULL };
  sx_grep *g = set_of(pats, SX_GREP_FIXED);
  got r;
  memset(&r, 0, sizeof r);
  sx_grep_sink s = { on_match, on_error, on_done, &r, NULL, NULL };
  char glob[1024];
  snprintf(glob, sizeof glob, "%s", th_join(dir, "MOSETUP*"));
  assert_int_equal(sx_grep_path(g, th_join(dir, "missing.log"), &(sx_grep_opts){ 0 }, &s), 0);
  assert_int_equal(sx_grep_path(g, glob, &(sx_grep_opts){ 0 }, &s), 0);
  assert_int_equal(r.errors, 1);
  assert_non_null(strstr(r.err, "missing.log"));
  assert_int_equal(r.n, 2);
  assert_non_null(strstr(r.file[0], "mosetup_a.log"));
  assert_non_null(strstr(r.file[1], "MoSetup_b.log"));
  assert_int_equal(r.line[1], 2);
  assert_int_equal(r.done, 2);  /* the folder is not searched */
  sx_grep_free(g);
}

/* Real logs: the article's signatures are in none of them; a bare
   0x80070003 is, and its count per file agrees with a plain line count. */
static size_t naive_count(const char *data, size_t len, const char *needle) {
  size_t n = 0, start = 0, k = strlen(needle);
  for (size_t i = 0; i <= len; i++) {
    if (i == len || data[i] == '\n') {
      for (size_t j = start; j + k <= i; j++)
        if (memcmp(data + j, needle, k) == 0) { n++; break; }
      start = i + 1;
    }
  }
  return n;
}

static void real_logs(void **state) {
  (void)state;
  const char *root;
  TH_TESTDATA(root, "logs");
  const char *sigs[] = {
    "Failed to bind the online servicing stack",
    "CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x80070003",
    "Operation failed: Process Drivers for Migration. Error: 0x80070003",
    "MoSetupPlatform: Using action error code: [0x80070003]",
    NULL };
  const char *bare[] = { "0x80070003", NULL };
  sx_grep *gs = set_of(sigs, SX_GREP_FIXED), *gb = set_of(bare, SX_GREP_FIXED);
  plat_err e;
  plat_dir *d = plat_dir_open(root, &e);
  assert_non_null(d);
  plat_dirent ent;
  size_t files = 0, total = 0;
  while (plat_dir_next(d, &ent, &e) == 1) {
    if (ent.type != PLAT_FILE) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s", th_join(root, ent.name));
    got r;
    memset(&r, 0, sizeof r);
    sx_grep_sink s = { on_match, on_error, on_done, &r, NULL, NULL };
    sx_grep_path(gs, path, &(sx_grep_opts){ 0 }, &s);
    assert_int_equal(r.n + r.errors, 0);
    memset(&r, 0, sizeof r);
    sx_grep_path(gb, path, &(sx_grep_opts){ 0 }, &s);
    char *data;
    size_t len;
    assert_int_equal(plat_read_file(path, &data, &len, &e), 0);
    assert_int_equal(r.done_count, naive_count(data, len, "0x80070003"));
    total += r.done_count;
    free(data);
    files++;
  }
  plat_dir_close(d);
  print_message("%lu real logs, %lu lines with 0x80070003\n", (unsigned long)files, (unsigned long)total);
  assert_true(files > 10);
  assert_true(total > 0);
  sx_grep_free(gs);
  sx_grep_free(gb);
}

/* A real allocation failure (a block larger than any address space) is a
   resource failure with the OS's out-of-memory code, never damaged input. */
static void out_of_memory_is_a_resource_failure(void **state) {
  (void)state;
  sx_grep *g = set_of((const char *const[]){ "x", NULL }, SX_GREP_FIXED);
  sx_grep_set_block(g, (size_t)1 << 62);
  got r = { 0 };
  sx_grep_sink s = { on_match, on_error, on_done, &r, NULL, NULL };
  assert_int_equal(sx_grep_buffer(g, "big.log", "x\n", 2, &(sx_grep_opts){ 0 }, &s), -1);
  assert_int_equal(r.errors, 1);
  assert_int_equal(r.err_cls, PLAT_EC_RESOURCE);
  assert_int_equal(r.err_code, plat_errcode(PLAT_E_NOMEM));
  assert_string_equal(r.err, "big.log: out of memory");
  assert_string_equal(plat_errclass_name(r.err_cls), "resource");
  sx_grep_free(g);
}

int main(int argc, char **argv) {
  plat_init(&argc, &argv);  /* UTF-8 names from libarchive */
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(line_ends_and_blocks),
    cmocka_unit_test(out_of_memory_is_a_resource_failure),
    cmocka_unit_test(match_across_block_boundary),
    cmocka_unit_test(no_match_spans_lines),
    cmocka_unit_test(bom_then_invalid_utf8),
    cmocka_unit_test(utf16_all_forms),
    cmocka_unit_test(unicode_pattern_ignore_case),
    cmocka_unit_test(long_lines),
    cmocka_unit_test(empty_input),
    cmocka_unit_test(patterns_and_max_count),
    cmocka_unit_test(context_lines),
    cmocka_unit_test(search_limit_is_a_fault),
    cmocka_unit_test(prefilter_lanes_and_block_edges),
    cmocka_unit_test(prefilter_every_pattern_on_one_line),
    cmocka_unit_test(prefilter_near_misses),
    cmocka_unit_test(prefilter_candidates_not_literal),
    cmocka_unit_test(prefilter_ignore_case_non_ascii),
    cmocka_unit_test(prefilter_regex_literals),
    cmocka_unit_test_setup_teardown(many_paths_in_order, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(bad_pattern),
    cmocka_unit_test_setup_teardown(files_and_globs, th_tempdir_setup, th_tempdir_teardown),
    cmocka_unit_test(real_logs),
  };
  return cmocka_run_group_tests_name("grep", tests, NULL, NULL);
}
