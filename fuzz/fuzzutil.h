/* fuzzutil.h: helpers shared by the libFuzzer targets (Linux only). A
   target aborts (FZ_CHECK) when a property of the code under test breaks,
   so libFuzzer reports it as a crash with the input that caused it. */
#ifndef SXSFIX_FUZZUTIL_H
#define SXSFIX_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FZ_CHECK(cond, ...) do { if (!(cond)) { \
  fprintf(stderr, "fuzz: property broken: %s: ", #cond); \
  fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

/* A private temporary folder made on first use (removed at exit). */
const char *fz_tmpdir(void);

/* data[0..n) as a malloc'd NUL-terminated string (cut at the first NUL). */
char *fz_cstr(const uint8_t *data, size_t n);

/* Write data to path (replacing it); aborts on failure. */
void fz_write(const char *path, const void *data, size_t n);

/* "a/b" malloc'd. */
char *fz_join(const char *a, const char *b);

/* Abort unless folder dir holds exactly the names given (NULL-ended). */
void fz_only(const char *dir, ...);

/* Remove a tree (no error when absent). */
void fz_rmtree(const char *path);

/* A small tree under root (created) from the input bytes at *data, *n of them (consumed):
   folders and files with a few names, so that two trees overlap, various
   contents, modes, times and a user xattr. */
void fz_tree(const char *root, const uint8_t **data, size_t *n);

/* Everything a rollback must restore under root, as text (malloc'd): per
   entry, sorted, its relative name, type, mode, owner, group, modification
   time, size, contents' hash and xattrs; for root itself too. */
char *fz_snapshot(const char *root);

#endif
