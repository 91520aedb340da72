/* grep.c: the pattern set of the grep engine: compiling patterns once and
   finding the next match of one (see grep.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grep_int.h"

#if SXSFIX_HAVE_PCRE2
/* SXSFIX_PCRE2_JIT=0 runs patterns through PCRE2's interpreter: memory
   checkers such as valgrind cannot follow JIT-generated code. */
static int jit_wanted(void) {
  static int wanted = -1;
  if (wanted < 0) {
    char *v = plat_getenv("SXSFIX_PCRE2_JIT");
    wanted = !(v && strcmp(v, "0") == 0);
    free(v);
  }
  return wanted;
}
#endif

sx_grep *sx_grep_new(void) {
  sx_grep *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->split = 4 << 20;  /* a thread per 4 MiB at most: below that, starting it costs more than it saves */
  g->maxline = SX_GREP_MAXLINE;
  g->overlap = 4096;
  g->block = 256 << 10;  /* a read and its scan stay in the cache (a UTF-16 log: 15% less time than 1 MiB) */
  char *v = plat_getenv("SXSFIX_PREFILTER");  /* 0: every pattern over every line, as a check */
  g->use_filt = !(v && strcmp(v, "0") == 0);
  free(v);
  return g;
}

void sx_grep_set_prefilter(sx_grep *g, int on) { g->use_filt = on; }

void sx_grep_free(sx_grep *g) {
  if (!g) return;
  for (int i = 0; i < g->n; i++) {
    free(g->pat[i].lit);
    free(g->pat[i].src);
    free(g->pat[i].req);
#if SXSFIX_HAVE_PCRE2
    pcre2_match_data_free(g->pat[i].md);
    pcre2_code_free(g->pat[i].code);
#endif
  }
  free(g->pat);
  free(g);
}

int sx_grep_count(const sx_grep *g) { return g->n; }

const char *sx_grep_pattern(const sx_grep *g, int i) { return g->pat[i].src; }

void sx_grep_set_block(sx_grep *g, size_t bytes) { g->block = bytes ? bytes : 1; }

void sx_grep_set_maxline(sx_grep *g, size_t bytes) { g->maxline = bytes < 16 ? 16 : bytes; }

void sx_grep_set_split(sx_grep *g, uint64_t bytes) { g->split = bytes ? bytes : 1; }

static int add_literal(sx_pat *p, const char *pat, size_t len) {
  p->lit = malloc(len + 1);
  if (!p->lit) return -1;
  memcpy(p->lit, pat, len);
  p->litlen = len;
  p->rare = 0;
  for (size_t i = 1; i < len; i++)
    if (sx_commonness((unsigned char)pat[i]) < sx_commonness((unsigned char)pat[p->rare])) p->rare = i;
  return 0;
}

