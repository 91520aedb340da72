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

/* What kind of failure a plat_err is, apart from its code (as libgit2's
   error classes): the exit code follows the class, in one place (the
   host's exit table), while the code says which failure it was. */
typedef enum plat_errclass {
  PLAT_EC_OS = 0,      /* the OS refused: code is errno / the Win32 error */
  PLAT_EC_INPUT,       /* bad input: a damaged, hostile or unexpected file or
                          record; code is the engine's (SX_EXP_*...) or EINVAL's */
  PLAT_EC_RESOURCE,    /* out of memory or disk space, a resource limit */
  PLAT_EC_INTERNAL     /* a feature this build lacks, a bug */
} plat_errclass;

typedef struct plat_err {
  int code;            /* errno on POSIX, GetLastError() on Windows; an engine's own code otherwise */
  plat_errclass cls;
  char msg[768];       /* "path: message" */
} plat_err;

/* Process start, the one place that changes process-wide state: on Windows
   rebuilds argv as UTF-8 from the wide command line and sets the console
   to UTF-8 (argv stays valid until exit); on POSIX makes the C library's
   character set (LC_CTYPE) UTF-8, through which libarchive converts entry
   names. Engines change no process state; a program or test that reads
   archives calls this first. */
int plat_init(int *argc, char ***argv);

/* 1 when standard stream fd (0, 1, 2) is a terminal or console. */
int plat_isatty(int fd);

/* "posix" or "win32". */
const char *plat_name(void);

/* Wine's version when running under Wine, otherwise NULL. */
const char *plat_wine_version(void);

/* The computer's name, UTF-8, into buf: the NetBIOS name on Windows
   (GetComputerNameExW), the host name on POSIX. */
int plat_computer_name(char *buf, size_t len, plat_err *e);

/* Milliseconds from a monotonic clock, for durations (not a date). */
uint64_t plat_clock_ms(void);

/* Event levels of plat_event_write. */
enum { PLAT_EVENT_INFO = 0, PLAT_EVENT_WARNING = 1, PLAT_EVENT_ERROR = 2 };

/* Write one event with text to the system event log under source: on
   Windows the Application log (ReportEventW). When the source is not yet
   registered and the process may write HKLM, it is registered first, with
   EventCreate.exe's message table (ids 1..1000 show the text as is); *registered
   says whether this call registered it. Returns 1 written, 0 when the
   platform has no such log (POSIX), -1 on failure with e. */
int plat_event_write(const char *source, int level, unsigned id, const char *text,
                     int *registered, plat_err *e);

/* Text of an OS error code, without trailing newline or period. */
void plat_strerror(int code, char *buf, size_t len);

/* Fill e with the OS code and "what: <text of code>": class
   PLAT_EC_RESOURCE for out of memory or disk space, else PLAT_EC_OS.
   Always returns -1. */
int plat_fail(plat_err *e, const char *what, int code);

/* As plat_fail with a message of its own (printf format). Returns -1. */
int plat_failf(plat_err *e, int code, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Fill e with a class, a code and a message of its own. Returns -1. */
int plat_failc(plat_err *e, plat_errclass cls, int code, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 4, 5)))
#endif
  ;

/* The class of an OS code: PLAT_EC_RESOURCE or PLAT_EC_OS. */
plat_errclass plat_errclass_of(int code);

/* "os", "input", "resource" or "internal". */
const char *plat_errclass_name(plat_errclass c);

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

/* Strings in the OS's own form, for a library that takes them (wimlib's
   wimlib_tchar): UTF-16 wchar_t on Windows, UTF-8 char elsewhere. Both
   malloc'd; NULL on invalid input or no memory. Paths are not rewritten. */
void *plat_to_native(const char *utf8);
char *plat_from_native(const void *native);

/* ---- a worker pool (thread.c) ------------------------------------------- */

#define PLAT_MAX_THREADS 8

/* Processors this process may use (1 to 64). */
int plat_cpu_count(void);

/* Runs fn(ud, i) for every i in [0, n) on up to threads threads (the
   caller's among them; at most PLAT_MAX_THREADS) and returns when all
   have run. Which thread runs which i, and when, is not defined: fn must
   keep its results apart by i. A thread that cannot be started only means
   fewer threads. */
void plat_parallel(size_t n, int threads, void (*fn)(void *ud, size_t i), void *ud);

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

/* ---- not-found test and registry (reg.c) ------------------------------ */

