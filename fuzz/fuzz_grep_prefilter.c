/* fuzz_grep_prefilter: the literal prefilter against a plain PCRE2 scan.
   The input chooses patterns (built from regex fragments, fixed or not,
   case-folded or not), a SIMD level, a block size and a log text (built
   from words that the patterns hold, line ends and raw bytes); searching
   with the prefilter and without it must give the same lines for the same
   patterns. When the text is valid UTF-8, its UTF-16LE twin (with a BOM)
   must give those lines too: the decoder, read in blocks that split code
   units and lines, feeds the same prefilter. Count mode must count the
   lines found, each once. */
#include <stdio.h>
#include <string.h>

#include "core/grep.h"
#include "core/simd.h"
#include "core/textdec.h"
#include "fuzzutil.h"

static const char *const frags[] = {
  "Error", "error", "0x8007", "0003", "[0-9]", "[A-F]+", ".", "\\.", "a?", "b*", "c+", "(x|y)", "d{2}",
  "e{0,2}", "\\[", "\\]", "[", "]", " ", ":", "Failed to bind", "stack", "(?:ab)", "\\w", "\\d+", "^", "$",
  "|", "(", ")", "{", "\xc3\xa9", "K", "k", "@", "`", "{0x", "[0x", "\\x41", "\\pL", "(?i)", "\\Q.\\E",
};
#define NFRAGS (sizeof frags / sizeof frags[0])

static const char *const words[] = {
  "Error", "ERROR", "error: ", "0x80070003", "0x8007000E", "stack", "STACK", "Failed to bind ", "[0x", "{0x",
  "ab", "abab", "c", "cc", "dd", "e", "x", "y", " ", ":", "A", "K", "k", "@", "`", "\xc3\xa9", "\xc3\x89",
  "Failed to bind the online servicing stack", "9", "]", ".", "-",
};
#define NWORDS (sizeof words / sizeof words[0])

typedef struct res { char s[8192]; size_t n; int faults; uint64_t lines, last, done; } res;

static int on_match(void *ud, const sx_grep_match *m) {
  res *r = ud;
  if (m->line != r->last) r->lines++;
  r->last = m->line;
  if (r->n < sizeof r->s - 32)
    r->n += (size_t)snprintf(r->s + r->n, sizeof r->s - r->n, "%llu:%d;", (unsigned long long)m->line, m->pattern);
  return 0;
}

static void on_error(void *ud, const char *file, const plat_err *e) { (void)ud; (void)file; (void)e; }

static void on_fault(void *ud, const sx_grep_match *m, const plat_err *e) {
  (void)m; (void)e;
  ((res *)ud)->faults++;
}

/* UTF-8 (valid) to UTF-16LE with a BOM; returns the bytes written. */
static size_t to_utf16le(const unsigned char *s, size_t n, unsigned char *out) {
  size_t o = 0;
  out[o++] = 0xFF; out[o++] = 0xFE;
  for (size_t i = 0; i < n;) {
    unsigned c = s[i], len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > 1) c &= 0x3Fu >> (len - 1);
    for (unsigned k = 1; k < len; k++) c = c << 6 | (s[i + k] & 0x3F);
    i += len;
    if (c >= 0x10000) {
      unsigned hi = 0xD800 + ((c - 0x10000) >> 10), lo = 0xDC00 + ((c - 0x10000) & 0x3FF);
      out[o++] = (unsigned char)hi; out[o++] = (unsigned char)(hi >> 8);
      c = lo;
    }
    out[o++] = (unsigned char)c; out[o++] = (unsigned char)(c >> 8);
  }
  return o;
}

static void on_done(void *ud, const char *file, uint64_t n) {
  (void)file;
  ((res *)ud)->done = n;
}

