/* simd.c: the grep engine's vector loops (see simd.h). Each loop exists in
   plain C, SSE2 and AVX2; the AVX2 ones are compiled for that target only
   (a function attribute) and called only when the CPU says it has AVX2. */
#include <stdlib.h>
#include <string.h>

#include "core/simd.h"
#include "platform/platform.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#define SX_X86 1
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,popcnt")))
#else
#define SX_X86 0
#endif

enum { LVL_C, LVL_SSE2, LVL_AVX2 };

static int lvl_forced = -1;
static int best_level(void);

static int level(void) {
  static int lvl = -1;
  if (lvl_forced >= 0) return lvl_forced;
  if (lvl >= 0) return lvl;
  int l = best_level();
  char *force = plat_getenv("SXSFIX_SIMD");
  if (force && strcmp(force, "c") == 0) l = LVL_C;
  else if (force && strcmp(force, "sse2") == 0 && l > LVL_SSE2) l = LVL_SSE2;
  free(force);
  lvl = l;
  return lvl;
}

static int best_level(void) {
#if SX_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") ? LVL_AVX2 : LVL_SSE2;
#else
  return LVL_C;
#endif
}

int sx_simd_force(const char *name) {
  static const char *const names[] = { "c", "sse2", "avx2" };
  level();
  if (!name) { lvl_forced = -1; return 0; }
  for (int l = 0; l < 3; l++)
    if (strcmp(name, names[l]) == 0 && l <= best_level()) { lvl_forced = l; return 0; }
  return -1;
}

const char *sx_simd_level(void) {
  static const char *const names[] = { "c", "sse2", "avx2" };
  return names[level()];
}

/* ---- line counting ---- */

static uint64_t lines_c(const char *p, size_t n, int prev_cr) {
  uint64_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\n') { if (!prev_cr) k++; prev_cr = 0; }
    else if (p[i] == '\r') { k++; prev_cr = 1; }
    else prev_cr = 0;
  }
  return k;
}

/* Counts CR + LF - (LF right after a CR), a vector at a time. */
#if SX_X86
static uint64_t lines_sse2(const char *p, size_t n) {
  uint64_t k = 0;
  size_t i = 0;
  unsigned prev_cr = 0;
  const __m128i vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r');
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
    unsigned mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vn));
    unsigned mr = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vr));
    if ((mn | mr) == 0) { prev_cr = 0; continue; }
    k += (uint64_t)__builtin_popcount(mn) + (uint64_t)__builtin_popcount(mr)
       - (uint64_t)__builtin_popcount(((mr << 1) | prev_cr) & mn);
    prev_cr = (mr >> 15) & 1;
  }
  return k + lines_c(p + i, n - i, prev_cr);
}

AVX2 static uint64_t lines_avx2(const char *p, size_t n) {
  uint64_t k = 0;
  size_t i = 0;
  uint64_t prev_cr = 0;
  const __m256i vn = _mm256_set1_epi8('\n'), vr = _mm256_set1_epi8('\r');
  for (; i + 64 <= n; i += 64) {  /* 64 bytes: two vectors, one 64-bit mask */
    __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
    __m256i b = _mm256_loadu_si256((const __m256i *)(p + i + 32));
    __m256i any = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(a, vn), _mm256_cmpeq_epi8(a, vr)),
                                  _mm256_or_si256(_mm256_cmpeq_epi8(b, vn), _mm256_cmpeq_epi8(b, vr)));
    if (_mm256_testz_si256(any, any)) { prev_cr = 0; continue; }
    uint64_t mn = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, vn))
                | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vn)) << 32;
    uint64_t mr = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, vr))
                | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vr)) << 32;
    k += (uint64_t)_mm_popcnt_u64(mn) + (uint64_t)_mm_popcnt_u64(mr)
       - (uint64_t)_mm_popcnt_u64(((mr << 1) | prev_cr) & mn);
    prev_cr = mr >> 63;
  }
  return k + lines_c(p + i, n - i, (int)prev_cr);
}
#endif

