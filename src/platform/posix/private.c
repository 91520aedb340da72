/* private.c: folders private to root (or the calling user) on POSIX:
   created 0700 with no ACL, and checked before we trust what is in them. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "platform/platform.h"

#define ACL_ACCESS "system.posix_acl_access"
#define ACL_DEFAULT "system.posix_acl_default"

static int failf(plat_err *e, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  e->code = code;
  return -1;
}

int plat_mkdir_private(const char *path, plat_err *e) {
  if (!*path) return plat_fail(e, "(empty path)", ENOENT);
  const char *slash = strrchr(path, '/');
  if (slash && slash > path) {  /* missing parents, created normally */
    char *parent = strndup(path, (size_t)(slash - path));
    if (!parent) return plat_fail(e, path, ENOMEM);
    int rc = plat_mkdirs(parent, e);
    free(parent);
    if (rc != 0) return -1;
  }
  if (mkdir(path, 0700) != 0) return plat_fail(e, path, errno);
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return plat_fail(e, path, errno);
  /* A parent's default ACL would be inherited: drop both ACLs, then set
     the mode (the umask or an inherited ACL may have changed it). */
  int rc = 0;
  if ((fremovexattr(fd, ACL_DEFAULT) != 0 && errno != ENODATA && errno != ENOTSUP) ||
      (fremovexattr(fd, ACL_ACCESS) != 0 && errno != ENODATA && errno != ENOTSUP) ||
      fchmod(fd, 0700) != 0)
    rc = plat_fail(e, path, errno);
  close(fd);
  return rc;
}

/* Linux's ACL xattr: a 4-byte version (2), then 8-byte entries
   {u16 tag, u16 perm, u32 id}, little-endian. */
enum { A_USER_OBJ = 1, A_USER = 2, A_GROUP_OBJ = 4, A_GROUP = 8, A_MASK = 0x10, A_OTHER = 0x20 };
#define A_WRITE 2

static unsigned u16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t u32(const unsigned char *p) {
  return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Describe in who the first entry of ACL xattr name that lets someone other
   than root or the caller write; 1 when found, 0 when none, -1 on error. */
static int acl_writer(int fd, const char *name, char *who, size_t len) {
  unsigned char buf[4096];
  ssize_t n = fgetxattr(fd, name, buf, sizeof buf);
  if (n < 0) return (errno == ENODATA || errno == ENOTSUP) ? 0 : -1;
  unsigned mask = A_WRITE;  /* no mask entry: nothing is masked */
  for (ssize_t i = 4; i + 8 <= n; i += 8)
    if (u16(buf + i) == A_MASK) mask = u16(buf + i + 2);
  for (ssize_t i = 4; i + 8 <= n; i += 8) {
    unsigned tag = u16(buf + i), perm = u16(buf + i + 2);
    uint32_t id = u32(buf + i + 4);
    if (!(perm & A_WRITE)) continue;
    if (tag == A_USER && id != 0 && id != (uint32_t)geteuid() && (mask & A_WRITE))
      snprintf(who, len, "user %u", (unsigned)id);
    else if ((tag == A_GROUP || tag == A_GROUP_OBJ) && (mask & A_WRITE))
      snprintf(who, len, "group %u", (unsigned)(tag == A_GROUP ? id : 0));
    else if (tag == A_OTHER)
      snprintf(who, len, "everyone");
    else
      continue;
    if (tag == A_GROUP_OBJ) snprintf(who, len, "the owning group");
    return 1;
  }
  return 0;
}

/* parent = 0: path itself must be private; parent = 1: path is a folder on
   the way to something private, so only renaming or replacing its entries
   matters (a sticky folder such as /tmp protects root's entries). */
static int check(const char *path, int parent, plat_err *e) {
  static const char fix[] = "remove it (as root) and run again, or make it root-owned "
                            "with no group/other write";
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) return failf(e, ELOOP, "%s: is a symbolic link; %s", path, fix);
    return plat_fail(e, path, errno);
  }
  struct stat st;
  char who[64] = "";
  int rc = 0;
  if (fstat(fd, &st) != 0) {
    rc = plat_fail(e, path, errno);
  } else if (st.st_uid != 0 && st.st_uid != geteuid()) {
    rc = failf(e, EACCES, "%s: owned by user %u, not root; %s", path, (unsigned)st.st_uid, fix);
  } else if (parent && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)) {
    rc = 0;  /* sticky: others may add entries, never rename or remove ours */
  } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    rc = failf(e, EACCES, "%s: writable by %s (mode %04o); %s", path,
               (st.st_mode & S_IWOTH) ? "everyone" : "its group",
               (unsigned)(st.st_mode & 07777), fix);
  } else {
    int r = acl_writer(fd, ACL_ACCESS, who, sizeof who);
    if (r == 0 && !parent && S_ISDIR(st.st_mode)) r = acl_writer(fd, ACL_DEFAULT, who, sizeof who);
    if (r < 0) rc = plat_fail(e, path, errno);
    else if (r > 0) rc = failf(e, EACCES, "%s: an ACL lets %s write in it; %s", path, who, fix);
  }
  close(fd);
  return rc;
}

int plat_check_private(const char *path, plat_err *e) { return check(path, 0, e); }
int plat_check_parent(const char *path, plat_err *e) { return check(path, 1, e); }