int sx_grep_add(sx_grep *g, const char *pat, size_t len, int flags,
                char *msg, size_t msglen, size_t *offset) {
  *offset = 0;
  if (g->n == g->cap) {
    int nc = g->cap ? g->cap * 2 : 8;
    sx_pat *np = realloc(g->pat, nc * sizeof *np);
    if (!np) { snprintf(msg, msglen, "out of memory"); return -1; }
    g->pat = np;
    g->cap = nc;
  }
  sx_pat *p = &g->pat[g->n];
  memset(p, 0, sizeof *p);
  if (!(p->src = malloc(len + 1))) { snprintf(msg, msglen, "out of memory"); return -1; }
  memcpy(p->src, pat, len);
  p->src[len] = '\0';
  /* Fixed strings go to PCRE2 as literals when it is built in: its JIT
     literal search measured faster than memchr on a rare byte
     (bench/grep.sh); without PCRE2 the memchr search serves them. */
  if ((flags & SX_GREP_FIXED) && !(flags & SX_GREP_ICASE) && !SXSFIX_HAVE_PCRE2) {
    if (add_literal(p, pat, len) != 0) { free(p->src); snprintf(msg, msglen, "out of memory"); return -1; }
    sx_filt_add(g, g->n, pat, len, 1, 0);
    return g->n++;
  }
#if SXSFIX_HAVE_PCRE2
  /* Byte mode for ASCII patterns (fast, and raw ANSI bytes never stop a
     match); a pattern with non-ASCII text is matched as UTF-8, where
     invalid bytes in the subject simply never match. */
  int utf = 0;
  for (size_t i = 0; i < len && !utf; i++) utf = (unsigned char)pat[i] >= 0x80;
  uint32_t opts = (flags & SX_GREP_FIXED) ? PCRE2_LITERAL : PCRE2_MULTILINE | (utf ? PCRE2_UCP : 0);
  if (utf) opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (flags & SX_GREP_ICASE) opts |= PCRE2_CASELESS;
  pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
  if (!cc) { free(p->src); snprintf(msg, msglen, "out of memory"); return -1; }
  pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);  /* ^ $ and . know CR, LF and CRLF */
  int ec;
  PCRE2_SIZE eo;
  p->code = pcre2_compile((PCRE2_SPTR)pat, len, opts, &ec, &eo, cc);
  pcre2_compile_context_free(cc);
  if (!p->code) {
    free(p->src);
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(ec, buf, sizeof buf);
    snprintf(msg, msglen, "%s", (const char *)buf);
    *offset = eo;
    return -1;
  }
  p->jit = jit_wanted() && pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0;  /* else interpreted */
  uint32_t nc = 0;
  pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &nc);
  p->ncap = (int)nc;
  p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
  if (!p->md) {
    pcre2_code_free(p->code);
    free(p->src);
    snprintf(msg, msglen, "out of memory");
    return -1;
  }
  if (!utf) sx_filt_add(g, g->n, pat, len, (flags & SX_GREP_FIXED) != 0, (flags & SX_GREP_ICASE) != 0);
  else p->filt = -1;
  return g->n++;
#else
  free(p->src);
  snprintf(msg, msglen, "this sxsfix was built without PCRE2: only case-sensitive fixed strings can be searched");
  return -1;
#endif
}

static int find_literal(const sx_pat *p, const char *s, size_t pos, size_t end, size_t *ms) {
  size_t n = p->litlen;
  if (n == 0) { *ms = pos; return 1; }
  if (end < pos || end - pos < n) return 0;
  const char c = p->lit[p->rare];
  const char *at = s + pos + p->rare;
  const char *last = s + end - n + p->rare;  /* the last place c can be */
  while (at <= last) {
    at = memchr(at, c, (size_t)(last - at) + 1);
    if (!at) return 0;
    const char *cand = at - p->rare;
    if (memcmp(cand, p->lit, n) == 0) { *ms = (size_t)(cand - s); return 1; }
    at++;
  }
  return 0;
}

int sx_pat_find(sx_pat *p, const char *subject, size_t pos, size_t end,
                size_t *ms, size_t *me, size_t *ov) {
  if (p->lit) {
    if (!find_literal(p, subject, pos, end, ms)) return 0;
    *me = *ms + p->litlen;
    return 1;
  }
#if SXSFIX_HAVE_PCRE2
  int rc = p->jit
    ? pcre2_jit_match(p->code, (PCRE2_SPTR)subject, end, pos, 0, p->md, NULL)
    : pcre2_match(p->code, (PCRE2_SPTR)subject, end, pos, 0, p->md, NULL);
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc < 0) return rc;  /* a match, depth or heap limit: not "no match" */
  PCRE2_SIZE *v = pcre2_get_ovector_pointer(p->md);
  *ms = v[0];
  *me = v[1];
  uint32_t npairs = pcre2_get_ovector_count(p->md);
  for (int i = 0; i <= p->ncap; i++) {
    int set = (uint32_t)i < npairs && i < rc && v[2 * i] != PCRE2_UNSET;
    ov[2 * i] = set ? v[2 * i] : (size_t)-1;
    ov[2 * i + 1] = set ? v[2 * i + 1] : (size_t)-1;
  }
  return 1;
#else
  (void)ov;  /* only literals exist without PCRE2 */
  return 0;
#endif
}