uint64_t sx_count_lines(const char *p, size_t n) {
#if SX_X86
  int l = level();
  if (l == LVL_AVX2) return lines_avx2(p, n);
  if (l == LVL_SSE2) return lines_sse2(p, n);
#endif
  return lines_c(p, n, 0);
}

/* ---- UTF-16LE ASCII runs ---- */

#if SX_X86
static size_t u16_sse2(const unsigned char *in, size_t n, char *out) {
  size_t i = 0;
  const __m128i hi = _mm_set1_epi16((short)0xFF80);
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(in + i));
    if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, hi), _mm_setzero_si128())) != 0xFFFF) break;
    _mm_storel_epi64((__m128i *)(out + i / 2), _mm_packus_epi16(v, v));
  }
  return i;
}

AVX2 static size_t u16_avx2(const unsigned char *in, size_t n, char *out) {
  size_t i = 0;
  const __m256i hi = _mm256_set1_epi16((short)0xFF80);
  for (; i + 64 <= n; i += 64) {  /* 32 code units: two vectors packed into one */
    __m256i a = _mm256_loadu_si256((const __m256i *)(in + i));
    __m256i b = _mm256_loadu_si256((const __m256i *)(in + i + 32));
    if (!_mm256_testz_si256(_mm256_or_si256(a, b), hi)) break;
    __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8);  /* lanes back in order */
    _mm256_storeu_si256((__m256i *)(out + i / 2), packed);
  }
  return i + u16_sse2(in + i, n - i, out + i / 2);
}
#endif

size_t sx_u16le_ascii(const unsigned char *in, size_t n, char *out) {
#if SX_X86
  int l = level();
  if (l == LVL_AVX2) return u16_avx2(in, n, out);
  if (l == LVL_SSE2) return u16_sse2(in, n, out);
#endif
  (void)in; (void)n; (void)out;
  return 0;
}

/* ---- the literal prefilter ---- */

static int lit_eq(const sx_filt *f, int k, const unsigned char *s) {
  const unsigned char *q = f->lit[k];
  size_t n = f->litlen[k];
  if (!f->icase[k]) return memcmp(s, q, n) == 0;
  for (size_t i = 0; i < n; i++)
    if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i]) != q[i]) return 0;
  return 1;
}

static int hit_at(const sx_filt *f, int k, const unsigned char *s) {
  return (unsigned char)(s[f->o1[k]] | f->f1[k]) == f->c1[k]
      && (unsigned char)(s[f->o2[k]] | f->f2[k]) == f->c2[k];
}

/* 1 when some literal starts at s, whole within end. */
static int lit_at(const sx_filt *f, const char *p, size_t s, size_t end) {
  const unsigned char *q = (const unsigned char *)p + s;
  for (int k = 0; k < f->n; k++)
    if (s + f->litlen[k] <= end && hit_at(f, k, q) && lit_eq(f, k, q)) return 1;
  return 0;
}

/* Positions too near the end for a vector load: one by one. */
static size_t filt_tail(const sx_filt *f, const char *p, size_t pos, size_t end) {
  for (size_t s = pos; s < end; s++)
    if (lit_at(f, p, s, end)) return s;
  return end;
}

#if SX_X86
/* The candidates of a vector (bit i: position s + i): the first that is
   a literal, or end. */
static size_t check_mask(const sx_filt *f, const char *p, size_t s, unsigned m, size_t end) {
  for (; m; m &= m - 1) {
    size_t c = s + (size_t)__builtin_ctz(m);
    if (lit_at(f, p, c, end)) return c;
  }
  return end;
}