/* 1 when an OS error code means "no such file or folder" (ENOENT, ENOTDIR;
   ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND). */
int plat_is_notfound(int code);

/* 1 when an OS error code means "access denied" (EACCES, EPERM;
   ERROR_ACCESS_DENIED, ERROR_PRIVILEGE_NOT_HELD). */
int plat_is_denied(int code);

/* One registry key, read whole: its subkey names and its values as stored
   (strings stay UTF-16LE, as in the registry and in hive files). */
typedef struct plat_regvalue {
  char *name;            /* UTF-8; "" for the key's default value */
  uint32_t type;         /* REG_SZ = 1, REG_EXPAND_SZ = 2, REG_BINARY = 3, ... */
  unsigned char *data;
  size_t len;
} plat_regvalue;

typedef struct plat_regkey {
  char **subkeys;        /* UTF-8 names */
  size_t nsubkeys;
  plat_regvalue *values;
  size_t nvalues;
} plat_regkey;

/* Free what a read filled in (the struct itself is the caller's). */
void plat_regkey_free(plat_regkey *k);

/* Read a key of the live registry. hkey is "HKLM", "HKCU", "HKCR", "HKU" or
   "HKCC"; sub is the path below it, '\'-separated ("" for the top). The
   64-bit view is read (KEY_WOW64_64KEY). Returns 1 with *k filled, 0 when
   the key does not exist, -1 on error. POSIX: -1, no live registry. */
int plat_reg_read(const char *hkey, const char *sub, plat_regkey *k, plat_err *e);

/* Set one value of a key of the live registry, creating the key (and the
   keys above it) when missing, in the 64-bit view. str non-NULL: REG_SZ
   (UTF-8 in, UTF-16 stored); NULL: REG_DWORD dword. Each key of sub is
   opened without following registry links, and one that is a link is
   refused. Returns 1, or -1 on error. POSIX: -1, no live registry. */
int plat_reg_write(const char *hkey, const char *sub, const char *name, const char *str,
                   uint32_t dword, plat_err *e);

/* An offline hive file, read-only: RegLoadAppKeyW on Windows, hivex on
   POSIX (NULL and a message in a build without hivex). Key names match
   case-insensitively at least for ASCII; sx_hive_read (core/reg.h) folds
   the others. */
typedef struct plat_hive plat_hive;
plat_hive *plat_hive_open(const char *file, plat_err *e);
/* As plat_reg_read, for the key sub below the hive's root. */
int plat_hive_read(plat_hive *h, const char *sub, plat_regkey *k, plat_err *e);
void plat_hive_close(plat_hive *h);

/* ---- sequential reading in large blocks (rfile.c) -------------------- */

typedef struct plat_rfile plat_rfile;

/* Open a file for reading from start to end (shared read/write/delete on
   Windows, so a log that is still being written can be read). A folder is
   refused. */
plat_rfile *plat_rfile_open(const char *path, plat_err *e);

/* Read up to len bytes: *got = 0 at the end of the file. Retries short
   reads from interrupts itself. */
int plat_rfile_read(plat_rfile *f, void *buf, size_t len, size_t *got, plat_err *e);

/* Its size in bytes now (a log still being written may grow), or -1 with e. */
int64_t plat_rfile_size(plat_rfile *f, plat_err *e);

/* Reading goes on from byte off (parts of a file read by several threads,
   each with its own handle). */
int plat_rfile_seek(plat_rfile *f, uint64_t off, plat_err *e);

/* Close; NULL is fine. */
void plat_rfile_close(plat_rfile *f);

/* ---- privileged copy: file handles, data, metadata (copy.c, meta.c) ---- */

/* An open file. Reads use backup semantics: on Windows FILE_FLAG_BACKUP_SEMANTICS
   (with SeBackupPrivilege enabled, ACLs do not stop an administrator); on
   POSIX root's capabilities do the same. */
typedef struct plat_file plat_file;

enum {
  PLAT_CREATE_NEW = 1,    /* create; fail when the name exists */
  PLAT_OPEN_EXISTING = 2, /* open the existing file in place: same inode /
                             file id, so hard links to it stay; nothing is
                             truncated or unlinked (Windows clears READONLY) */
  PLAT_OPEN_APPEND = 3    /* open or create; every write goes to the end */
};

plat_file *plat_open_read(const char *path, plat_err *e);
plat_file *plat_open_write(const char *path, int how, plat_err *e);

