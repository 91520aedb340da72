/* meta.c: file metadata on POSIX: nanosecond times, mode/owner/group and
   every extended attribute, treated as opaque name/value pairs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "platform/posix/posix.h"

/* follow = 1 for the /proc/self/fd/N paths of the handle functions (the
   descriptor names the object itself); 0 for a path, never following. */
static ssize_t x_list(const char *p, int f, char *b, size_t n) { return f ? listxattr(p, b, n) : llistxattr(p, b, n); }
static ssize_t x_get(const char *p, int f, const char *n, void *v, size_t l) { return f ? getxattr(p, n, v, l) : lgetxattr(p, n, v, l); }
static int x_set(const char *p, int f, const char *n, const void *v, size_t l) { return f ? setxattr(p, n, v, l, 0) : lsetxattr(p, n, v, l, 0); }
static int x_remove(const char *p, int f, const char *n) { return f ? removexattr(p, n) : lremovexattr(p, n); }

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

/* The names of path's xattrs, a malloc'd NUL-separated list; *len its size. */
static char *list_names(const char *path, int fl, ssize_t *len, plat_err *e) {
  for (;;) {
    ssize_t n = x_list(path, fl, NULL, 0);
    if (n < 0) {
      if (errno == ENOTSUP) { *len = 0; return calloc(1, 1); }  /* fs without xattrs */
      plat_fail(e, path, errno);
      return NULL;
    }
    char *buf = malloc((size_t)n + 1);
    if (!buf) { plat_fail(e, path, ENOMEM); return NULL; }
    ssize_t got = x_list(path, fl, buf, (size_t)n);
    if (got >= 0) { *len = got; return buf; }
    free(buf);
    if (errno != ERANGE) { plat_fail(e, path, errno); return NULL; }  /* ERANGE: grew, retry */
  }
}

/* ntfs-3g does not list system.ntfs_acl: add its name when it can be read. */
static char *add_ntfs_acl(const char *path, int fl, char *names, ssize_t *len) {
  static const char nt[] = NTFS_ACL;
  for (char *n = names; n < names + *len; n += strlen(n) + 1)
    if (strcmp(n, nt) == 0) return names;
  if (x_get(path, fl, nt, NULL, 0) < 0) return names;  /* ENODATA, ENOTSUP: none */
  char *more = realloc(names, (size_t)*len + sizeof nt);
  if (!more) return names;
  memcpy(more + *len, nt, sizeof nt);
  *len += (ssize_t)sizeof nt;
  return more;
}

static int get_xattrs(const char *path, int fl, unsigned what, plat_meta *m, plat_err *e) {
  ssize_t len;
  char *names = list_names(path, fl, &len, e);
  if (!names) return -1;
  if (what & PLAT_META_SECURITY) names = add_ntfs_acl(path, fl, names, &len);
  for (char *n = names; n < names + len; n += strlen(n) + 1) {
    if (!wanted(n, what)) continue;
    ssize_t vl = x_get(path, fl, n, NULL, 0);
    if (vl < 0) { if (errno == ENODATA || errno == ENOTSUP) continue; goto fail; }
    plat_xattr *nx = realloc(m->x, (m->nx + 1) * sizeof *nx);
    if (!nx) { errno = ENOMEM; goto fail; }
    m->x = nx;
    plat_xattr *x = &m->x[m->nx];
    x->name = strdup(n);
    x->value = malloc((size_t)vl + 1);
    x->len = 0;
    if (!x->name || !x->value) { free(x->name); free(x->value); errno = ENOMEM; goto fail; }
    m->nx++;
    vl = x_get(path, fl, n, x->value, (size_t)vl);
    if (vl < 0) goto fail;
    x->len = (size_t)vl;
  }
  free(names);
  return 0;
fail:;
  int c = errno;
  free(names);
  return plat_fail(e, path, c);
}

int px_meta_get(const char *path, int fl, unsigned what, plat_meta *m, plat_err *e) {
  memset(m, 0, sizeof *m);
  struct stat st;
  if ((fl ? stat(path, &st) : lstat(path, &st)) != 0) return plat_fail(e, path, errno);
  m->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  m->atime_ns = (int64_t)st.st_atim.tv_sec * 1000000000 + st.st_atim.tv_nsec;
  m->mode = (uint32_t)st.st_mode;
  m->uid = (uint32_t)st.st_uid;
  m->gid = (uint32_t)st.st_gid;
  if ((what & (PLAT_META_XATTRS | PLAT_META_SECURITY)) && get_xattrs(path, fl, what, m, e) != 0) {
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
static int set_xattrs(const char *path, int fl, unsigned what, const plat_meta *m, plat_err *e) {
  ssize_t len;
  char *names = list_names(path, fl, &len, e);
  if (!names) return -1;
  for (char *n = names; n < names + len; n += strlen(n) + 1) {
    if (!wanted(n, what) || find_x(m, n) >= 0) continue;
    if (x_remove(path, fl, n) != 0 && errno != ENODATA) {
      int c = errno;
      plat_fail(e, path, c);
      snprintf(e->msg, sizeof e->msg, "%s: removing %s: %s", path, n, strerror(c));
      free(names);
      return -1;
    }
  }
  free(names);
  for (size_t i = 0; i < m->nx; i++) {
    const plat_xattr *x = &m->x[i];
    if (!wanted(x->name, what)) continue;
    if (x_set(path, fl, x->name, x->value, x->len) != 0) {
      int c = errno;
      plat_fail(e, path, c);
      snprintf(e->msg, sizeof e->msg, "%s: setting %s: %s", path, x->name, strerror(c));
      return -1;
    }
  }
  return 0;
}

int px_meta_set(const char *path, int fl, unsigned what, const plat_meta *m, plat_err *e) {
  struct stat st;
  if ((fl ? stat(path, &st) : lstat(path, &st)) != 0) return plat_fail(e, path, errno);
  int islink = S_ISLNK(st.st_mode);
  /* On ntfs-3g the mode and owner are a view of the NT descriptor, and
     chmod replaces it: leave them alone when the descriptor is kept (no
     SECURITY) or set from m. */
  int nt_kept = !islink && x_get(path, fl, NTFS_ACL, NULL, 0) >= 0 &&
                (!(what & PLAT_META_SECURITY) || find_x(m, NTFS_ACL) >= 0);
  if ((what & PLAT_META_OWNER) && !nt_kept) {
    if (geteuid() == 0 && (st.st_uid != m->uid || st.st_gid != m->gid) &&
        (fl ? chown(path, m->uid, m->gid) : lchown(path, m->uid, m->gid)) != 0)
      return plat_fail(e, path, errno);
    if (!islink && chmod(path, m->mode & 07777) != 0) return plat_fail(e, path, errno);
  }
  if ((what & (PLAT_META_XATTRS | PLAT_META_SECURITY)) && set_xattrs(path, fl, what, m, e) != 0)
    return -1;
  if (what & PLAT_META_TIMES) {
    struct timespec ts[2] = {
      { (time_t)(m->atime_ns / 1000000000), (long)(m->atime_ns % 1000000000) },
      { (time_t)(m->mtime_ns / 1000000000), (long)(m->mtime_ns % 1000000000) },
    };
    if (utimensat(AT_FDCWD, path, ts, fl ? 0 : AT_SYMLINK_NOFOLLOW) != 0) return plat_fail(e, path, errno);
  }
  return 0;
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