static size_t filt_sse2(const sx_filt *f, const char *p, size_t pos, size_t end) {
  __m128i c1[SX_FILT_MAX], c2[SX_FILT_MAX], f1[SX_FILT_MAX], f2[SX_FILT_MAX];
  for (int k = 0; k < f->n; k++) {
    c1[k] = _mm_set1_epi8((char)f->c1[k]); f1[k] = _mm_set1_epi8((char)f->f1[k]);
    c2[k] = _mm_set1_epi8((char)f->c2[k]); f2[k] = _mm_set1_epi8((char)f->f2[k]);
  }
  size_t s = pos;
  for (; end > f->reach && s + 16 + f->reach <= end + 1 && s + 16 <= end; s += 16) {
    __m128i acc = _mm_setzero_si128();
    for (int k = 0; k < f->n; k++) {
      __m128i a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + s + f->o1[k])), f1[k]);
      __m128i b = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + s + f->o2[k])), f2[k]);
      acc = _mm_or_si128(acc, _mm_and_si128(_mm_cmpeq_epi8(a, c1[k]), _mm_cmpeq_epi8(b, c2[k])));
    }
    unsigned m = (unsigned)_mm_movemask_epi8(acc);
    if (m) {
      size_t c = check_mask(f, p, s, m, end);
      if (c < end) return c;
    }
  }
  return filt_tail(f, p, s, end);
}

/* fold is a constant at each call: without case folding the loop has no
   OR at all. */
AVX2 static inline __attribute__((always_inline))
size_t filt_avx2_loop(const sx_filt *f, const char *p, size_t s, size_t end, int fold) {
  __m256i c1[SX_FILT_MAX], c2[SX_FILT_MAX], f1[SX_FILT_MAX], f2[SX_FILT_MAX];
  for (int k = 0; k < f->n; k++) {
    c1[k] = _mm256_set1_epi8((char)f->c1[k]); f1[k] = _mm256_set1_epi8((char)f->f1[k]);
    c2[k] = _mm256_set1_epi8((char)f->c2[k]); f2[k] = _mm256_set1_epi8((char)f->f2[k]);
  }
  for (; s + 32 + f->reach <= end + 1 && s + 32 <= end; s += 32) {
    __m256i acc = _mm256_setzero_si256();
    for (int k = 0; k < f->n; k++) {
      __m256i a = _mm256_loadu_si256((const __m256i *)(p + s + f->o1[k]));
      __m256i b = _mm256_loadu_si256((const __m256i *)(p + s + f->o2[k]));
      if (fold) { a = _mm256_or_si256(a, f1[k]); b = _mm256_or_si256(b, f2[k]); }
      acc = _mm256_or_si256(acc, _mm256_and_si256(_mm256_cmpeq_epi8(a, c1[k]), _mm256_cmpeq_epi8(b, c2[k])));
    }
    unsigned m = (unsigned)_mm256_movemask_epi8(acc);
    if (m) {
      size_t c = check_mask(f, p, s, m, end);
      if (c < end) return c;
    }
  }
  return filt_tail(f, p, s, end);
}

/* Teddy: the fingerprint's 3 bytes, each looked up by its two nibbles in
   16-byte tables (one shuffle each), 32 positions at a time; a position
   is a candidate when some bucket bit survives all six lookups, and each
   literal of those buckets is then compared where it would start. */
static unsigned teddy_bits(const sx_filt *f, const unsigned char *q) {
  unsigned bits = 0xFF;
  for (int j = 0; j < 3; j++) bits &= (unsigned)f->tlo[j][q[j] & 15] & f->thi[j][q[j] >> 4];
  return bits;
}

/* A fingerprint at c: the start of a literal it belongs to, or end. */
static size_t teddy_check(const sx_filt *f, const char *p, size_t c, size_t end) {
  unsigned bits = teddy_bits(f, (const unsigned char *)p + c);
  for (int k = 0; bits && k < f->n; k++) {
    size_t ta = f->ta[k];
    if (!(bits >> (k & 7) & 1) || c < ta || c - ta + f->litlen[k] > end) continue;
    if (lit_eq(f, k, (const unsigned char *)p + c - ta)) return c - ta;
  }
  return end;
}

