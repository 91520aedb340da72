/*
** grep.h: search text files for a set of patterns in one pass.
**
** A pattern set holds regular expressions (PCRE2, JIT-compiled once) and
** fixed strings. A search reads each file in large blocks, decodes UTF-16
** to UTF-8 on the way, and runs a literal prefilter (grepfilt.c) over each
** block of whole lines for the patterns that have a required literal:
** those run on candidate lines only; the others run over the whole block.
** Line numbers are counted per block, never line by line. Matches are line-based as in grep: a match
** never spans a line end (CR, LF, CRLF, mixed), and each pattern reports a
** line at most once. Paths may name .cab members ("x.cab:member") and
** wildcards in their last component (case-insensitive, as on Windows).
*/
#ifndef SXSFIX_GREP_H
#define SXSFIX_GREP_H

#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

typedef struct sx_grep sx_grep;

enum { SX_GREP_FIXED = 1, SX_GREP_ICASE = 2 };

sx_grep *sx_grep_new(void);
void sx_grep_free(sx_grep *g);

/* Add a pattern (flags: SX_GREP_*). Returns its index (0, 1, ...), or -1
   with the reason in msg and the offset in the pattern in *offset. */
int sx_grep_add(sx_grep *g, const char *pat, size_t len, int flags,
                char *msg, size_t msglen, size_t *offset);

int sx_grep_count(const sx_grep *g);

/* The text of pattern i, as given to sx_grep_add (NUL-terminated). */
const char *sx_grep_pattern(const sx_grep *g, int i);

/* The literal prefilter (on by default; SXSFIX_PREFILTER=0 in the
   environment turns it off): off, every pattern searches every line. */
void sx_grep_set_prefilter(sx_grep *g, int on);

/* Size of the blocks read from a file (default 256 KiB); tests make it tiny
   to put matches across block boundaries. */
void sx_grep_set_block(sx_grep *g, size_t bytes);

/* A line longer than this (default SX_GREP_MAXLINE) is never held whole:
   it is searched in parts of about that size which overlap by the longest
   literal (at least 4 KiB; a regex match longer than that across a part's
   edge can be missed), its number stays exact, a match on it shows only
   the part it was found in, and longline() says so once per file. */
#define SX_GREP_MAXLINE ((size_t)1 << 20)
void sx_grep_set_maxline(sx_grep *g, size_t bytes);

/* sx_grep_paths searches a single big file in parts, one thread each, of
   this many bytes at least (default 4 MiB); tests make it tiny to put
   matches next to the cuts. */
void sx_grep_set_split(sx_grep *g, uint64_t bytes);

typedef struct sx_grep_opts {
  uint64_t max_count;   /* matches per pattern per file; 0 = no limit */
  int before, after;    /* context lines */
  /* count mode: match() is not called; done() gets the number of lines
     some pattern matched (a line counts once, as grep -c and rg -c count),
     at most max_count; lines are not numbered (a fault has line 0) */
  int count_only;
} sx_grep_opts;

typedef struct sx_grep_line {
  uint64_t line;
  const char *text;     /* UTF-8, without its line end */
  size_t len;
} sx_grep_line;

typedef struct sx_grep_match {
  const char *file;     /* the path, or "archive.cab:member" */
  const char *encoding; /* as detected: sx_text_encname */
  uint64_t line;        /* 1-based */
  const char *text;     /* the whole line, UTF-8, without its line end */
  size_t len;
  int pattern;          /* index from sx_grep_add */
  size_t start, end;    /* the match within the line (byte offsets, before decoding) */
  int ncap;             /* capture groups 1..ncap; cap[i] NULL when unset */
  const char **cap;
  const size_t *caplen;
  int nbefore, nafter;
  const sx_grep_line *before, *after;
} sx_grep_match;

/* Where results go. Pointers in a match are valid during the call only. */
typedef struct sx_grep_sink {
  /* a match: return nonzero to stop the whole search */
  int (*match)(void *ud, const sx_grep_match *m);
  /* a file (or member) that could not be searched, or failed part way;
     e->msg names the file */
  void (*error)(void *ud, const char *file, const plat_err *e);
  /* optional: a file (or member) searched to its end, with its match count */
  void (*done)(void *ud, const char *file, uint64_t matches);
  void *ud;
  /* optional: pattern m->pattern could not be run to completion on line
     m->line (a PCRE2 match, depth or heap limit, or a UTF error): that line
     was not fully searched for it, and the search goes on with the next
     line. e->msg names the file, the line and the pattern; e->code is
     PCRE2's (negative) error code. Without this callback, error() gets it. */
  void (*fault)(void *ud, const sx_grep_match *m, const plat_err *e);
  /* optional: line `line` of file (0 in count mode, which numbers no
     lines) is longer than limit bytes: it was searched in parts and a
     match on it is printed cut. Once per file, for its first such line. */
  void (*longline)(void *ud, const char *file, uint64_t line, size_t limit);
} sx_grep_sink;

/* Reads up to len bytes; *got = 0 at the end. */
typedef int (*sx_grep_reader)(void *src, void *buf, size_t len, size_t *got, plat_err *e);

/* Search one stream named name. Returns 0 when done, 1 when the sink
   stopped the search, -1 when reading failed (reported to the sink). */
int sx_grep_stream(sx_grep *g, const char *name, sx_grep_reader rd, void *src,
                   const sx_grep_opts *o, const sx_grep_sink *s);

/* Search a buffer in memory (read in blocks as a file would be). */
int sx_grep_buffer(sx_grep *g, const char *name, const void *data, size_t len,
                   const sx_grep_opts *o, const sx_grep_sink *s);

/* Search a path: a file, a .cab (each member), or a folder with a wildcard
   in its last component (matching files, in name order). Failures are
   reported to the sink and the search goes on. Returns 0, or 1 when the
   sink stopped it. */
int sx_grep_path(sx_grep *g, const char *path, const sx_grep_opts *o, const sx_grep_sink *s);

/* Search several paths as sx_grep_path does, on up to threads threads
   (one file per worker; see plat_parallel; a single big 8-bit file is cut
   at line ends into parts searched on several threads, unless context
   lines or max_count are asked for). The sink sees what a search of
   paths[0], paths[1], ... one after the other would show, in that order,
   from the caller's thread: line numbers and output stay deterministic.
   Returns 0, or 1 when the sink stopped it. */
int sx_grep_paths(sx_grep *g, const char *const *paths, size_t n, int threads,
                  const sx_grep_opts *o, const sx_grep_sink *s);

#endif