/* Read up to len bytes; *got = 0 at the end of the file. */
int plat_read(plat_file *f, void *buf, size_t len, size_t *got, plat_err *e);
/* Write all of buf at the current position. */
int plat_write(plat_file *f, const void *buf, size_t len, plat_err *e);
/* Set the file's size (used to cut an overwritten file to the new length). */
int plat_truncate(plat_file *f, uint64_t size, plat_err *e);
/* Flush to stable storage (fsync / FlushFileBuffers). */
int plat_sync(plat_file *f, plat_err *e);
/* The n files at paths (in one folder) on disk with their names, in as
   few calls as the platform allows: POSIX one syncfs of their file system
   (FUSE, where only an fsync reaches the daemon: each file fsync'd);
   Windows each file flushed. */
int plat_sync_paths(const char *const *paths, size_t n, plat_err *e);
/* Close; f NULL is fine, e NULL ignores the error. Reports a late write error. */
int plat_close(plat_file *f, plat_err *e);
/* Copy from src's position to its end into dst, in the kernel when it can
   (copy_file_range on Linux); *bytes gets the count copied. */
int plat_copy_data(plat_file *src, plat_file *dst, uint64_t *bytes, plat_err *e);

/* Rename from to to; fails when to exists (never replaces a file). */
int plat_rename_new(const char *from, const char *to, plat_err *e);

/* Portable names for the OS error codes the engines produce or test. */
typedef enum plat_errkind {
  PLAT_E_NOMEM, PLAT_E_NOTDIR, PLAT_E_NOENT, PLAT_E_EXIST, PLAT_E_NOSPC,
  PLAT_E_ACCES, PLAT_E_ROFS, PLAT_E_INVAL,
  PLAT_E_LOOP,    /* a link or reparse point where a file or folder was expected */
  PLAT_E_NOTEMPTY
} plat_errkind;
/* The OS code (errno / Win32) for k. */
int plat_errcode(plat_errkind k);

/* One extended attribute (POSIX: any namespace, opaque bytes) or, on
   Windows, "win32.security" (a self-relative security descriptor with
   owner, group, DACL and, when readable, SACL) or "win32.stream:NAME"
   (the contents of the alternate data stream NAME). */
typedef struct plat_xattr {
  char *name;
  unsigned char *value;
  size_t len;
} plat_xattr;

/* What plat_meta_get/plat_meta_set handle: */
#define PLAT_META_TIMES    1u  /* modification, access (and creation) times, ns */
#define PLAT_META_OWNER    2u  /* POSIX: mode, uid, gid; Windows: attributes */
#define PLAT_META_XATTRS   4u  /* POSIX: xattrs other than ACLs; Windows: streams */
#define PLAT_META_SECURITY 8u  /* POSIX: system.posix_acl_*, system.ntfs_acl;
                                  Windows: the security descriptor */
#define PLAT_META_ALL      15u

typedef struct plat_meta {
  int64_t mtime_ns, atime_ns, btime_ns;  /* btime 0 = unknown / not set */
  uint32_t mode, uid, gid;               /* POSIX */
  uint32_t attrs;                        /* Windows FILE_ATTRIBUTE_* */
  size_t nx;
  plat_xattr *x;                         /* XATTRS and SECURITY entries */
} plat_meta;

/* Read the metadata classes in what (links are not followed). */
int plat_meta_get(const char *path, unsigned what, plat_meta *m, plat_err *e);
/* Apply the classes in what. For XATTRS and SECURITY the file ends with
   exactly m's entries of that class (others of the class are removed).
   POSIX order: owner, mode, xattrs, ACLs, times; Windows: streams,
   descriptor, times, attributes (READONLY) last. */
int plat_meta_set(const char *path, unsigned what, const plat_meta *m, plat_err *e);
void plat_meta_free(plat_meta *m);
/* 1 when an entry name belongs to the SECURITY class. */
int plat_meta_is_security(const char *name);
/* The name of the entry that is the NT security descriptor itself:
   "system.ntfs_acl" on POSIX (ntfs-3g), "win32.security" on Windows. */
const char *plat_meta_ntsd_name(void);

/* Backup/restore privileges for the duration of a copy. Windows: enables
   SeBackupPrivilege, SeRestorePrivilege and SeSecurityPrivilege and fails
   with a clear message when the process is not elevated; POSIX: reports
   whether the process is root (owner and trusted.* need it), never fails. */
typedef struct plat_priv {
  int elevated;           /* 1 when the privileges are held */
  unsigned char saved[64];/* previous token state (Windows) */
  unsigned long savedlen;
} plat_priv;
int plat_privileges_enable(plat_priv *p, plat_err *e);
void plat_privileges_restore(plat_priv *p);