static void search(sx_grep *g, int filt, const char *text, size_t n, res *r) {
  memset(r, 0, sizeof *r);
  sx_grep_set_prefilter(g, filt);
  sx_grep_sink s = { on_match, on_error, NULL, r, on_fault, NULL };
  sx_grep_buffer(g, "fuzz.log", text, n, &(sx_grep_opts){ 0 }, &s);
}

/* The lines count mode counts (match() is never called: NULL). */
static uint64_t count(sx_grep *g, const char *text, size_t n, int *faults) {
  res r = { .n = 0 };
  sx_grep_sink s = { NULL, on_error, on_done, &r, on_fault, NULL };
  sx_grep_buffer(g, "fuzz.log", text, n, &(sx_grep_opts){ .count_only = 1 }, &s);
  *faults = r.faults;
  return r.done;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {
  if (n < 3) return 0;
  static const char *const levels[] = { "c", "sse2", "avx2", "avx2" };
  static const size_t blocks[] = { 1, 3, 7, 16, 31, 64, 4096, 1 << 20 };
  int flags = (d[0] & 1 ? SX_GREP_ICASE : 0) | (d[0] & 2 ? SX_GREP_FIXED : 0);
  sx_simd_force(NULL);
  sx_simd_force(levels[(d[0] >> 2) & 3]);
  size_t block = blocks[(d[0] >> 4) & 7];
  int npat = d[1] % 6 + 1;
  size_t i = 2;
  sx_grep *g = sx_grep_new();
  if (!g) return 0;
  sx_grep_set_block(g, block);
  for (int k = 0; k < npat && i < n; k++) {
    char pat[256];
    size_t len = 0, nf = d[i++] % 8 + 1;
    for (size_t j = 0; j < nf && i < n; j++) {
      const char *f = frags[d[i++] % NFRAGS];
      size_t fl = strlen(f);
      if (len + fl < sizeof pat) { memcpy(pat + len, f, fl); len += fl; }
    }
    char msg[256];
    size_t off;
    sx_grep_add(g, pat, len, flags, msg, sizeof msg, &off);  /* a bad regex is simply left out */
  }
  if (sx_grep_count(g) == 0) { sx_grep_free(g); return 0; }
  char *text = malloc(64 * (n - i) + 1);
  size_t tn = 0;
  for (; i < n; i++) {
    uint8_t b = d[i];
    if (b >= 0xF0) text[tn++] = '\n';
    else if (b >= 0xE8) text[tn++] = '\r';
    else if (b < 0x80) { const char *w = words[b % NWORDS]; memcpy(text + tn, w, strlen(w)); tn += strlen(w); }
    else text[tn++] = (char)b;
  }
  res *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  search(g, 0, text, tn, a);
  search(g, 1, text, tn, b);
  /* A PCRE2 limit may be met over a whole block and not on one line:
     then the two ways legitimately differ. */
  if (!a->faults && !b->faults)
    FZ_CHECK(strcmp(a->s, b->s) == 0, "simd %s block %zu: plain scan %s, prefiltered %s",
             sx_simd_level(), block, a->s, b->s);
  int cf = 0;
  uint64_t c = count(g, text, tn, &cf);
  if (!b->faults && !cf)
    FZ_CHECK(c == b->lines, "simd %s block %zu: count mode %llu lines, %llu found", sx_simd_level(), block,
             (unsigned long long)c, (unsigned long long)b->lines);
  if (!a->faults && !b->faults && sx_utf8_valid(text, tn)) {
    unsigned char *u16 = malloc(2 * tn + 2);
    size_t un = to_utf16le((const unsigned char *)text, tn, u16);
    search(g, 1, (const char *)u16, un, a);
    if (!a->faults)
      FZ_CHECK(strcmp(a->s, b->s) == 0, "simd %s block %zu: UTF-8 %s, its UTF-16LE twin %s",
               sx_simd_level(), block, b->s, a->s);
    free(u16);
  }
  free(a); free(b); free(text);
  sx_grep_free(g);
  return 0;
}
