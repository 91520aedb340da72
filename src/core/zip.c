/* zip.c: a .zip of logs (diagnose --logs), read through cab.c's libarchive
   walk. That walk refuses links, devices and entries whose header does not
   declare its size (a streamed zip: the expansion budget and the "never
   past the declared size" rule need it); the scan is a visitor of it that
   reads no data: names and declared sizes only, without decompressing. */
#include "core/archive.h"

typedef struct zipscan {
  void (*fn)(void *ud, const char *name, uint64_t size);
  void *ud;
} zipscan;

static int scan_wants(sx_visit *v, const sx_entry *ent) {
  (void)v, (void)ent;
  return 0;
}

static int scan_entry(sx_visit *v, const sx_entry *ent, sx_reader *r, plat_err *e) {
  zipscan *z = v->ud;
  (void)r, (void)e;
  if (!ent->is_dir) z->fn(z->ud, ent->name, ent->size);
  return 0;
}

int sx_zip_scan(const char *path, const char *label,
                void (*fn)(void *ud, const char *name, uint64_t size), void *ud, plat_err *e) {
  zipscan z = { fn, ud };
  sx_visit v = { scan_wants, scan_entry, NULL, &z };
  return sx_la_walk(path, label, &v, 1, e);
}

int sx_zip_walk(const char *path, const char *label, sx_visit *v, plat_err *e) {
  return sx_la_walk(path, label, v, 1, e);
}
