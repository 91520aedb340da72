/* grep_int.h: what the files of the grep engine share (not an interface). */
#ifndef SXSFIX_GREP_INT_H
#define SXSFIX_GREP_INT_H

#include "config.h"
#include "core/grep.h"
#include "core/simd.h"

#if SXSFIX_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

typedef struct sx_pat {
  char *src;            /* the pattern as given (for messages) */
  char *lit;            /* fixed, case-sensitive: the literal (else NULL) */
  size_t litlen, rare;  /* rare: index of the byte memchr looks for */
#if SXSFIX_HAVE_PCRE2
  pcre2_code *code;
  pcre2_match_data *md;
  int jit;
#endif
  int ncap;
  int filt;             /* its index in the prefilter, or -1 */
  char *req;            /* the required literal (lower case when req_icase) */
  size_t reqlen;
  int req_icase, direct;  /* direct: the literal's first place is the match */
} sx_pat;

struct sx_grep {
  sx_pat *pat;
  int n, cap;
  size_t block;
  sx_filt filt;         /* the prefilter of the patterns with a literal */
  int filt_pat[SX_FILT_MAX];
  int use_filt;
};

/* grepfilt.c */
int sx_commonness(unsigned char c);
void sx_filt_add(sx_grep *g, int i, const char *pat, size_t len, int fixed, int icase);
long sx_filt_find(const sx_pat *p, const char *s, size_t n);
/* 1 when, for the candidate s of sx_filt_next, the literal of some
   prefiltered pattern is in w[lo..to): at s, or at its fingerprint's
   place before s. */
int sx_filt_at(const sx_grep *g, const char *w, size_t lo, size_t s, size_t to);

/* grepsrc.c: the files path names, in the order sx_grep_path searches
   them: the path itself, or for a wildcard the folder's matching entries
   (*listed = 1: each is checked again when searched, and a folder is left
   out). Failures to list the folder go to s. A malloc'd array of malloc'd
   strings, *n of them (NULL when none). */
char **sx_grep_expand(const char *path, size_t *n, int *listed, const sx_grep_sink *s);
/* Searches one file of sx_grep_expand's list. 1 when the sink stopped it. */
int sx_grep_file(sx_grep *g, const char *path, int listed, const sx_grep_opts *o, const sx_grep_sink *s);

/* First match of pattern p in subject[0..end) starting at or after pos:
   1 with [*ms, *me) and, for regexes, the capture offsets in ov
   (2 * (ncap + 1) entries); 0 when there is none; a negative PCRE2 error
   code when the search could not be completed (a resource limit). */
int sx_pat_find(sx_pat *p, const char *subject, size_t pos, size_t end,
                size_t *ms, size_t *me, size_t *ov);

#endif
