/* fuzz_textdec_grep: the log decoder and scanner. Encoding detection,
   streaming UTF-16 decoding split at every kind of boundary (output must be
   valid UTF-8 within its bound), Windows-1252, then a search with regular
   expressions, fixed strings and context over tiny to large blocks. */
#include <string.h>

#include "core/grep.h"
#include "core/textdec.h"
#include "fuzzutil.h"

static sx_grep *g;

static volatile unsigned sum;

static void touch(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) sum += (unsigned char)s[i];   /* ASan checks every byte */
}

static int on_match(void *ud, const sx_grep_match *m) {
  (void)ud;
  touch(m->text, m->len);
  FZ_CHECK(m->line >= 1, "line number 0");
  FZ_CHECK(m->start <= m->end, "match %zu..%zu", m->start, m->end);
  FZ_CHECK(!memchr(m->text, '\n', m->len), "a line end inside line %llu", (unsigned long long)m->line);
  for (int i = 0; i < m->ncap; i++) if (m->cap[i]) touch(m->cap[i], m->caplen[i]);
  for (int i = 0; i < m->nbefore; i++) touch(m->before[i].text, m->before[i].len);
  for (int i = 0; i < m->nafter; i++) touch(m->after[i].text, m->after[i].len);
  return 0;
}

static void on_error(void *ud, const char *file, const plat_err *e) { (void)ud; (void)file; (void)e; }

static void decode(const uint8_t *d, size_t n, size_t step, int be) {
  sx_u16dec st = { be, 0, 0, 0 };
  char *out = malloc(SX_U16_OUTMAX(n) + 8), *o = out;
  for (size_t i = 0; i < n; i += step) {
    size_t k = n - i < step ? n - i : step;
    size_t got = sx_u16_decode(&st, d + i, k, o);
    FZ_CHECK(got <= SX_U16_OUTMAX(k), "%zu bytes out for %zu in", got, k);
    o += got;
  }
  o += sx_u16_flush(&st, o);
  FZ_CHECK(sx_utf8_valid(out, (size_t)(o - out)), "UTF-16 decoded to invalid UTF-8");
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  if (n < 1) return 0;
  size_t block = data[0] < 200 ? (size_t)data[0] % 61 + 4 : 1 << 20;
  data++, n--;
  size_t bom;
  sx_enc enc = sx_text_detect(data, n, &bom);
  FZ_CHECK(bom <= n && sx_text_encname(enc) != NULL, "bom %zu of %zu", bom, n);
  decode(data, n, block, 0);
  decode(data, n, block + 1, 1);
  char *w = malloc(3 * n + 1);
  FZ_CHECK(sx_utf8_valid(w, sx_cp1252_to_utf8((const char *)data, n, w)), "cp1252 gave invalid UTF-8");
  free(w);
  if (!g) {
    char msg[256];
    size_t off;
    g = sx_grep_new();
    if (sx_grep_add(g, "0x8007[0-9a-f]{4}|(Error|Warning): (\\w+)", 40, 0, msg, sizeof msg, &off) < 0 ||
        sx_grep_add(g, "servicing stack", 15, SX_GREP_FIXED | SX_GREP_ICASE, msg, sizeof msg, &off) < 0 ||
        sx_grep_add(g, "^$", 2, 0, msg, sizeof msg, &off) < 0 ||
        sx_grep_add(g, "\xc3\xa9t\xc3\xa9", 6, SX_GREP_ICASE, msg, sizeof msg, &off) < 0)
      abort();
  }
  sx_grep_set_block(g, block);
  sx_grep_set_maxline(g, block % 2 ? 16 + 4 * block : SX_GREP_MAXLINE);  /* long lines in parts */
  sx_grep_opts o = { .max_count = (uint64_t)(block % 3), .before = (int)(block % 4), .after = (int)(block % 5) };
  sx_grep_sink s = { on_match, on_error, NULL, NULL, NULL, NULL };
  sx_grep_buffer(g, "fuzz.log", data, n, &o, &s);
  return 0;
}
