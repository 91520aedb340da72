/* dirh.c: tree work on folder handles on POSIX: O_PATH|O_DIRECTORY|O_NOFOLLOW
   descriptors, the *at calls relative to them, and metadata through
   /proc/self/fd/N, so a folder once opened is never looked up by path again
   and a link met on the way is refused, never followed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "platform/posix/posix.h"

struct plat_dirh {
  int fd;
  char *path;     /* for messages */
  int norename2;  /* renameat2 RENAME_NOREPLACE refused here (ntfs-3g): not tried
                     again (on FUSE each try costs lookups before it fails) */
};

static char *join(const plat_dirh *d, const char *name) {
  if (!name) return strdup(d->path);
  size_t a = strlen(d->path), b = strlen(name);
  char *s = malloc(a + b + 2);
  if (s) snprintf(s, a + b + 2, "%s%s%s", d->path, a && d->path[a - 1] == '/' ? "" : "/", name);
  return s;
}

/* Fail with code for d/name; a link gets its own message. */
static int fail_at(plat_err *e, const plat_dirh *d, const char *name, int code) {
  char *p = d ? join(d, name) : NULL;
  const char *what = p ? p : name ? name : "?";
  plat_fail(e, what, code);
  if (code == ELOOP) snprintf(e->msg, sizeof e->msg, "%s: a link: not followed", what);
  free(p);
  return -1;
}

/* One component: not empty, no '/', not "." or "..". */
static int bad_name(const char *n) {
  return !n || !*n || strchr(n, '/') || !strcmp(n, ".") || !strcmp(n, "..");
}

/* After an open failed with ENOTDIR or ELOOP: ELOOP when name is a link. */
static int link_or(int dfd, const char *name, int code) {
  struct stat st;
  if ((code == ENOTDIR || code == ELOOP) && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISLNK(st.st_mode))
    return ELOOP;
  return code;
}

static plat_dirh *wrapd(int fd, char *path, plat_err *e) {
  plat_dirh *d = path ? malloc(sizeof *d) : NULL;
  if (!d) { close(fd); free(path); plat_fail(e, "(folder)", ENOMEM); return NULL; }
  d->fd = fd;
  d->path = path;
  d->norename2 = 0;
  return d;
}

plat_dirh *plat_dirh_open(const char *path, plat_err *e) {
  int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) { fail_at(e, NULL, path, link_or(AT_FDCWD, path, errno)); return NULL; }
  return wrapd(fd, strdup(path), e);
}

plat_dirh *plat_dirh_sub(plat_dirh *d, const char *name, plat_err *e) {
  if (bad_name(name)) { fail_at(e, d, name, EINVAL); return NULL; }
  int fd = openat(d->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) { fail_at(e, d, name, link_or(d->fd, name, errno)); return NULL; }
  return wrapd(fd, join(d, name), e);
}

const char *plat_dirh_path(const plat_dirh *d) { return d->path; }

void plat_dirh_close(plat_dirh *d) {
  if (!d) return;
  close(d->fd);
  free(d->path);
  free(d);
}

int plat_dirh_stat(plat_dirh *d, const char *name, plat_info *out, plat_err *e) {
  struct stat st;
  if (name && bad_name(name)) return fail_at(e, d, name, EINVAL);
  if (fstatat(d->fd, name ? name : "", &st, AT_SYMLINK_NOFOLLOW | (name ? 0 : AT_EMPTY_PATH)) != 0)
    return fail_at(e, d, name, errno);
  px_info(&st, out);
  return 0;
}

int plat_dirh_mkdir(plat_dirh *d, const char *name, plat_err *e) {
  if (bad_name(name)) return fail_at(e, d, name, EINVAL);
  px_fault_point();
  return mkdirat(d->fd, name, 0700) == 0 ? 0 : fail_at(e, d, name, errno);
}

plat_file *plat_dirh_open_file(plat_dirh *d, const char *name, int how, plat_err *e) {
  if (bad_name(name)) { fail_at(e, d, name, EINVAL); return NULL; }
  /* O_NONBLOCK: a fifo planted under the name must not hang the open */
  int flags = O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (how ? O_RDWR : O_RDONLY);
  if (how == PLAT_CREATE_NEW) flags |= O_CREAT | O_EXCL;
  if (how) px_fault_point();
  int fd = openat(d->fd, name, flags, 0600);  /* the mode is set from the source afterwards */
  if (fd < 0) { fail_at(e, d, name, link_or(d->fd, name, errno)); return NULL; }
  /* A file created here is ours and regular; an existing one is checked on
     the handle. O_NONBLOCK has no effect on a regular file: it stays. */
  struct stat st;
  int c = how == PLAT_CREATE_NEW ? 0 : fstat(fd, &st) != 0 ? errno
        : !S_ISREG(st.st_mode) ? (S_ISDIR(st.st_mode) ? EISDIR : EINVAL) : 0;
  if (c) { close(fd); fail_at(e, d, name, c); return NULL; }
  char *p = join(d, name);
  plat_file *f = px_wrap(fd, p ? p : name, e);
  free(p);
  return f;
}

