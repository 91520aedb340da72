/* meta.c: file metadata on POSIX: nanosecond times, mode/owner/group and
   every extended attribute, treated as opaque name/value pairs.

   A target is a path (never followed: l* calls), a /proc/self/fd/N name
   (followed: the descriptor names the object itself; for O_PATH
   descriptors, which the f* calls refuse) or an open descriptor (f*
   calls: no path lookup at all, the cheapest). Syscalls per get: one
   stat, one list (into a stack buffer; a second only when it is too
   small), one get per attribute (likewise). The probe of system.ntfs_acl
   (ntfs-3g does not list it) is skipped on a file system that has
   already said it does not know the name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "platform/posix/posix.h"

typedef struct xt { const char *path; int follow, fd; } xt;

static ssize_t x_list(const xt *t, char *b, size_t n) {
  return t->fd >= 0 ? flistxattr(t->fd, b, n) : t->follow ? listxattr(t->path, b, n) : llistxattr(t->path, b, n);
}
static ssize_t x_get(const xt *t, const char *n, void *v, size_t l) {
  return t->fd >= 0 ? fgetxattr(t->fd, n, v, l) : t->follow ? getxattr(t->path, n, v, l) : lgetxattr(t->path, n, v, l);
}
static int x_set(const xt *t, const char *n, const void *v, size_t l) {
  return t->fd >= 0 ? fsetxattr(t->fd, n, v, l, 0) : t->follow ? setxattr(t->path, n, v, l, 0) : lsetxattr(t->path, n, v, l, 0);
}
static int x_remove(const xt *t, const char *n) {
  return t->fd >= 0 ? fremovexattr(t->fd, n) : t->follow ? removexattr(t->path, n) : lremovexattr(t->path, n);
}
static int x_stat(const xt *t, struct stat *st) {
  return t->fd >= 0 ? fstat(t->fd, st) : t->follow ? stat(t->path, st) : lstat(t->path, st);
}

#define NTFS_ACL "system.ntfs_acl"  /* ntfs-3g: the raw NT security descriptor */

const char *plat_meta_ntsd_name(void) { return NTFS_ACL; }

int plat_meta_is_security(const char *name) {
  return strncmp(name, "system.posix_acl_", 17) == 0 || strcmp(name, NTFS_ACL) == 0;
}

static int wanted(const char *name, unsigned what) {
  return plat_meta_is_security(name) ? (what & PLAT_META_SECURITY) != 0
                                     : (what & PLAT_META_XATTRS) != 0;
}

void plat_meta_free(plat_meta *m) {
  for (size_t i = 0; i < m->nx; i++) {
    free(m->x[i].name);
    free(m->x[i].value);
  }
  free(m->x);
  m->x = NULL;
  m->nx = 0;
}

/* The last file system (st_dev + 1) that did not know system.ntfs_acl:
   not asked again. Shared by the copy workers, hence atomic. */
static unsigned long long no_ntacl_dev;

