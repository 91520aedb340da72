/* grep_int.h: what the files of the grep engine share (not an interface). */
#ifndef SXSFIX_GREP_INT_H
#define SXSFIX_GREP_INT_H

#include "config.h"
#include "core/grep.h"
#include "core/simd.h"
#include "core/textdec.h"

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
  size_t maxline;       /* a longer line is searched in parts (SX_GREP_MAXLINE) */
  size_t overlap;       /* bytes the parts of a long line share: the longest literal, at least 4 KiB */
  uint64_t split;       /* the smallest part of a file searched in parts */
  sx_filt filt;         /* the prefilter of the patterns with a literal */
  int filt_pat[SX_FILT_MAX];
  int use_filt;
};

/* grepfilt.c */
int sx_commonness(unsigned char c);
void sx_filt_add(sx_grep *g, int i, const char *pat, size_t len, int fixed, int icase);
long sx_filt_find(const sx_pat *p, const char *s, size_t n);
/* Chooses each literal's Teddy fingerprint again by how often its 3-byte
   sequences occur in sample[0..n) (the start of the text to search): on
   real CBS lines a literal's rarest letters are not rare. */
void sx_filt_tune(sx_filt *f, const char *sample, size_t n);

/* grepsrc.c: the files path names, in the order sx_grep_path searches
   them: the path itself, or for a wildcard the folder's matching entries
   (*listed = 1: each is checked again when searched, and a folder is left
   out). Failures to list the folder go to s. A malloc'd array of malloc'd
   strings, *n of them (NULL when none). */
char **sx_grep_expand(const char *path, size_t *n, int *listed, const sx_grep_sink *s);
/* 1 when path is searched as a .cab (by its name). */
int sx_grep_is_cab(const char *path);
/* Searches one file of sx_grep_expand's list. 1 when the sink stopped it. */
int sx_grep_file(sx_grep *g, const char *path, int listed, const sx_grep_opts *o, const sx_grep_sink *s);

/* grepscan.c: sx_grep_stream for one part of a file split at line ends
   (grepsplit.c). The first part (detect = 1) detects the encoding into
   part->enc; the others scan bytes (a BOM is text) and report part->enc.
   Lines are numbered from 1 in each part; at the end, unless in count
   mode, part->lines is the number of line ends read. */
typedef struct sx_part { int detect; sx_enc enc; uint64_t lines; } sx_part;
int sx_grep_part(sx_grep *g, const char *name, sx_grep_reader rd, void *src,
                 const sx_grep_opts *o, const sx_grep_sink *s, sx_part *part);

/* grepmany.c: what a search on a worker thread found, recorded to be
   replayed in order on the caller's thread. */
enum { SX_EV_MATCH, SX_EV_ERROR, SX_EV_DONE, SX_EV_FAULT, SX_EV_LONGLINE };
typedef struct sx_ev {
  struct sx_ev *next;
  int type;
  char *file;
  plat_err e;
  uint64_t n;
  sx_grep_match m;      /* its strings and arrays owned by the record */
} sx_ev;
typedef struct sx_rec { sx_ev *head, **tail; int nomem; } sx_rec;
/* The sink callbacks that record into the sx_rec at ud. */
int sx_rec_match(void *ud, const sx_grep_match *m);
void sx_rec_error(void *ud, const char *file, const plat_err *e);
void sx_rec_done(void *ud, const char *file, uint64_t n);
void sx_rec_fault(void *ud, const sx_grep_match *m, const plat_err *e);
void sx_rec_longline(void *ud, const char *file, uint64_t line, size_t limit);  /* (n, m.len) */
/* Gives one record to the sink (unless *stopped; a match the sink stops
   at sets it) and frees it. */
void sx_replay(sx_ev *v, const sx_grep_sink *s, int *stopped);
void sx_free_rec(sx_rec *r);
/* A copy of g sharing its compiled patterns, with its own match data
   (for a worker); NULL when out of memory. */
sx_grep *sx_grep_clone(const sx_grep *g);
void sx_grep_free_clone(sx_grep *c);

/* grepsplit.c: searches one big 8-bit file in parts on up to threads
   threads (see sx_grep_paths); -1 when it is not split (too small, a
   .cab, UTF-16, context lines or max_count asked for): the caller
   searches it whole. Otherwise 0, or 1 when the sink stopped it. */
int sx_grep_split(sx_grep *g, const char *path, int threads, const sx_grep_opts *o, const sx_grep_sink *s);

/* First match of pattern p in subject[0..end) starting at or after pos:
   1 with [*ms, *me) and, for regexes, the capture offsets in ov
   (2 * (ncap + 1) entries); 0 when there is none; a negative PCRE2 error
   code when the search could not be completed (a resource limit). */
int sx_pat_find(sx_pat *p, const char *subject, size_t pos, size_t end,
                size_t *ms, size_t *me, size_t *ov);

#endif