int plat_dirh_rename_new(plat_dirh *d, const char *from, const char *to, plat_err *e) {
  if (bad_name(from) || bad_name(to)) return fail_at(e, d, to, EINVAL);
  px_fault_point();
  if (!d->norename2) {
    if (renameat2(d->fd, from, d->fd, to, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return fail_at(e, d, to, errno);
    d->norename2 = 1;
  }
  /* a file system without RENAME_NOREPLACE: link then unlink */
  if (linkat(d->fd, from, d->fd, to, 0) != 0) return fail_at(e, d, to, errno);
  return unlinkat(d->fd, from, 0) == 0 ? 0 : fail_at(e, d, from, errno);
}

int plat_dirh_remove(plat_dirh *d, const char *name, plat_err *e) {
  if (bad_name(name)) return fail_at(e, d, name, EINVAL);
  px_fault_point();
  if (unlinkat(d->fd, name, 0) == 0) return 0;
  if (errno != EISDIR && errno != EPERM) return fail_at(e, d, name, errno);
  return unlinkat(d->fd, name, AT_REMOVEDIR) == 0 ? 0 : fail_at(e, d, name, errno);
}

/* An O_PATH descriptor of d/name (d itself for NULL) that is not a link;
   *own = 1 when the caller must close it. */
static int object_fd(plat_dirh *d, const char *name, int *own, plat_err *e) {
  *own = 0;
  if (!name) return d->fd;
  if (bad_name(name)) return fail_at(e, d, name, EINVAL);
  int fd = openat(d->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  int c = fd < 0 ? errno : fstat(fd, &st) != 0 ? errno : S_ISLNK(st.st_mode) ? ELOOP : 0;
  if (c) { if (fd >= 0) close(fd); return fail_at(e, d, name, c); }
  *own = 1;
  return fd;
}

/* Say d/name, not /proc/self/fd/N, in a message. */
static void rename_msg(plat_err *e, const char *proc, plat_dirh *d, const char *name) {
  size_t k = strlen(proc);
  if (strncmp(e->msg, proc, k) != 0) return;
  char *p = join(d, name), rest[sizeof e->msg - 40];
  snprintf(rest, sizeof rest, "%s", e->msg + k);
  snprintf(e->msg, sizeof e->msg, "%s%s", p ? p : "?", rest);
  free(p);
}

static int meta_aux(plat_dirh *d, const char *name, unsigned what, plat_meta *get,
                    const plat_meta *set, plat_err *e) {
  int own, fd = object_fd(d, name, &own, e);
  if (fd < 0) { if (get) memset(get, 0, sizeof *get); return -1; }
  char proc[40];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  int rc = get ? px_meta_get(proc, 1, what, get, e) : px_meta_set(proc, 1, what, set, e);
  if (rc) {
    if (e->code == ENOENT && access("/proc/self/fd", F_OK) != 0)
      snprintf(e->msg, sizeof e->msg, "%s: /proc is not mounted (needed to read and set metadata through handles)", d->path);
    else rename_msg(e, proc, d, name);
  }
  if (own) close(fd);
  return rc;
}

int plat_dirh_meta_get(plat_dirh *d, const char *name, unsigned what, plat_meta *m, plat_err *e) {
  return meta_aux(d, name, what, m, NULL, e);
}

int plat_dirh_meta_set(plat_dirh *d, const char *name, unsigned what, const plat_meta *m, plat_err *e) {
  return meta_aux(d, name, what, NULL, m, e);
}

int64_t plat_dirh_time_precision(plat_dirh *d) {
  struct statfs sf;
  if (fstatfs(d->fd, &sf) != 0) return 1;
  switch ((unsigned long)sf.f_type) {
    case 0x4d44: return 2000000000;         /* FAT: 2 s */
    case 0x2011BAB0: return 10000000;       /* exFAT: 10 ms */
    case 0x5346544e:                        /* NTFS (ntfs3, ntfs) */
    case 0x65735546:                        /* FUSE: ntfs-3g */
    case 0xFF534D42: case 0xFE534D42:       /* SMB */
      return 100;
    default: return 1;
  }
}

int plat_fstat(plat_file *f, plat_info *out, plat_err *e) {
  struct stat st;
  if (fstat(f->fd, &st) != 0) return plat_fail(e, f->path, errno);
  px_info(&st, out);
  return 0;
}

/* On the descriptor itself (f* calls): no path is looked up. */
int plat_fmeta_get(plat_file *f, unsigned what, plat_meta *m, plat_err *e) {
  return px_fdmeta_get(f->fd, f->path, what, m, e);
}

int plat_fmeta_set(plat_file *f, unsigned what, const plat_meta *m, plat_err *e) {
  return px_fdmeta_set(f->fd, f->path, what, m, e);
}

int plat_rewind(plat_file *f, plat_err *e) {
  return lseek(f->fd, 0, SEEK_SET) == 0 ? 0 : plat_fail(e, f->path, errno);
}

int plat_symlink(const char *target, const char *path, plat_err *e) {
  return symlink(target, path) == 0 ? 0 : plat_fail(e, path, errno);
}
