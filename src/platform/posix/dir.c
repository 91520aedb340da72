/* dir.c: folder enumeration and file status on POSIX. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/posix/posix.h"

struct plat_dir {
  DIR *d;
  char *path;  /* for error messages */
};

plat_dir *plat_dir_open(const char *path, plat_err *e) {
  plat_dir *pd = calloc(1, sizeof *pd);
  if (!pd || !(pd->path = strdup(path))) {
    free(pd);
    plat_fail(e, path, ENOMEM);
    return NULL;
  }
  if (!(pd->d = opendir(path))) {
    plat_fail(e, path, errno);
    free(pd->path);
    free(pd);
    return NULL;
  }
  return pd;
}

static plat_type type_of_mode(mode_t m) {
  if (S_ISREG(m)) return PLAT_FILE;
  if (S_ISDIR(m)) return PLAT_DIR;
  if (S_ISLNK(m)) return PLAT_LINK;
  return PLAT_OTHER;
}

int plat_dir_next(plat_dir *pd, plat_dirent *ent, plat_err *e) {
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(pd->d);
    if (!de) return errno ? plat_fail(e, pd->path, errno) : 0;
    const char *n = de->d_name;
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
    ent->name = n;
    switch (de->d_type) {
      case DT_REG: ent->type = PLAT_FILE; break;
      case DT_DIR: ent->type = PLAT_DIR; break;
      case DT_LNK: ent->type = PLAT_LINK; break;
      case DT_UNKNOWN: {  /* some file systems do not fill d_type */
        struct stat st;
        ent->type = fstatat(dirfd(pd->d), n, &st, AT_SYMLINK_NOFOLLOW) == 0
                        ? type_of_mode(st.st_mode) : PLAT_UNKNOWN;
        break;
      }
      default: ent->type = PLAT_OTHER; break;
    }
    return 1;
  }
}

void plat_dir_close(plat_dir *pd) {
  if (!pd) return;
  closedir(pd->d);
  free(pd->path);
  free(pd);
}

static int64_t ns(struct timespec ts) {
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void px_info(const struct stat *st, plat_info *out) {
  memset(out, 0, sizeof *out);
  out->type = type_of_mode(st->st_mode);
  out->size = (uint64_t)st->st_size;
  out->mtime_ns = ns(st->st_mtim);
  out->atime_ns = ns(st->st_atim);
  out->ctime_ns = ns(st->st_ctim);
  out->nlink = (uint32_t)st->st_nlink;
  out->mode = (uint32_t)st->st_mode;
  out->dev = (uint64_t)st->st_dev;
  out->ino = (uint64_t)st->st_ino;
}

int plat_stat(const char *path, int follow, plat_info *out, plat_err *e) {
  struct stat st;
  if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) return plat_fail(e, path, errno);
  px_info(&st, out);
  return 0;
}
