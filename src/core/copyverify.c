/* copyverify.c: after a copy, check the destination against the source:
   size, bytes and the metadata that was copied. A file left as it was is
   compared byte for byte. A file this run wrote was hashed as it was
   copied (one pass: the journal's SUM); by default its size on the handle
   must be the number of bytes written, and it is not read back: the
   read-back comes from the page cache the write just filled (it never
   reaches the disk), so it finds only a file changed by someone else
   after the write with its size and time kept, or a file system that
   returns other bytes than it was given. verify_full (`--verify full`,
   `verify = "full"`) reads it back and compares its hash; plan:verify
   alone always does. */
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

static void compare_meta(const copy_opts *o, const plat_meta *tmpl, int64_t prec, copy_item *it,
                         const plat_meta *ms, plat_meta *md, const char *dp);

/* Compare one file, open (fd, read through the destination's folder
   handles; a file replaced at the next boot: its replacement; closed
   here); sets it->error on a difference. Runs on a worker. */
static int verify_file(const copy_opts *o, const plat_meta *tmpl, int64_t prec, plat_file *fd,
                       copy_item *it, const char *sp, const char *dp, plat_err *e) {
  int eq = 0;
  plat_file *fs = NULL;
  int rc = -1;
  if (fd && it->hashed && !o->verify_full) {  /* written by this run: as many bytes as were written */
    plat_info st;
    if ((rc = plat_fstat(fd, &st, e)) == 0) eq = st.size == it->written;
  } else if (fd && it->hashed) {  /* the destination must hash as the bytes written */
    uint64_t n, h;
    if ((rc = copy_sum(fd, &n, &h, e)) == 0) eq = n == it->written && h == it->hash;
  } else if (fd && (fs = plat_open_read(sp, e)) != NULL) {
    rc = copy_files_equal(fs, fd, &eq, e);
  }
  plat_close(fs, NULL);
  if (rc != 0 || !eq) {
    plat_close(fd, NULL);
    mismatch(it, dp, rc ? e->msg : it->hashed && !o->verify_full ? "size differs from the bytes written" : "contents differ");
    return 0;
  }
  plat_meta ms, md;
  if (plat_meta_get(sp, PLAT_META_ALL, &ms, e) != 0) { plat_close(fd, NULL); return -1; }
  rc = plat_fmeta_get(fd, PLAT_META_ALL, &md, e);
  plat_close(fd, NULL);
  if (rc != 0) { plat_meta_free(&ms); return -1; }
  compare_meta(o, tmpl, prec, it, &ms, &md, dp);
  plat_meta_free(&ms);
  plat_meta_free(&md);
  return 0;
}

/* A file this run just wrote, on its open handle f, against m, the
   metadata it was given from its source's handle: what copy_verify would
   check after opening it again (the size against the bytes written, then
   the metadata). it->verified tells copy_verify it is done. */
int cr_verify_written(run *r, copy_item *it, plat_file *f, const plat_meta *m, plat_err *e) {
  plat_info st;
  plat_meta md;
  char *dp = copy_join(r->dst_given, it->rel);
  if (!dp) return plat_fail(e, it->rel, ENOMEM_CODE);
  int rc = plat_fstat(f, &st, e);
  if (!rc && st.size != it->written) mismatch(it, dp, "size differs from the bytes written");
  else if (!rc && (rc = plat_fmeta_get(f, PLAT_META_ALL, &md, e)) == 0) {
    compare_meta(r->o, &r->ftmpl, r->prec, it, m, &md, dp);
    plat_meta_free(&md);
  }
  if (rc) mismatch(it, dp, e->msg);
  it->verified = 1;
  free(dp);
  return 0;
}

/* The destination's metadata md (as read; changed here) against the
   source's ms; sets it->error on the first difference. */
static void compare_meta(const copy_opts *o, const plat_meta *tmpl, int64_t prec, copy_item *it,
                         const plat_meta *ms, plat_meta *md, const char *dp) {
  const char *x;
  char buf[160];
  /* On ntfs-3g, mode and owner are a view of the NT descriptor: with a
     template's (or a kept) descriptor they differ from the source's by
     design. From a source without one (and no template) they were set
     from the mode, so the descriptor ntfs-3g derived is not the source's
     to compare; a template's is compared below, whatever the source. */
  int nt = find(md, plat_meta_ntsd_name()) != NULL, view = nt && o->template;
  if (nt && !o->template && !find(ms, plat_meta_ntsd_name())) drop(md, plat_meta_ntsd_name());
  if (!it->timeonly && !copy_time_eq(ms->mtime_ns, md->mtime_ns, prec)) mismatch(it, dp, "modification time differs");
  else if (!view && (ms->mode & 07777) != (md->mode & 07777)) mismatch(it, dp, "mode differs");
  else if (!view && (ms->uid != md->uid || ms->gid != md->gid)) mismatch(it, dp, "owner or group differs");
  else if ((ms->attrs & 7) != (md->attrs & 7)) mismatch(it, dp, "attributes (read-only, hidden, system) differ");
  else if ((x = xdiff(ms, md, PLAT_META_XATTRS)) != NULL) {
    snprintf(buf, sizeof buf, "%s differs", x);
    mismatch(it, dp, buf);
  } else if (!o->template && (x = xdiff(ms, md, PLAT_META_SECURITY)) != NULL) {
    snprintf(buf, sizeof buf, "security %s differs", x);
    mismatch(it, dp, buf);
  } else if (o->template && it->action == CA_NEW) {
    for (size_t i = 0; i < tmpl->nx && !it->error; i++) {
      const plat_xattr *t = &tmpl->x[i], *d = find(md, t->name);
      size_t nl = strlen(t->name);
      if (nl > 8 && strcmp(t->name + nl - 8, "_default") == 0) continue;
      if (!d || d->len != t->len || memcmp(d->value, t->value, t->len) != 0) {
        snprintf(buf, sizeof buf, "security %s is not the template's", t->name);
        mismatch(it, dp, buf);
      }
    }
  }
}