/* ---- streamed files for archive expansion (stream.c) ------------------ */

/* A file being written: the data goes to a new temporary name beside path
   (created exclusively, never through an existing link), and becomes path
   only at plat_out_commit. An aborted or failed file leaves nothing behind. */
typedef struct plat_out plat_out;

/* tmpdir: NULL, or a folder on path's volume that may hold the temporary
   file. Windows uses it: Wine finds a name not yet in a folder by reading
   the whole folder, so a temporary beside path in a large folder costs a
   second read of it per file. POSIX keeps the temporary beside path. */
plat_out *plat_out_create(const char *path, const char *tmpdir, plat_err *e);
int plat_out_write(plat_out *o, const void *data, size_t len, plat_err *e);

/* Set the modification time (unless mtime_ns is PLAT_NO_TIME), rename the
   file to path and close it. With replace, a file (or a link itself, never
   followed) already at path is replaced; without, an existing path fails
   with plat_errcode(PLAT_E_EXIST) and nothing is replaced. Windows renames
   through the open handle (SetFileInformationByHandle), so no name is
   looked up again. Frees o whatever the outcome; on failure the temporary
   file is removed. No flush: a crash may leave a short file, which a
   repair's verification catches (expand is re-run from the update). */
#define PLAT_NO_TIME INT64_MIN
int plat_out_commit(plat_out *o, int64_t mtime_ns, int replace, plat_err *e);

/* Close and delete the temporary file; frees o. NULL is fine. */
void plat_out_abort(plat_out *o);

/* Rename a file or folder, replacing a file already at to. */
int plat_rename(const char *from, const char *to, plat_err *e);

/* Bytes available to this user on the volume holding path. */
int plat_free_space(const char *path, uint64_t *bytes, plat_err *e);

/* Fault injection for tests: plat_free_space reports bytes from now on
   (a negative value restores the real answer). */
void plat_fault_free_space(int64_t bytes);

/* The volume holding path (which must exist): its mount point (POSIX: the
   topmost folder above path on the same device) or its root ("C:\\"),
   written to buf; *readonly: 1 when the volume is mounted read-only. */
int plat_volume_of(const char *path, char *buf, size_t len, int *readonly, plat_err *e);

/* ---- files in use on a live Windows (live.c) ------------------------------- */

/* 1 when code means another process holds the file open or mapped
   (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION, ERROR_USER_MAPPED_FILE);
   POSIX: never (0). */
int plat_is_in_use(int code);

/* Schedule from (a complete file next to to) to replace to at the next
   boot: MoveFileExW(MOVEFILE_DELAY_UNTIL_REBOOT|MOVEFILE_REPLACE_EXISTING),
   an entry of PendingFileRenameOperations (needs administrators).
   POSIX: fails (ENOTSUP), there is no such thing. */
int plat_replace_at_boot(const char *from, const char *to, plat_err *e);

/* Remove the entry from -> to from PendingFileRenameOperations (rollback).
   *found is 1 when it was there. POSIX: *found = 0, success. */
int plat_cancel_at_boot(const char *from, const char *to, int *found, plat_err *e);
/* As plat_cancel_at_boot, changing nothing: *found is 1 when the entry is
   there (the replacement is still to come). */
int plat_query_at_boot(const char *from, const char *to, int *found, plat_err *e);

/* ---- services on a live Windows (service.c) -------------------------------- */

typedef enum plat_svc_state {
  PLAT_SVC_ABSENT = 0,  /* no such service (always on POSIX) */
  PLAT_SVC_STOPPED,
  PLAT_SVC_RUNNING,
  PLAT_SVC_PENDING,     /* starting, stopping, pausing or continuing */
  PLAT_SVC_PAUSED
} plat_svc_state;

/* The state of the service name (its key name, e.g. "TrustedInstaller")
   through the Service Control Manager (QueryServiceStatusEx). */
int plat_service_state(const char *name, plat_svc_state *state, plat_err *e);

/* Stop the service (ControlService SERVICE_CONTROL_STOP) and wait until
   it has stopped, polling QueryServiceStatusEx at a tenth of its
   dwWaitHint (0.1 to 1 s), for at most max_ms in all; a service that
   stays stop-pending longer fails with ERROR_SERVICE_REQUEST_TIMEOUT and
   the name. A stopped service is success. POSIX: fails (ENOTSUP). */
