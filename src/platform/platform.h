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
#include <stdint.h>

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

/* ---- directories and file status (dir.c) ------------------------------ */

typedef enum plat_type {
  PLAT_UNKNOWN = 0,
  PLAT_FILE,
  PLAT_DIR,
  PLAT_LINK,    /* a symbolic link, or on Windows any reparse point (junction...) */
  PLAT_OTHER    /* device, fifo, socket */
} plat_type;

typedef struct plat_dirent {
  const char *name;   /* UTF-8; valid until the next plat_dir_next or close */
  plat_type type;     /* from the folder entry itself, without a stat */
} plat_dirent;

typedef struct plat_dir plat_dir;

/* Open a folder for enumeration ("." and ".." are never returned).
   Windows: FindFirstFileExW with a large fetch; POSIX: readdir (getdents). */
plat_dir *plat_dir_open(const char *path, plat_err *e);

/* Next entry: 1 and *ent filled, 0 at the end, -1 on error. */
int plat_dir_next(plat_dir *d, plat_dirent *ent, plat_err *e);

/* Close; NULL is fine. */
void plat_dir_close(plat_dir *d);

typedef struct plat_info {
  plat_type type;
  uint64_t size;
  int64_t mtime_ns;   /* times in nanoseconds since 1970-01-01 UTC */
  int64_t atime_ns;
  int64_t ctime_ns;   /* POSIX: status change; Windows: change time (0 when unknown) */
  int64_t btime_ns;   /* creation (birth) time; 0 when unknown */
  uint32_t nlink;     /* hard links; 0 when unknown */
  uint32_t mode;      /* POSIX st_mode; 0 on Windows */
  uint32_t attrs;     /* Windows FILE_ATTRIBUTE_* bits; 0 on POSIX */
  uint64_t dev, ino;  /* identity: st_dev/st_ino, or volume serial/file index */
} plat_info;

/* Status of path. follow = 0 describes a link itself (lstat,
   FILE_FLAG_OPEN_REPARSE_POINT); follow = 1 describes its target. */
int plat_stat(const char *path, int follow, plat_info *st, plat_err *e);

/* ---- streamed files for archive expansion (stream.c) ------------------ */

/* A file being written: the data goes to a new temporary name beside path
   (created exclusively, never through an existing link), and becomes path
   only at plat_out_commit. An aborted or failed file leaves nothing behind. */
typedef struct plat_out plat_out;

plat_out *plat_out_create(const char *path, plat_err *e);
int plat_out_write(plat_out *o, const void *data, size_t len, plat_err *e);

/* Flush, set the modification time (unless mtime_ns is PLAT_NO_TIME), close
   and rename over path (replacing a file, or a link itself, already there).
   Frees o whatever the outcome; on failure the temporary file is removed. */
#define PLAT_NO_TIME INT64_MIN
int plat_out_commit(plat_out *o, int64_t mtime_ns, plat_err *e);

/* Close and delete the temporary file; frees o. NULL is fine. */
void plat_out_abort(plat_out *o);

/* A file read sequentially. */
typedef struct plat_in plat_in;
plat_in *plat_in_open(const char *path, plat_err *e);
/* Up to len bytes into buf: the count (0 at the end), or -1 on error. */
int64_t plat_in_read(plat_in *in, void *buf, size_t len, plat_err *e);
void plat_in_close(plat_in *in);   /* NULL is fine */

/* Rename a file or folder, replacing a file already at to. */
int plat_rename(const char *from, const char *to, plat_err *e);

/* Bytes available to this user on the volume holding path. */
int plat_free_space(const char *path, uint64_t *bytes, plat_err *e);

/* Fault injection for tests: plat_free_space reports bytes from now on
   (a negative value restores the real answer). */
void plat_fault_free_space(int64_t bytes);

#endif
