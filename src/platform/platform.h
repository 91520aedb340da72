/*
** platform.h: the one interface between sxsfix and the operating system.
** src/platform/posix/ and src/platform/win32/ implement it; CMake picks one.
** No other file includes an OS header.
**
** Conventions:
**  - Every string is UTF-8, every path is UTF-8; the Windows side converts
**    to UTF-16 at this boundary and adds \\?\ to absolute paths.
**  - A function that can fail returns 0 on success and -1 on failure, and
**    fills a plat_err: the OS error code (errno, or the Win32 error code)
**    and "path: message" text (strerror, or FormatMessageW on Windows).
*/
#ifndef SXSFIX_PLATFORM_H
#define SXSFIX_PLATFORM_H

#include <stddef.h>

typedef struct plat_err {
  int code;        /* errno on POSIX, GetLastError() on Windows */
  char msg[768];   /* "path: message" */
} plat_err;

/* Process start: on Windows rebuilds argv as UTF-8 from the wide command
   line and sets the console to UTF-8. argv stays valid until exit. */
int plat_init(int *argc, char ***argv);

/* "posix" or "win32". */
const char *plat_name(void);

/* Wine's version when running under Wine, otherwise NULL. */
const char *plat_wine_version(void);

/* Text of an OS error code, without trailing newline or period. */
void plat_strerror(int code, char *buf, size_t len);

/* Fill e with code and "what: <text of code>". Always returns -1. */
int plat_fail(plat_err *e, const char *what, int code);

/* Environment variable as a malloc'd UTF-8 string, or NULL when unset. */
char *plat_getenv(const char *name);

/* Whole file into a malloc'd buffer (NUL-terminated for convenience). */
int plat_read_file(const char *path, char **data, size_t *len, plat_err *e);

/* Write a file atomically: a temporary name in the same folder, flushed,
   then renamed over path. A failure leaves no partial file under path. */
int plat_write_file(const char *path, const void *data, size_t len, plat_err *e);

/* Create a folder and its missing parents (mkdir -p). */
int plat_mkdirs(const char *path, plat_err *e);

/* Create a new, empty, uniquely named folder in the system's temporary
   folder; its path (UTF-8) is written to buf. */
int plat_mkdtemp(const char *prefix, char *buf, size_t len, plat_err *e);

/* Delete a file, or an empty folder. */
int plat_remove(const char *path, plat_err *e);

/* Delete path and, when it is a folder, everything under it. Symbolic
   links and junctions are removed, never followed. A missing path is
   not an error. */
int plat_remove_tree(const char *path, plat_err *e);

/* 1 if path is an existing folder, else 0. */
int plat_is_dir(const char *path);

/* Folder separator preferred by this platform: '/' or '\\'. */
char plat_sep(void);

#endif