int plat_service_stop(const char *name, unsigned max_ms, plat_err *e);

/* Start the service (StartServiceW) and wait, as plat_service_stop, until
   it runs. A running service is success. POSIX: fails (ENOTSUP). */
int plat_service_start(const char *name, unsigned max_ms, plat_err *e);

/* ---- tree work on folder handles (dirh.c) ----------------------------- */

/* An open folder. Work below it names one entry at a time, relative to the
   handle, so no folder on the way is ever looked up by path again once the
   walk has opened it. A link, junction or any reparse point met as an entry
   is refused (ELOOP / ERROR_CANT_ACCESS_FILE, "a link: not followed"),
   never followed.
   POSIX: O_PATH|O_DIRECTORY|O_NOFOLLOW descriptors and the *at calls;
   metadata through /proc/self/fd. Windows: a handle opened with
   FILE_FLAG_BACKUP_SEMANTICS|FILE_FLAG_OPEN_REPARSE_POINT and without
   FILE_SHARE_DELETE, so the folder can be neither renamed nor replaced by
   a junction while it is held; each entry is opened with
   FILE_FLAG_OPEN_REPARSE_POINT and refused when it is a reparse point, and
   the final path of every opened folder is checked to be its parent's
   path plus its name (GetFinalPathNameByHandleW). */
typedef struct plat_dirh plat_dirh;

/* Open the folder path; its last component must be a folder, not a link. */
plat_dirh *plat_dirh_open(const char *path, plat_err *e);
/* Open the subfolder name (one component) of d. */
plat_dirh *plat_dirh_sub(plat_dirh *d, const char *name, plat_err *e);
/* The path d was opened as (for messages and path-based reads). */
const char *plat_dirh_path(const plat_dirh *d);
/* Close; NULL is fine. */
void plat_dirh_close(plat_dirh *d);

/* Status of the entry name of d (name NULL: d itself); links are
   described, not followed. */
int plat_dirh_stat(plat_dirh *d, const char *name, plat_info *st, plat_err *e);
/* Create the folder name in d, private to the caller (0700 / inherited
   security) until its metadata is set; fails when the name exists. */
int plat_dirh_mkdir(plat_dirh *d, const char *name, plat_err *e);
/* Open the file name in d: how is 0 (read), PLAT_CREATE_NEW or
   PLAT_OPEN_EXISTING (read and write in place). A link, a folder or a
   device is refused. Windows: opened without FILE_SHARE_DELETE, so the
   name cannot be moved or replaced while the file is open. */
plat_file *plat_dirh_open_file(plat_dirh *d, const char *name, int how, plat_err *e);
/* Rename from to to, both entries of d; fails when to exists. */
int plat_dirh_rename_new(plat_dirh *d, const char *from, const char *to, plat_err *e);
/* Delete the file, link or empty folder name of d (a link itself). */
int plat_dirh_remove(plat_dirh *d, const char *name, plat_err *e);
/* plat_meta_get/plat_meta_set on the entry name of d (name NULL: d itself).
   A link is refused. */
int plat_dirh_meta_get(plat_dirh *d, const char *name, unsigned what, plat_meta *m, plat_err *e);
int plat_dirh_meta_set(plat_dirh *d, const char *name, unsigned what, const plat_meta *m, plat_err *e);
/* The time precision of d's file system in ns: 1 (ext4, xfs, btrfs...),
   100 (NTFS, ntfs-3g, ntfs3), 10 ms (exFAT), 2 s (FAT). */
int64_t plat_dirh_time_precision(plat_dirh *d);

/* Status of an open file. */
int plat_fstat(plat_file *f, plat_info *st, plat_err *e);
/* plat_meta_get/plat_meta_set on an open file (the object itself, whatever
   its name now points to). */
int plat_fmeta_get(plat_file *f, unsigned what, plat_meta *m, plat_err *e);
int plat_fmeta_set(plat_file *f, unsigned what, const plat_meta *m, plat_err *e);
/* Move back to the start of the file. */
int plat_rewind(plat_file *f, plat_err *e);

/* Make path a symbolic link to target (a folder link on Windows). Tests
   use it to play an attacker; the engines never make links. */
int plat_symlink(const char *target, const char *path, plat_err *e);

/* ---- folders private to the administrators (private.c) ---------------- */

