/* cab.c: Microsoft cabinets. The header scan is our own (sizes and
   multi-volume flags, no decompression); entries and data come from
   libarchive, read through the platform layer in 64 KiB blocks. The same
   libarchive walk reads zips (zip.c): every entry must be a plain file or
   folder, and a zip's files must declare their sizes in their headers. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/archive.h"
#include "core/safename.h"

#if SXSFIX_HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif

/* ---- a small buffered byte reader for the header scan ------------------- */

typedef struct bytes {
  plat_rfile *in;
  unsigned char buf[65536];
  size_t pos, len;
  plat_err *e;
  int failed;   /* -1 on a read error, 1 at a premature end */
} bytes;

static int next_byte(bytes *b) {
  if (b->pos == b->len) {
    size_t n = 0;
    int rc = plat_rfile_read(b->in, b->buf, sizeof b->buf, &n, b->e);
    if (rc != 0 || n == 0) { if (!b->failed) b->failed = rc != 0 ? -1 : 1; return -1; }
    b->pos = 0;
    b->len = n;
  }
  return b->buf[b->pos++];
}

static uint32_t le(bytes *b, int n) {
  uint32_t v = 0;
  for (int i = 0; i < n; i++) {
    int c = next_byte(b);
    v |= (uint32_t)(c < 0 ? 0 : c) << (8 * i);
  }
  return v;
}

int sx_cab_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e) {
  bytes *b = calloc(1, sizeof *b);
  if (!b) return sx_exp_nomem(e, label);
  b->e = e;
  if (!(b->in = plat_rfile_open(path, e))) { free(b); return -1; }
  int rc = 0;
  le(b, 4);                       /* signature, checked by sx_detect */
  le(b, 4);                       /* reserved1 */
  uint32_t cbcab = le(b, 4);
  le(b, 4);
  uint32_t coff = le(b, 4);
  le(b, 4);
  le(b, 2);                       /* version */
  le(b, 2);                       /* cFolders */
  uint32_t nfiles = le(b, 2), flags = le(b, 2);
  uint64_t at = 32;
  if (!b->failed && (flags & 3))
    rc = sx_exp_fail(e, SX_EXP_MULTIVOLUME, label,
                     "is part of a multi-volume cabinet set (%s); expected a single cabinet",
                     (flags & 1) ? "it continues an earlier cabinet" : "it continues in another cabinet");
  else if (!b->failed && (coff < at || coff > cbcab))
    rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "damaged header: file table offset %lu is outside the cabinet",
                     (unsigned long)coff);
  while (!rc && !b->failed && at < coff) { next_byte(b); at++; }
  for (uint32_t i = 0; !rc && !b->failed && i < nfiles; i++) {
    uint32_t size = le(b, 4);
    le(b, 4);
    uint32_t folder = le(b, 2);
    le(b, 2); le(b, 2); le(b, 2);  /* date, time, attributes */
    char name[257], safe[257];
    const char *why;
    size_t n = 0;
    int c;
    while ((c = next_byte(b)) > 0 && n < 256) name[n++] = (char)c;
    name[n] = '\0';
    if (b->failed) break;
    if (c != 0)
      rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "damaged file table: entry %lu has a name longer than 256 bytes",
                       (unsigned long)i);
    else if ((why = sx_safename(name, safe, sizeof safe)) != NULL)
      rc = sx_exp_fail(e, SX_EXP_UNSAFE, label, "entry '%s' refused: %s", name, why);
    else if (folder >= 0xfffd)
      rc = sx_exp_fail(e, SX_EXP_MULTIVOLUME, label,
                       "entry '%s' spans cabinets of a multi-volume set; expected a single cabinet", name);
    else
      fn(ud, name, size);
  }
  if (!rc && b->failed < 0) rc = -1;   /* e already holds the read error */
  else if (!rc && b->failed > 0)
    rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "truncated: the cabinet ends inside its header or file table");
  plat_rfile_close(b->in);
  free(b);
  return rc;
}

#if SXSFIX_HAVE_LIBARCHIVE

typedef struct lasrc {
  plat_rfile *in;
  plat_err err;
  int failed;
  char buf[65536];
} lasrc;

static la_ssize_t la_read(struct archive *a, void *ud, const void **out) {
  lasrc *s = ud;
  size_t n = 0;
  if (plat_rfile_read(s->in, s->buf, sizeof s->buf, &n, &s->err) != 0) {
    s->failed = 1;
    archive_set_error(a, -1, "%s", s->err.msg);
    return -1;
  }
  *out = s->buf;
  return (la_ssize_t)n;
}