/* One folder's files at a time: opened in order on the walk, compared by
   up to o->threads workers. */
#define VBATCH 32
typedef struct vjob { copy_item *it; plat_file *fd; char *sp, *dp; int rc; plat_err e; } vjob;
typedef struct vbatch {
  const copy_opts *o;
  const plat_meta *tmpl;
  int64_t prec;
  vjob j[VBATCH];
  size_t n;
} vbatch;

static void vjob_run(void *ud, size_t i) {
  vbatch *b = ud;
  vjob *j = &b->j[i];
  j->rc = verify_file(b->o, b->tmpl, b->prec, j->fd, j->it, j->sp, j->dp, &j->e);
}

/* Compare the batch; the first fatal error goes to e. */
static int vbatch_run(vbatch *b, int threads, plat_err *e) {
  int rc = 0;
  if (b->n) plat_parallel(b->n, threads, vjob_run, b);
  for (size_t i = 0; i < b->n; i++) {
    if (b->j[i].rc && !rc) { *e = b->j[i].e; rc = -1; }
    free(b->j[i].sp);
    free(b->j[i].dp);
  }
  b->n = 0;
  return rc;
}

long copy_verify(const char *src, const char *dst, const copy_opts *o, copy_plan *p, plat_err *e) {
  plat_meta dtmpl = {0}, tmpl = {0};  /* the folder's; a new file's (copytmpl.c) */
  if (o->template && plat_meta_get(o->template, PLAT_META_SECURITY, &dtmpl, e) != 0) return -1;
  int trc = o->template ? copy_file_template(o, &dtmpl, &tmpl, e) : 0;
  plat_meta_free(&dtmpl);
  if (trc != 0) return -1;
  copy_walk w;
  if (copy_walk_open(&w, dst, e) != 0) { plat_meta_free(&tmpl); return -1; }
  int threads = o->threads < 1 ? 1 : o->threads > PLAT_MAX_THREADS ? PLAT_MAX_THREADS : o->threads;
  vbatch *b = calloc(1, sizeof *b);
  int rc = b ? 0 : plat_fail(e, dst, ENOMEM_CODE);
  if (b) *b = (vbatch){ o, &tmpl, copy_precision(src, dst), {{0}}, 0 };
  const char *dir = NULL;  /* the batch's folder (rel of its first item) */
  size_t dirlen = 0;
  for (size_t i = 0; i < p->n && rc == 0; i++) {
    copy_item *it = &p->items[i];
    if (it->type != PLAT_FILE || it->failed) continue;
    if (it->action != CA_NEW && it->action != CA_CHANGED && it->action != CA_SAME) continue;
    if (it->verified) continue;  /* checked on its handle as it was written */
    const char *sl = strrchr(it->rel, '/');
    size_t dl = sl ? (size_t)(sl - it->rel) + 1 : 0;
    if (b->n && (b->n == (size_t)(threads > 1 ? VBATCH : 1) || dl != dirlen || strncmp(dir, it->rel, dl) != 0))
      if ((rc = vbatch_run(b, threads, e)) != 0) break;
    char *sp = copy_join(src, it->rel), *dp = copy_join(dst, it->rel);
    if (!sp || !dp) { free(sp); free(dp); rc = plat_fail(e, it->rel, ENOMEM_CODE); break; }
    const char *leaf;
    plat_err oe;
    plat_dirh *d = copy_walk_parent(&w, it->rel, &leaf, &oe);
    if (it->pending) leaf = it->pending;  /* in use: its replacement is what the run wrote */
    plat_file *fd = d ? plat_dirh_open_file(d, leaf, 0, &oe) : NULL;
    if (!fd) { mismatch(it, dp, oe.msg); free(sp); free(dp); continue; }
    if (!b->n) dir = it->rel, dirlen = dl;
    b->j[b->n++] = (vjob){ it, fd, sp, dp, 0, {0} };
  }
  if (b && rc == 0) rc = vbatch_run(b, threads, e);
  else if (b) { for (size_t i = 0; i < b->n; i++) { plat_close(b->j[i].fd, NULL); free(b->j[i].sp); free(b->j[i].dp); } }
  long bad = 0;
  for (size_t i = 0; i < p->n; i++) {
    const copy_item *it = &p->items[i];
    bad += it->type == PLAT_FILE && !it->failed && it->error &&
           (it->action == CA_NEW || it->action == CA_CHANGED || it->action == CA_SAME);
  }
  free(b);
  copy_walk_close(&w);
  plat_meta_free(&tmpl);
  return rc ? -1 : bad;
}
