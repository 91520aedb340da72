/* zip.c: a .zip of logs (diagnose --logs). Names and declared sizes come
   from the entry headers through libarchive, without decompressing; the
   data comes through cab.c's libarchive walk. An entry whose header does
   not declare its size (a streamed zip) is refused: the expansion budget
   and the "never past the declared size" rule need it. */
#include <stdlib.h>

#include "config.h"
#include "core/archive.h"
#include "core/safename.h"

#if SXSFIX_HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>

typedef struct zipsrc {
  plat_rfile *in;
  plat_err err;
  int failed;
  char buf[65536];
} zipsrc;

static la_ssize_t zip_read(struct archive *a, void *ud, const void **out) {
  zipsrc *s = ud;
  size_t n = 0;
  if (plat_rfile_read(s->in, s->buf, sizeof s->buf, &n, &s->err) != 0) {
    s->failed = 1;
    archive_set_error(a, -1, "%s", s->err.msg);
    return -1;
  }
  *out = s->buf;
  return (la_ssize_t)n;
}

int sx_zip_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e) {
  zipsrc *s = calloc(1, sizeof *s);
  struct archive *a = archive_read_new();
  if (!s || !a) {
    free(s);
    if (a) archive_read_free(a);
    return sx_exp_nomem(e, label);
  }
  if (!(s->in = plat_rfile_open(path, e))) { free(s); archive_read_free(a); return -1; }
  archive_read_support_format_zip(a);
  int rc = 0;
  if (archive_read_open(a, s, NULL, zip_read, NULL) != ARCHIVE_OK)
    rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "cannot be read as a zip: %s", archive_error_string(a));
  struct archive_entry *ae;
  for (unsigned long i = 0; !rc; i++) {
    int st = archive_read_next_header(a, &ae);
    if (st == ARCHIVE_EOF) break;
    if (st < ARCHIVE_WARN) {
      if (s->failed) { *e = s->err; rc = -1; }
      else rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "damaged zip after %lu entries: %s", i, archive_error_string(a));
      break;
    }
    const char *raw = archive_entry_pathname_utf8(ae);
    if (!raw) raw = archive_entry_pathname(ae);
    if (!raw) { rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "entry %lu: its name cannot be read", i); break; }
    char name[4096];
    const char *why = sx_safename(raw, name, sizeof name);
    if (why) { rc = sx_exp_fail(e, SX_EXP_UNSAFE, label, "entry '%s' refused: %s", raw, why); break; }
    int type = archive_entry_filetype(ae);
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG) {
      rc = sx_exp_fail(e, SX_EXP_UNSAFE, label, "entry '%s' refused: not a regular file (a link or device)", raw);
      break;
    }
    if (!archive_entry_size_is_set(ae) || archive_entry_size(ae) < 0) {
      rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "entry '%s': its header does not declare its size "
                       "(a streamed zip); expected a zip whose entries declare their sizes", raw);
      break;
    }
    fn(ud, name, (uint64_t)archive_entry_size(ae));
  }
  archive_read_free(a);
  plat_rfile_close(s->in);
  free(s);
  return rc;
}

#else

int sx_zip_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e) {
  (void)path; (void)fn; (void)ud;
  return sx_exp_fail(e, SX_EXP_UNSUPPORTED, label, "this sxsfix was built without libarchive: zips cannot be read");
}

#endif

int sx_zip_walk(const char *path, const char *label, sx_visit *v, plat_err *e) {
  return sx_la_walk(path, label, v, 1, e);
}