/* What entry_read needs to report a damaged entry. */
typedef struct laentry {
  struct archive *a;
  lasrc *s;
  const char *label, *raw;
} laentry;

static int64_t entry_read(sx_reader *r, const void **block, plat_err *e) {
  laentry *ce = r->ud;
  size_t size;
  la_int64_t off;
  int st = archive_read_data_block(ce->a, block, &size, &off);
  if (st == ARCHIVE_EOF) return 0;
  if (st >= ARCHIVE_WARN) return (int64_t)size;
  if (ce->s->failed) { *e = ce->s->err; return -1; }
  const char *why = archive_error_string(ce->a);
  return sx_exp_fail(e, SX_EXP_CORRUPT, ce->label, "entry '%s': damaged data: %s", ce->raw,
                     why ? why : "read error");
}

int sx_la_walk(const char *path, const char *label, sx_visit *v, int zip, plat_err *e) {
  const char *kind = zip ? "zip" : "cabinet";
  lasrc *s = calloc(1, sizeof *s);
  struct archive *a = archive_read_new();
  if (!s || !a) {
    free(s);
    if (a) archive_read_free(a);
    return sx_exp_nomem(e, label);
  }
  if (!(s->in = plat_rfile_open(path, e))) { free(s); archive_read_free(a); return -1; }
  if (zip) archive_read_support_format_zip(a);
  else archive_read_support_format_cab(a);
  /* libarchive converts names through the C library's character set,
     which plat_init made UTF-8 (names without the UTF-8 flag stay raw bytes). */
  int rc = 0;
  if (archive_read_open(a, s, NULL, la_read, NULL) != ARCHIVE_OK)
    rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "cannot be read as a %s: %s", kind, archive_error_string(a));
  struct archive_entry *ae;
  for (unsigned long i = 0; !rc; i++) {
    int st = archive_read_next_header(a, &ae);
    if (st == ARCHIVE_EOF) break;
    if (st < ARCHIVE_WARN) {
      if (s->failed) { *e = s->err; rc = -1; }
      else rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "damaged %s after %lu entries: %s",
                            kind, i, archive_error_string(a));
      break;
    }
    const char *raw = archive_entry_pathname_utf8(ae);
    if (!raw) raw = archive_entry_pathname(ae);
    if (!raw) { rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "entry %lu: its name cannot be read", i); break; }
    char name[4096];
    const char *why = sx_safename(raw, name, sizeof name);
    if (why) { rc = sx_exp_fail(e, SX_EXP_UNSAFE, label, "entry '%s' refused: %s", raw, why); break; }
    int type = archive_entry_filetype(ae);
    if (type != AE_IFDIR && type != AE_IFREG) {
      rc = sx_exp_fail(e, SX_EXP_UNSAFE, label, "entry '%s' refused: not a regular file (a link or device)", raw);
      break;
    }
    if (zip && type == AE_IFREG && (!archive_entry_size_is_set(ae) || archive_entry_size(ae) < 0)) {
      rc = sx_exp_fail(e, SX_EXP_CORRUPT, label, "entry '%s': its header does not declare its size "
                       "(a streamed zip); expected a zip whose entries declare their sizes", raw);
      break;
    }
    sx_entry ent = { name, label, (uint64_t)archive_entry_size(ae), PLAT_NO_TIME, type == AE_IFDIR };
    if (archive_entry_mtime_is_set(ae))
      ent.mtime_ns = (int64_t)archive_entry_mtime(ae) * 1000000000 + archive_entry_mtime_nsec(ae);
    laentry ce = { a, s, label, raw };
    sx_reader r = { entry_read, NULL, &ce };
    int want = v->wants ? v->wants(v, &ent) : 1;
    if (v->entry(v, &ent, want ? &r : NULL, e) != 0) rc = -1;
  }
  archive_read_free(a);
  plat_rfile_close(s->in);
  free(s);
  return rc;
}

#else

int sx_la_walk(const char *path, const char *label, sx_visit *v, int zip, plat_err *e) {
  (void)path; (void)v;
  return sx_exp_fail(e, SX_EXP_UNSUPPORTED, label,
                     "this sxsfix was built without libarchive: %s cannot be read", zip ? "zips" : "cabinets");
}

#endif

int sx_cab_walk(const char *path, const char *label, sx_visit *v, plat_err *e) {
  return sx_la_walk(path, label, v, 0, e);
}