/* The size of t's system.ntfs_acl, or -1 (errno) when it has none. */
static ssize_t ntacl_size(const xt *t, dev_t dev) {
  if (__atomic_load_n(&no_ntacl_dev, __ATOMIC_RELAXED) == (unsigned long long)dev + 1) { errno = ENOTSUP; return -1; }
  ssize_t n = x_get(t, NTFS_ACL, NULL, 0);
  if (n < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
    __atomic_store_n(&no_ntacl_dev, (unsigned long long)dev + 1, __ATOMIC_RELAXED);
  return n;
}

/* The names of t's xattrs, a malloc'd NUL-separated list; *len its size. */
static char *list_names(const xt *t, ssize_t *len, plat_err *e) {
  char first[4096];
  ssize_t n = x_list(t, first, sizeof first);
  if (n >= 0) {  /* the common case: one call */
    char *buf = malloc((size_t)n + 1);
    if (!buf) { plat_fail(e, t->path, ENOMEM); return NULL; }
    memcpy(buf, first, (size_t)n);
    *len = n;
    return buf;
  }
  for (;;) {
    if (errno == ENOTSUP) { *len = 0; return calloc(1, 1); }  /* fs without xattrs */
    if (errno != ERANGE) { plat_fail(e, t->path, errno); return NULL; }
    n = x_list(t, NULL, 0);
    if (n < 0) continue;
    char *buf = malloc((size_t)n + 1);
    if (!buf) { plat_fail(e, t->path, ENOMEM); return NULL; }
    ssize_t got = x_list(t, buf, (size_t)n);
    if (got >= 0) { *len = got; return buf; }
    free(buf);  /* ERANGE: grew, retry */
  }
}

/* Read attribute n of t into a new malloc'd value; -1 with errno. */
static int get_value(const xt *t, const char *n, char **val, size_t *len) {
  char first[4096];
  ssize_t vl = x_get(t, n, first, sizeof first);
  for (;;) {
    if (vl >= 0) {
      if (!(*val = malloc((size_t)vl + 1))) { errno = ENOMEM; return -1; }
      memcpy(*val, first, (size_t)vl);
      *len = (size_t)vl;
      return 0;
    }
    if (errno != ERANGE) return -1;
    if ((vl = x_get(t, n, NULL, 0)) < 0) return -1;
    char *big = malloc((size_t)vl + 1);
    if (!big) { errno = ENOMEM; return -1; }
    ssize_t got = x_get(t, n, big, (size_t)vl);
    if (got >= 0) { *val = big; *len = (size_t)got; return 0; }
    free(big);
    vl = -1;  /* ERANGE again: it grew; retry */
  }
}

/* Append name = v (taken over) to m; -1 with errno. */
static int add_x(plat_meta *m, const char *name, char *v, size_t vl) {
  plat_xattr *nx = realloc(m->x, (m->nx + 1) * sizeof *nx);
  if (!nx) { free(v); errno = ENOMEM; return -1; }
  m->x = nx;
  plat_xattr *x = &m->x[m->nx];
  if (!(x->name = strdup(name))) { free(v); errno = ENOMEM; return -1; }
  x->value = (unsigned char *)v;
  x->len = vl;
  m->nx++;
  return 0;
}

static int get_xattrs(const xt *t, dev_t dev, unsigned what, plat_meta *m, plat_err *e) {
  ssize_t len;
  char *names = list_names(t, &len, e), *v;
  size_t vl;
  int listed_nt = 0;
  if (!names) return -1;
  for (char *n = names; n < names + len; n += strlen(n) + 1) {
    listed_nt |= strcmp(n, NTFS_ACL) == 0;
    if (!wanted(n, what)) continue;
    if (get_value(t, n, &v, &vl) != 0) { if (errno == ENODATA || errno == ENOTSUP) continue; goto fail; }
    if (add_x(m, n, v, vl) != 0) goto fail;
  }
  /* ntfs-3g does not list system.ntfs_acl: read by name (one call), unless
     this file system has said it does not know the name */
  if ((what & PLAT_META_SECURITY) && !listed_nt &&
      __atomic_load_n(&no_ntacl_dev, __ATOMIC_RELAXED) != (unsigned long long)dev + 1) {
    if (get_value(t, NTFS_ACL, &v, &vl) == 0) { if (add_x(m, NTFS_ACL, v, vl) != 0) goto fail; }
    else if (errno == ENOTSUP || errno == EOPNOTSUPP)
      __atomic_store_n(&no_ntacl_dev, (unsigned long long)dev + 1, __ATOMIC_RELAXED);
  }
  free(names);
  return 0;
fail:;
  int c = errno;
  free(names);
  return plat_fail(e, t->path, c);
}

static int meta_get(const xt *t, unsigned what, plat_meta *m, plat_err *e) {
  memset(m, 0, sizeof *m);
  struct stat st;
  if (x_stat(t, &st) != 0) return plat_fail(e, t->path, errno);
  m->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  m->atime_ns = (int64_t)st.st_atim.tv_sec * 1000000000 + st.st_atim.tv_nsec;
  m->mode = (uint32_t)st.st_mode;
  m->uid = (uint32_t)st.st_uid;
  m->gid = (uint32_t)st.st_gid;
  if ((what & (PLAT_META_XATTRS | PLAT_META_SECURITY)) && get_xattrs(t, st.st_dev, what, m, e) != 0) {
    plat_meta_free(m);
    return -1;
  }
  return 0;
}

static int find_x(const plat_meta *m, const char *name) {
  for (size_t i = 0; i < m->nx; i++)
    if (strcmp(m->x[i].name, name) == 0) return (int)i;
  return -1;
}

/* Make the file's xattrs of the classes in what exactly m's. */
static int set_xattrs(const xt *t, unsigned what, const plat_meta *m, plat_err *e) {
  ssize_t len;
  char *names = list_names(t, &len, e);
  if (!names) return -1;
  for (char *n = names; n < names + len; n += strlen(n) + 1) {
    if (!wanted(n, what) || find_x(m, n) >= 0) continue;
    if (x_remove(t, n) != 0 && errno != ENODATA) {
      int c = errno;
      plat_fail(e, t->path, c);
      snprintf(e->msg, sizeof e->msg, "%s: removing %s: %s", t->path, n, strerror(c));
      free(names);
      return -1;
    }
  }
  free(names);
  for (size_t i = 0; i < m->nx; i++) {
    const plat_xattr *x = &m->x[i];
    if (!wanted(x->name, what)) continue;
    if (x_set(t, x->name, x->value, x->len) != 0) {
      int c = errno;
      plat_fail(e, t->path, c);
      snprintf(e->msg, sizeof e->msg, "%s: setting %s: %s", t->path, x->name, strerror(c));
      return -1;
    }
  }
  return 0;
}

static int meta_set(const xt *t, unsigned what, const plat_meta *m, plat_err *e) {
  struct stat st;
  px_fault_point();
  if (x_stat(t, &st) != 0) return plat_fail(e, t->path, errno);
  int islink = S_ISLNK(st.st_mode);
  /* On ntfs-3g the mode and owner are a view of the NT descriptor, and
     chmod replaces it: leave them alone when the descriptor is kept (no
     SECURITY) or set from m. */
  int nt_kept = 0;
  if (!islink && (what & PLAT_META_OWNER))  /* asked only when the answer matters */
    nt_kept = (what & PLAT_META_SECURITY) ? find_x(m, NTFS_ACL) >= 0 : ntacl_size(t, st.st_dev) >= 0;
  static int euid = -1;
  if (euid < 0) euid = (int)geteuid();
  if ((what & PLAT_META_OWNER) && !nt_kept) {
    if (euid == 0 && (st.st_uid != m->uid || st.st_gid != m->gid) &&
        (t->fd >= 0 ? fchown(t->fd, m->uid, m->gid) : t->follow ? chown(t->path, m->uid, m->gid)
                                                    : lchown(t->path, m->uid, m->gid)) != 0)
      return plat_fail(e, t->path, errno);
    if (!islink && (st.st_mode & 07777) != (m->mode & 07777) &&
        (t->fd >= 0 ? fchmod(t->fd, m->mode & 07777) : chmod(t->path, m->mode & 07777)) != 0)
      return plat_fail(e, t->path, errno);
  }
  if ((what & (PLAT_META_XATTRS | PLAT_META_SECURITY)) && set_xattrs(t, what, m, e) != 0)
    return -1;
  if (what & PLAT_META_TIMES) {
    struct timespec ts[2] = {
      { (time_t)(m->atime_ns / 1000000000), (long)(m->atime_ns % 1000000000) },
      { (time_t)(m->mtime_ns / 1000000000), (long)(m->mtime_ns % 1000000000) },
    };
    if ((t->fd >= 0 ? futimens(t->fd, ts) : utimensat(AT_FDCWD, t->path, ts, t->follow ? 0 : AT_SYMLINK_NOFOLLOW)) != 0)
      return plat_fail(e, t->path, errno);
  }
  return 0;
}

int px_meta_get(const char *path, int follow, unsigned what, plat_meta *m, plat_err *e) {
  xt t = { path, follow, -1 };
  return meta_get(&t, what, m, e);
}

int px_meta_set(const char *path, int follow, unsigned what, const plat_meta *m, plat_err *e) {
  xt t = { path, follow, -1 };
  return meta_set(&t, what, m, e);
}

int px_fdmeta_get(int fd, const char *name, unsigned what, plat_meta *m, plat_err *e) {
  xt t = { name, 1, fd };
  return meta_get(&t, what, m, e);
}

int px_fdmeta_set(int fd, const char *name, unsigned what, const plat_meta *m, plat_err *e) {
  xt t = { name, 1, fd };
  return meta_set(&t, what, m, e);
}

int plat_meta_get(const char *path, unsigned what, plat_meta *m, plat_err *e) {
  return px_meta_get(path, 0, what, m, e);
}

int plat_meta_set(const char *path, unsigned what, const plat_meta *m, plat_err *e) {
  return px_meta_set(path, 0, what, m, e);
}

int plat_privileges_enable(plat_priv *p, plat_err *e) {
  (void)e;
  memset(p, 0, sizeof *p);
  p->elevated = geteuid() == 0;
  return 0;
}

void plat_privileges_restore(plat_priv *p) { (void)p; }