/* Create path as a new folder private to the administrators: POSIX mode
   0700 owned by the caller (root when elevated), no ACL; Windows a
   protected DACL granting SYSTEM and Administrators full control, nothing
   inherited, owner Administrators. Missing parents are created normally.
   Fails with plat_errcode(PLAT_E_EXIST) when path exists. */
int plat_mkdir_private(const char *path, plat_err *e);

/* 0 when path (a file or folder; a link is refused, never followed) is
   owned by root (or the calling user) / Administrators, SYSTEM or
   TrustedInstaller, and no one else may write it: POSIX no group/other
   write bit and no ACL entry granting write to another user or group;
   Windows no ACE granting write to a SID other than SYSTEM,
   Administrators, TrustedInstaller or CREATOR OWNER. Otherwise -1 and a
   one-line "path: why; what to do" in e. */
int plat_check_private(const char *path, plat_err *e);

/* As plat_check_private for a folder on the way to something private:
   only what lets someone else rename or replace its entries counts (POSIX:
   a group/other write bit on a folder that is not sticky; Windows: an ACE
   granting delete, delete-child, WRITE_DAC or WRITE_OWNER). */
int plat_check_parent(const char *path, plat_err *e);

/* The absolute path of what path names once every link, junction and
   mount point on the way is followed (realpath; GetFinalPathNameByHandleW
   without the \\?\ prefix), malloc'd in *out. Fails when it does not
   exist (a dangling link). */
int plat_realpath(const char *path, char **out, plat_err *e);

/* ---- signatures and digests (trust.c) --------------------------------- */

/* The verdict on one file. Each status but OK names a reason for refusal. */
typedef enum plat_sigstatus {
  SX_SIG_OK = 0,
  SX_SIG_UNSIGNED,     /* no signature, or its area is cut off */
  SX_SIG_DIGEST,       /* digest mismatch: the content changed after signing */
  SX_SIG_BADSIG,       /* the PKCS#7 signature does not verify */
  SX_SIG_UNTRUSTED,    /* the chain ends at no trust anchor */
  SX_SIG_CHAIN,        /* the chain is invalid otherwise (expired, bad signature) */
  SX_SIG_USAGE,        /* the signer is not allowed for code signing */
  SX_SIG_TIMESTAMP,    /* bad timestamp */
  SX_SIG_BADINPUT      /* not a cabinet, or a damaged one */
} plat_sigstatus;

#define SX_SIG_MAXCHAIN 8

typedef struct plat_sig {
  plat_sigstatus status;
  char reason[512];                 /* one line: why status is not OK */
  char signer[512];                 /* the signer's subject (RFC 2253) */
  char chain[SX_SIG_MAXCHAIN][512]; /* subjects, signer first, anchor last */
  int nchain;
  char anchor[512];                 /* the trust anchor's subject */
  char anchor_sha256[65];           /* its SHA-256 fingerprint, hex */
  char digest[16];                  /* "sha1", "sha256", ... */
  int64_t signed_at;                /* the timestamp's time (Unix), or -1 */
  char ts_kind[16];                 /* "rfc3161", "pkcs9" or "" */
  char ts_signer[512];              /* the timestamp authority's subject */
  /* Windows: the digest the signature's SpcIndirectDataContent holds, which
     sxsfix compares with the cabinet's own (Wine's WinVerifyTrust does
     not); signed_digest_alg "sha1"/"sha256", or the OID of another. */
  unsigned char signed_digest[64];
  size_t signed_digest_len;
  char signed_digest_alg[64];
} plat_sig;

/* Windows: verify the Authenticode signature of path through the system
   (WinVerifyTrust, WINTRUST_ACTION_GENERIC_VERIFY_V2, no revocation check)
   and report the signer (CryptQueryObject). A chain that ends at an
   untrusted root is accepted when that root is one of the PEM certificates
   in extra_pem. Returns 0 with out filled, -1 on error. POSIX: -1, the
   system has no Authenticode verifier. */
int plat_trust_verify(const char *path, const char *extra_pem, size_t len, plat_sig *out, plat_err *e);

/* A digest through the system's provider (Windows: CryptoAPI); alg is
   "sha1" or "sha256". POSIX: NULL (OpenSSL provides digests there). */
typedef struct plat_digest plat_digest;
plat_digest *plat_digest_new(const char *alg, plat_err *e);
int plat_digest_update(plat_digest *d, const void *p, size_t n, plat_err *e);
/* Write the digest to out (32 bytes at most) and free d; *n is its length. */
int plat_digest_final(plat_digest *d, unsigned char *out, size_t *n, plat_err *e);

#endif
