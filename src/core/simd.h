/* simd.h: the grep engine's vector loops, chosen at run time: SSE2 (every
   x86-64 CPU) or AVX2 when the CPU has it, so that one binary (the Windows
   exe too) runs everywhere. Other CPUs get plain C. */
#ifndef SXSFIX_SIMD_H
#define SXSFIX_SIMD_H

#include <stddef.h>
#include <stdint.h>

/* "avx2", "sse2" or "c": what the loops below use on this CPU.
   SXSFIX_SIMD=sse2 or =c in the environment forces a lower level. */
const char *sx_simd_level(void);

/* Tests and fuzzing: use level "c", "sse2" or "avx2" from now on (NULL:
   the best again); -1 when this CPU or build does not have it. */
int sx_simd_force(const char *name);

/* Line ends in p[0..n): LF, CRLF and a CR alone each count once. A CRLF
   split across two calls counts twice: callers split between lines. */
uint64_t sx_count_lines(const char *p, size_t n);

/* Converts the leading UTF-16LE code units of in[0..n) that are ASCII, a
   whole vector at a time, to bytes in out; returns the input bytes used
   (a multiple of 16; out gets half as many). */
size_t sx_u16le_ascii(const unsigned char *in, size_t n, char *out);

/* The literal prefilter: each literal is recognised by two of its bytes
   (its rarest, at fixed offsets from its start), all literals at once;
   a candidate is checked for its whole literal before it is returned. */
#define SX_FILT_MAX 16
typedef struct sx_filt {
  int n;
  unsigned char c1[SX_FILT_MAX], c2[SX_FILT_MAX];  /* the bytes (lower case when folded) */
  unsigned char f1[SX_FILT_MAX], f2[SX_FILT_MAX];  /* 0x20: compare with ASCII case folded */
  size_t o1[SX_FILT_MAX], o2[SX_FILT_MAX];        /* their offsets in the literal */
  size_t reach;         /* the largest offset + 1 */
  int fold;             /* some f1/f2 is not 0 */
  /* With 3 literals or more, AVX2 looks instead for a fingerprint of each
     literal k: its 3 bytes at offset ta[k], all literals at once through
     nibble masks (Teddy): byte j of the fingerprint of literal k has bit
     k % 8 in tlo[j][its low nibble] and thi[j][its high nibble] (both
     cases of a folded letter). */
  int teddy;
  size_t ta[SX_FILT_MAX];
  unsigned char tlo[3][16], thi[3][16];
  /* the literals themselves (owned by the patterns), for the check */
  const unsigned char *lit[SX_FILT_MAX];
  size_t litlen[SX_FILT_MAX];
  unsigned char icase[SX_FILT_MAX];  /* lit is lower case; compare folded */
} sx_filt;

/* Where some literal k lies whole in p[0..end), found from pos on: its
   start s (s + litlen[k] <= end), or end when there is none. Without
   teddy, s >= pos and it is the first such place; with AVX2 and teddy it
   is the literal of the first fingerprint at or after pos (s >= pos -
   ta[k]): a literal starting before it then covers s. Callers pass a line
   start as pos, so a literal (which never holds a line end) found is in
   the line of s. */
size_t sx_filt_next(const sx_filt *f, const char *p, size_t pos, size_t end);

#endif
