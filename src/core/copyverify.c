/* copyverify.c: after a copy, re-read the destination and compare it with
   the source: size, every byte, and the metadata that was copied. A file
   this run wrote is read once, on the destination: its copy_hash must be
   the one of the bytes the run read from the source and wrote (hashed as
   they were copied); a file left as it was is compared byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy_int.h"

static const plat_xattr *find(const plat_meta *m, const char *name) {
  for (size_t i = 0; i < m->nx; i++)
    if (strcmp(m->x[i].name, name) == 0) return &m->x[i];
  return NULL;
}

static void drop(plat_meta *m, const char *name) {
  for (size_t i = 0; i < m->nx; i++)
    if (strcmp(m->x[i].name, name) == 0) {
      free(m->x[i].name);
      free(m->x[i].value);
      m->x[i] = m->x[--m->nx];
      return;
    }
}

/* The first entry of the classes in what that differs, or NULL. */
static const char *xdiff(const plat_meta *a, const plat_meta *b, unsigned what) {
  for (int pass = 0; pass < 2; pass++) {
    const plat_meta *x = pass ? b : a, *y = pass ? a : b;
    for (size_t i = 0; i < x->nx; i++) {
      int sec = plat_meta_is_security(x->x[i].name);
      if (!(what & (sec ? PLAT_META_SECURITY : PLAT_META_XATTRS))) continue;
      const plat_xattr *o = find(y, x->x[i].name);
      if (!o || o->len != x->x[i].len || memcmp(o->value, x->x[i].value, o->len) != 0)
        return x->x[i].name;
    }
  }
  return NULL;
}

static void mismatch(copy_item *it, const char *dp, const char *what) {
  if (it->error) return;
  size_t n = strlen(dp) + strlen(what) + 32;
  if ((it->error = malloc(n))) snprintf(it->error, n, "%s: verify: %s", dp, what);
}

/* Compare one file, read through the destination's folder handles (a file
   replaced at the next boot: its replacement); sets it->error on a
   difference. */
static int verify_file(const copy_opts *o, const plat_meta *tmpl, int64_t prec, copy_walk *w,
                       copy_item *it, const char *sp, const char *dp, plat_err *e) {
  int eq = 0;
  const char *leaf;
  plat_dirh *d = copy_walk_parent(w, it->rel, &leaf, e);
  if (it->pending) leaf = it->pending;  /* in use: its replacement is what the run wrote */
  plat_file *fd = d ? plat_dirh_open_file(d, leaf, 0, e) : NULL, *fs = NULL;
  int rc = -1;
  if (fd && it->hashed) {  /* written by this run: the destination must hash as the bytes written */
    uint64_t n, h;
    if ((rc = copy_sum(fd, &n, &h, e)) == 0) eq = h == it->hash;
  } else if (fd && (fs = plat_open_read(sp, e)) != NULL) {
    rc = copy_files_equal(fs, fd, &eq, e);
  }
  plat_close(fs, NULL);
  if (rc != 0 || !eq) { plat_close(fd, NULL); mismatch(it, dp, rc ? e->msg : "contents differ"); return 0; }
  plat_meta ms, md;
  if (plat_meta_get(sp, PLAT_META_ALL, &ms, e) != 0) { plat_close(fd, NULL); return -1; }
  rc = plat_fmeta_get(fd, PLAT_META_ALL, &md, e);
  plat_close(fd, NULL);
  if (rc != 0) { plat_meta_free(&ms); return -1; }
  const char *x;
  char buf[160];
  /* On ntfs-3g, mode and owner are a view of the NT descriptor: with a
     template's (or a kept) descriptor they differ from the source's by
     design. From a source without one they were set from the mode, so the
     descriptor ntfs-3g derived is not the source's to compare. */
  int nt = find(&md, plat_meta_ntsd_name()) != NULL, view = nt && o->template;
  if (nt && !find(&ms, plat_meta_ntsd_name())) drop(&md, plat_meta_ntsd_name());
  if (!it->timeonly && !copy_time_eq(ms.mtime_ns, md.mtime_ns, prec)) mismatch(it, dp, "modification time differs");
  else if (!view && (ms.mode & 07777) != (md.mode & 07777)) mismatch(it, dp, "mode differs");
  else if (!view && (ms.uid != md.uid || ms.gid != md.gid)) mismatch(it, dp, "owner or group differs");
  else if ((ms.attrs & 7) != (md.attrs & 7)) mismatch(it, dp, "attributes (read-only, hidden, system) differ");
  else if ((x = xdiff(&ms, &md, PLAT_META_XATTRS)) != NULL) {
    snprintf(buf, sizeof buf, "%s differs", x);
    mismatch(it, dp, buf);
  } else if (!o->template && (x = xdiff(&ms, &md, PLAT_META_SECURITY)) != NULL) {
    snprintf(buf, sizeof buf, "security %s differs", x);
    mismatch(it, dp, buf);
  } else if (o->template && it->action == CA_NEW) {
    for (size_t i = 0; i < tmpl->nx && !it->error; i++) {
      const plat_xattr *t = &tmpl->x[i], *d = find(&md, t->name);
      size_t nl = strlen(t->name);
      if (nl > 8 && strcmp(t->name + nl - 8, "_default") == 0) continue;
      if (!d || d->len != t->len || memcmp(d->value, t->value, t->len) != 0) {
        snprintf(buf, sizeof buf, "security %s is not the template's", t->name);
        mismatch(it, dp, buf);
      }
    }
  }
  plat_meta_free(&ms);
  plat_meta_free(&md);
  return 0;
}

long copy_verify(const char *src, const char *dst, const copy_opts *o, copy_plan *p, plat_err *e) {
  plat_meta tmpl = {0};
  if (o->template && plat_meta_get(o->template, PLAT_META_SECURITY, &tmpl, e) != 0) return -1;
  long bad = 0;
  copy_walk w;
  if (copy_walk_open(&w, dst, e) != 0) { plat_meta_free(&tmpl); return -1; }
  int64_t prec = copy_precision(src, dst);
  int rc = 0;
  for (size_t i = 0; i < p->n && rc == 0; i++) {
    copy_item *it = &p->items[i];
    if (it->type != PLAT_FILE || it->failed) continue;
    if (it->action != CA_NEW && it->action != CA_CHANGED && it->action != CA_SAME) continue;
    char *sp = copy_join(src, it->rel), *dp = copy_join(dst, it->rel);
    if (!sp || !dp) rc = plat_fail(e, it->rel, ENOMEM_CODE);
    else rc = verify_file(o, &tmpl, prec, &w, it, sp, dp, e);
    bad += it->error != NULL;
    free(sp);
    free(dp);
  }
  copy_walk_close(&w);
  plat_meta_free(&tmpl);
  return rc ? -1 : bad;
}