static size_t teddy_tail(const sx_filt *f, const char *p, size_t s, size_t end) {
  for (; s + 3 <= end; s++) {
    size_t c = teddy_check(f, p, s, end);
    if (c < end) return c;
  }
  return end;
}

/* The candidate mask of the 32 positions at q (their 3 bytes at q..q+34). */
AVX2 static inline __attribute__((always_inline))
unsigned teddy_mask(const char *q, __m256i nib, const __m256i *lo, const __m256i *hi) {
  __m256i v0 = _mm256_loadu_si256((const __m256i *)q);
  __m256i v1 = _mm256_loadu_si256((const __m256i *)(q + 1));
  __m256i v2 = _mm256_loadu_si256((const __m256i *)(q + 2));
  __m256i r0 = _mm256_and_si256(_mm256_shuffle_epi8(lo[0], _mm256_and_si256(v0, nib)),
                                _mm256_shuffle_epi8(hi[0], _mm256_and_si256(_mm256_srli_epi16(v0, 4), nib)));
  __m256i r1 = _mm256_and_si256(_mm256_shuffle_epi8(lo[1], _mm256_and_si256(v1, nib)),
                                _mm256_shuffle_epi8(hi[1], _mm256_and_si256(_mm256_srli_epi16(v1, 4), nib)));
  __m256i r2 = _mm256_and_si256(_mm256_shuffle_epi8(lo[2], _mm256_and_si256(v2, nib)),
                                _mm256_shuffle_epi8(hi[2], _mm256_and_si256(_mm256_srli_epi16(v2, 4), nib)));
  __m256i r = _mm256_and_si256(r0, _mm256_and_si256(r1, r2));
  return ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(r, _mm256_setzero_si256()));
}

AVX2 static size_t teddy_avx2(const sx_filt *f, const char *p, size_t pos, size_t end) {
  const __m256i nib = _mm256_set1_epi8(0x0F);
  __m256i lo[3], hi[3];
  for (int j = 0; j < 3; j++) {
    lo[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)f->tlo[j]));
    hi[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)f->thi[j]));
  }
  size_t s = pos;
  for (; s + 2 + 64 <= end; s += 64) {  /* 64 positions a round: one branch for both halves */
    unsigned ma = teddy_mask(p + s, nib, lo, hi), mb = teddy_mask(p + s + 32, nib, lo, hi);
    if (!(ma | mb)) continue;
    for (uint64_t m = ma | (uint64_t)mb << 32; m; m &= m - 1) {
      size_t c = teddy_check(f, p, s + (size_t)__builtin_ctzll(m), end);
      if (c < end) return c;
    }
  }
  for (; s + 2 + 32 <= end; s += 32) {
    for (unsigned m = teddy_mask(p + s, nib, lo, hi); m; m &= m - 1) {
      size_t c = teddy_check(f, p, s + (size_t)__builtin_ctz(m), end);
      if (c < end) return c;
    }
  }
  return teddy_tail(f, p, s, end);
}

AVX2 static size_t filt_avx2(const sx_filt *f, const char *p, size_t pos, size_t end) {
  if (f->teddy) return teddy_avx2(f, p, pos, end);
  return f->fold ? filt_avx2_loop(f, p, pos, end, 1) : filt_avx2_loop(f, p, pos, end, 0);
}
#endif

size_t sx_filt_next(const sx_filt *f, const char *p, size_t pos, size_t end) {
  if (f->n == 0 || pos >= end) return end;
#if SX_X86
  int l = level();
  if (l == LVL_AVX2) return filt_avx2(f, p, pos, end);
  if (l == LVL_SSE2) return filt_sse2(f, p, pos, end);
#endif
  return filt_tail(f, p, pos, end);
}
