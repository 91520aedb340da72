/* rollback.c: undoing what a copy journal records (format in journal.c),
   newest first, on folder handles; progress goes to JOURNAL.rollback (the
   journal keeps the content hash the repair history records).
   Also what a journal left scheduled for the next boot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backupmeta.h"
#include "core/copy_int.h"
#include "core/winpath.h"

typedef struct rb {
  const char *journal, *dst, *backup, *rootid;
  copy_walk w;
  plat_file *jf;        /* its progress file (JOURNAL.rollback), appended to */
  copy_rollback_stats *st;
} rb;

static void note_error(rb *b, const plat_err *e) {
  b->st->failed++;
  if (!b->st->first_error) b->st->first_error = strdup(e->msg);
}

static void note_changed(rb *b, const char *rel, const char *why) {
  b->st->changed++;
  if (!b->st->first_error) {
    size_t n = strlen(b->dst) + strlen(rel) + strlen(why) + 80;
    if ((b->st->first_error = malloc(n)))
      snprintf(b->st->first_error, n, "%s/%s: %s after the copy: left as it is", b->dst, rel, why);
  }
}

static int same_id(const plat_info *st, const char *id) {
  char now[48];
  journal_id(st, now, sizeof now);
  return strcmp(now, id) == 0;
}

/* 1 when the open file f holds sum ("SIZE:HASH"). */
static int holds(plat_file *f, const char *sum, plat_err *e) {
  uint64_t size, hash;
  char now[48];
  if (copy_sum(f, &size, &hash, e) != 0) return -1;
  snprintf(now, sizeof now, "%llu:%016llx", (unsigned long long)size, (unsigned long long)hash);
  return strcmp(now, sum) == 0;
}

/* Split an absolute path into its parent folder and last name (malloc'd). */
static int split(const char *path, char **parent, char **leaf) {
  char *p = strdup(path);
  if (!p) return -1;
  size_t k = strlen(p);
  while (k > 1 && (p[k - 1] == '/' || p[k - 1] == '\\')) p[--k] = '\0';
  char *s1 = strrchr(p, '/'), *s2 = strrchr(p, '\\'), *sl = s1 > s2 ? s1 : s2;
  if (!sl || !sl[1]) { free(p); return -1; }
  *leaf = strdup(sl + 1);
  if (sl == p || sl[-1] == ':') sl[1] = '\0';
  else *sl = '\0';
  *parent = p;
  return *leaf ? 0 : -1;
}

/* The folder holding rel's last name, and that name; the destination's
   own parent for rel "". */
static plat_dirh *parent_of(rb *b, const char *rel, const char **leaf, plat_dirh **own, char **ownleaf, plat_err *e) {
  *own = NULL;
  if (*rel) return copy_walk_parent(&b->w, rel, leaf, e);
  char *parent;
  if (split(b->dst, &parent, ownleaf) != 0) { plat_fail(e, b->dst, ENOMEM_CODE); return NULL; }
  *own = plat_dirh_open(parent, e);
  free(parent);
  *leaf = *ownleaf;
  return *own;
}

static char *backup_path(rb *b, const char *kind, const char *num) {
  char *k = copy_join(b->backup, kind), *p = k ? copy_join(k, num) : NULL;
  free(k);
  return p;
}

static void undo_new(rb *b, const journal_rec *r, int check) {
  const char *leaf;
  plat_dirh *own;
  char *ownleaf = NULL;
  plat_err e;
  plat_info st;
  plat_dirh *d = parent_of(b, r->rel, &leaf, &own, &ownleaf, &e);
  if (!d) { if (!plat_is_notfound(e.code)) note_error(b, &e); free(ownleaf); return; }
  int dir = strcmp(r->verb, "mkdir") == 0;
  char *tmp = dir ? NULL : malloc(strlen(leaf) + 12);
  if (tmp) sprintf(tmp, "%s.sxsfix-new", leaf);
  if (tmp && plat_dirh_stat(d, tmp, &st, &e) == 0 && same_id(&st, r->arg) && plat_dirh_remove(d, tmp, &e) != 0)
    note_error(b, &e);
  if (plat_dirh_stat(d, leaf, &st, &e) != 0) {
    if (!plat_is_notfound(e.code)) note_error(b, &e);
  } else if (!same_id(&st, r->arg)) {
    if (!dir || *r->rel) note_changed(b, r->rel, "replaced by another file");
  } else {
    int ok = 1;
    if (!dir && check && r->sum) {  /* still what the run wrote? */
      plat_file *f = plat_dirh_open_file(d, leaf, 0, &e);
      int h = f ? holds(f, r->sum, &e) : -1;
      plat_close(f, NULL);
      if (h < 0) { note_error(b, &e); ok = 0; }
      else if (!h) { note_changed(b, r->rel, "changed"); ok = 0; }
    }
    if (ok && plat_dirh_remove(d, leaf, &e) == 0) b->st->removed++;
    else if (ok && dir && e.code == plat_errcode(PLAT_E_NOTEMPTY)) b->st->kept++;  /* holds files not ours */
    else if (ok) note_error(b, &e);
  }
  free(tmp);
  plat_dirh_close(own);
  free(ownleaf);
}

static void undo_overwrite(rb *b, const journal_rec *r, int check) {
  const char *leaf;
  plat_err e;
  char *bp = backup_path(b, "files", r->arg);
  plat_dirh *d = bp ? copy_walk_parent(&b->w, r->rel, &leaf, &e) : NULL;
  plat_file *f = d ? plat_dirh_open_file(d, leaf, PLAT_OPEN_EXISTING, &e) : NULL;
  if (!f && d && plat_is_notfound(e.code)) {
    if (check && r->sum) { note_changed(b, r->rel, "removed"); free(bp); return; }
    f = plat_dirh_open_file(d, leaf, PLAT_CREATE_NEW, &e);  /* removed while being written: put it back */
  }
  int h = f && check && r->sum ? holds(f, r->sum, &e) : 1;
  if (!f || h < 0) note_error(b, &e);
  else if (!h) note_changed(b, r->rel, "changed");
  else if (copy_restore_into(bp, f, &e) == 0) b->st->restored++;
  else note_error(b, &e);
  plat_close(f, NULL);
  free(bp);
}

/* The intent to create REL.sxsfix-new, folder REL (REL "": the
   destination) or REL.sxsfix-pendingN: when no record of its identity
   ("new", "mkdir", "pending") or another try ("createpending") for REL
   follows (the run was killed between the create and that record), what
   it left is removed: a regular file (not a link), or the folder when it
   is empty; a pending one's replacement at the next boot is taken back
   first (none is made before its "pending" record: this is a safeguard). */
static void undo_create(rb *b, const journal_rec *rs, size_t i, size_t n) {
  const journal_rec *r = &rs[i];
  int dir = r->verb[6] == 'd', pend = r->verb[6] == 'p';
  const char *ident = dir ? "mkdir" : pend ? "pending" : "new";
  for (size_t k = i + 1; k < n; k++)
    if (!strcmp(rs[k].rel, r->rel)) {
      if (!strcmp(rs[k].verb, ident) || (pend && !strcmp(rs[k].verb, "createpending"))) return;
      break;
    }
  const char *leaf;
  plat_err e;
  plat_info st;
  plat_dirh *own;
  char *ownleaf = NULL, tmp[1100];
  plat_dirh *d = parent_of(b, r->rel, &leaf, &own, &ownleaf, &e);
  if (!d) { if (!plat_is_notfound(e.code)) note_error(b, &e); free(ownleaf); return; }
  snprintf(tmp, sizeof tmp, dir ? "%s" : pend ? "%s.sxsfix-pending%s" : "%s.sxsfix-new", leaf, pend ? r->arg : "");
  int found = 0;
  if (pend) {
    char *from = copy_join(plat_dirh_path(d), tmp), *to = copy_join(plat_dirh_path(d), leaf);
    if (!from || !to) { plat_fail(&e, r->rel, ENOMEM_CODE); note_error(b, &e); found = -1; }
    else if (copy_os.cancel_at_boot(from, to, &found, &e) != 0) { note_error(b, &e); found = -1; }
    else b->st->cancelled += found;
    free(from);
    free(to);
  }
  if (found < 0) ;
  else if (plat_dirh_stat(d, tmp, &st, &e) != 0) { if (!plat_is_notfound(e.code)) note_error(b, &e); }
  else if (st.type == (dir ? PLAT_DIR : PLAT_FILE)) {
    if (plat_dirh_remove(d, tmp, &e) == 0) b->st->removed++;
    else if (dir && e.code == plat_errcode(PLAT_E_NOTEMPTY)) b->st->kept++;  /* not empty: not the run's */
    else note_error(b, &e);
  }
  plat_dirh_close(own);
  free(ownleaf);
}

/* A parent of the destination the run created (mkparent K ID), or was
   about to (createparent K, with no mkparent K after it): removed when it
   is an empty folder (with the identity recorded, for mkparent). */
static void undo_parent(rb *b, const journal_rec *rs, size_t i, size_t n) {
  const journal_rec *r = &rs[i];
  int made = r->verb[0] == 'm';
  for (size_t k = i + 1; !made && k < n; k++)
    if (!strcmp(rs[k].verb, "mkparent") && !strcmp(rs[k].rel, r->rel)) return;
  plat_err e;
  plat_info st;
  char *path = NULL, *parent = NULL, *leaf = NULL;
  if (!journal_ancestor(b->dst, atoi(r->rel), &path) || split(path, &parent, &leaf) != 0) { plat_fail(&e, b->dst, ENOMEM_CODE); note_error(b, &e); }
  plat_dirh *d = parent ? plat_dirh_open(parent, &e) : NULL;
  if (!parent) ;
  else if (!d) { if (!plat_is_notfound(e.code)) note_error(b, &e); }
  else if (plat_dirh_stat(d, leaf, &st, &e) != 0) { if (!plat_is_notfound(e.code)) note_error(b, &e); }
  else if (st.type == PLAT_DIR && (!made || same_id(&st, r->arg))) {
    if (plat_dirh_remove(d, leaf, &e) == 0) b->st->removed++;
    else if (e.code == plat_errcode(PLAT_E_NOTEMPTY)) b->st->kept++;  /* holds what is not the run's */
    else note_error(b, &e);
  }
  plat_dirh_close(d);
  free(path), free(parent), free(leaf);
}

/* A service the run stopped: started again (a running one is left so). */
static void undo_service(rb *b, const journal_rec *r) {
  plat_err e;
  if (copy_os.service_start(r->rel, COPY_SERVICE_WAIT_MS, &e) == 0) b->st->started++;
  else note_error(b, &e);
}

/* A replacement at the next boot: taken back, and the new file removed. */
static void undo_pending(rb *b, const journal_rec *r) {
  const char *leaf;
  plat_err e;
  plat_info st;
  char id[48];
  int num = 0, found = 0;
  if (sscanf(r->arg, "%47s %d", id, &num) != 2) return;  /* checked by parse */
  plat_dirh *d = copy_walk_parent(&b->w, r->rel, &leaf, &e);
  if (!d) { if (!plat_is_notfound(e.code)) note_error(b, &e); return; }
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.sxsfix-pending%d", leaf, num);
  char *from = copy_join(plat_dirh_path(d), tmp), *to = copy_join(plat_dirh_path(d), leaf);
  if (!from || !to) { plat_fail(&e, r->rel, ENOMEM_CODE); note_error(b, &e); }
  else if (copy_os.cancel_at_boot(from, to, &found, &e) != 0) note_error(b, &e);
  else {
    b->st->cancelled += found;
    int ours = plat_dirh_stat(d, tmp, &st, &e) == 0 && same_id(&st, id);
    if (ours && plat_dirh_remove(d, tmp, &e) == 0) b->st->removed++;
    else if (ours) note_error(b, &e);
    else if (!found && r->sum) note_changed(b, r->rel, "replaced at a restart");
  }
  free(from);
  free(to);
}

static void undo_dirmeta(rb *b, const journal_rec *r) {
  plat_err e;
  plat_meta m;
  char *bp = backup_path(b, "dirs", r->arg);
  plat_dirh *d = bp ? copy_walk_dir(&b->w, r->rel, &e) : NULL;
  if (!d) note_error(b, &e);
  else if (backup_meta_get(bp, &m, &e) != 0) note_error(b, &e);
  else {
    if (plat_dirh_meta_set(d, NULL, PLAT_META_ALL, &m, &e) == 0) b->st->restored++;
    else note_error(b, &e);
    plat_meta_free(&m);
  }
  free(bp);
}

static int progress(rb *b, const char *verb, size_t line, plat_err *e) {
  char text[48];
  snprintf(text, sizeof text, "%s %zu\n", verb, line);
  return plat_write(b->jf, text, strlen(text), e);
}

/* plat_check_private, except under Wine, which keeps no security
   descriptors (every file reads as another user's): there the check
   cannot be made, as docs/ROBUSTNESS.md says. */
static int check_private(const char *path, plat_err *e) {
  return plat_check_private(path, e) == 0 || plat_wine_version() ? 0 : -1;
}

/* The journal's progress file, when there is one, is private like it. */
static int check_progress_private(const char *journal, plat_err *e) {
  char *pp = cr_suffixed(journal, JOURNAL_PROGRESS);
  plat_info st;
  plat_err se;
  int rc = pp ? 0 : plat_fail(e, journal, ENOMEM_CODE);
  if (!rc && plat_stat(pp, 0, &st, &se) == 0) rc = check_private(pp, e);
  free(pp);
  return rc;
}

/* Under --root: the journal's path at line (dst or backup) must lie inside
   the root, whose resolved form is real: below it as written, without "."
   or "..", and through no link that leads out (sx_winpath_check, the
   boundary every other path under --root goes through). */
static int inside_root(const char *journal, size_t line, const char *path, const char *root,
                       const char *real, plat_err *e) {
  if (!path) return 0;  /* no record uses it (checked by parse) */
  size_t n = strlen(real);
  while (n > 1 && (real[n - 1] == '/' || real[n - 1] == '\\')) n--;
  int ok = strlen(path) >= n, fold = plat_sep() == '\\';
  for (size_t i = 0; ok && i < n; i++) {
    char a = path[i], b = real[i];
    if (fold && a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
    if (fold && b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
    ok = a == b || ((a == '/' || a == '\\') && (b == '/' || b == '\\'));
  }
  if (ok) ok = path[n] == '\0' || path[n] == '/' || path[n] == '\\';
  for (const char *p = path + (ok ? n : 0); ok && *p;) {  /* no "." or ".." below the root */
    p += strspn(p, "/\\");
    size_t k = strcspn(p, "/\\");
    if ((k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.')) ok = 0;
    p += k;
  }
  char err[sizeof e->msg];
  if (ok) {
    sx_winpath wp;
    sx_winpath_init(&wp, real);
    if (sx_winpath_check(&wp, path, err, sizeof err) == 0) return 0;
    plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL), "%s:%lu: %s; nothing rolled back", journal,
               (unsigned long)line, err);
    return -1;
  }
  plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL),
             "%s:%lu: %s lies outside --root %s (a journal in the image may name only paths inside it); "
             "nothing rolled back", journal, (unsigned long)line, path, root);
  return -1;
}

static int is_parent(const journal_rec *r) { return !strcmp(r->verb, "createparent") || !strcmp(r->verb, "mkparent"); }

/* Under --root: a parent of the destination a record names lies strictly
   inside the root (the root itself is never removed). */
static int parent_inside(const char *journal, const journal_rec *r, const char *dst, const char *root, plat_err *e) {
  char *path = NULL, *real = NULL;
  int rc = journal_ancestor(dst, atoi(r->rel), &path) && plat_realpath(root, &real, e) == 0 ? 0 : -1;
  if (rc == 0) rc = inside_root(journal, r->line, path, root, real, e);
  if (rc == 0 && strlen(path) <= strlen(real))
    rc = plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL), "%s:%lu: %s is not below --root %s; nothing rolled back",
                    journal, (unsigned long)r->line, path, root);
  free(path);
  free(real);
  return rc;
}

int copy_rollback(const char *journal, copy_rollback_stats *st, plat_err *e) {
  return copy_rollback_in(journal, NULL, st, e);
}

int copy_rollback_in(const char *journal, const char *root, copy_rollback_stats *st, plat_err *e) {
  memset(st, 0, sizeof *st);
  journal_log log;
  if (check_private(journal, e) != 0 || check_progress_private(journal, e) != 0) return -1;
  if (journal_load(&log, journal, e) != 0) return -1;
  if (root) {
    char *real = NULL;
    int bad = plat_realpath(root, &real, e) != 0 || journal_remount(&log, real, e) != 0 ||
              inside_root(journal, log.dstline, log.dst, root, real, e) != 0 ||
              inside_root(journal, log.backupline, log.backup, root, real, e) != 0;
    free(real);
    if (bad) { journal_log_free(&log); return -1; }
  }
  rb b = { journal, log.dst, log.backup, log.rootid, { 0 }, NULL, st };
  journal_rec *rs = log.rs;
  size_t n = log.n, todo = 0;
  int rc = 0, rootmade = 0;  /* the run created the destination (or was about to) */
  for (size_t i = 0; rc == 0 && i < n; i++) {
    todo += !rs[i].undone;
    rootmade |= is_parent(&rs[i]) || (!*rs[i].rel && (!strcmp(rs[i].verb, "mkdir") || !strcmp(rs[i].verb, "createdir")));
    if (root && is_parent(&rs[i]) && parent_inside(journal, &rs[i], log.dst, root, e) != 0) rc = -1;
  }
  if (rc) { journal_log_free(&log); return -1; }
  if (todo == 0) { journal_log_free(&log); return 0; }  /* nothing (left) to undo */
  if (check_private(b.backup, e) != 0) rc = -1;
  /* no root: the run was killed before it created the destination (or it
     is gone), and only its parents and services are left to deal with */
  int rootgone = 0;
  if (rc == 0 && copy_walk_open(&b.w, b.dst, e) != 0) {
    rootgone = plat_is_notfound(e->code) && rootmade;
    if (!rootgone) rc = -1;
  }
  plat_info rst;
  if (rc == 0 && !rootgone && plat_dirh_stat(b.w.h[0], NULL, &rst, e) != 0) rc = -1;
  /* no identity: killed between creating the destination and journaling
     it; nothing else was done in it (its "createdir" removes it when empty) */
  if (rc == 0 && !rootgone && b.rootid && !same_id(&rst, b.rootid)) {
    char now[48];
    journal_id(&rst, now, sizeof now);
    plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL), "%s: not the folder %s was written for (identity %s, the journal's %s); "
             "nothing rolled back", b.dst, journal, now, b.rootid);
    rc = -1;
  }
  if (rc == 0 && !b.rootid && !rootmade) rc = plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL), "%s: no root record; nothing rolled back", journal);
  char *pp = cr_suffixed(journal, JOURNAL_PROGRESS);
  if (rc == 0 && !pp) rc = plat_fail(e, journal, ENOMEM_CODE);
  if (rc == 0 && !(b.jf = plat_open_write(pp, PLAT_OPEN_APPEND, e))) rc = -1;
  free(pp);
  for (size_t i = n; rc == 0 && i-- > 0;) {
    journal_rec *r = &rs[i];
    const char *v = r->verb;
    if (r->undone || (rootgone && v[0] != 's' && !is_parent(r))) continue;  /* no root: what lies outside it */
    if ((rc = progress(&b, "undo", r->line, e)) != 0) break;
    if (!*r->rel && (!strcmp(v, "mkdir") || !strcmp(v, "createdir"))) copy_walk_close(&b.w);  /* the root itself goes */
    int check = !r->undo;  /* a record a stopped rollback was undoing: again, unchecked */
    if (is_parent(r)) undo_parent(&b, rs, i, n);
    else if (v[0] == 'c') undo_create(&b, rs, i, n);
    else if (v[0] == 'n' || v[0] == 'm') undo_new(&b, r, check);
    else if (v[0] == 'o') undo_overwrite(&b, r, check);
    else if (v[0] == 'p') undo_pending(&b, r);
    else if (v[0] == 's') undo_service(&b, r);
    else undo_dirmeta(&b, r);
    rc = progress(&b, "undone", r->line, e);
  }
  if (rc == 0 && b.jf) {
    char line[64];
    snprintf(line, sizeof line, "rollback %llu\n", (unsigned long long)st->failed);
    rc = plat_write(b.jf, line, strlen(line), e);
    if (rc == 0) rc = plat_sync(b.jf, e);
  }
  if (b.jf && plat_close(b.jf, rc ? NULL : e) != 0) rc = -1;
  copy_walk_close(&b.w);
  journal_log_free(&log);
  return rc;
}

/* ---- what a journal left scheduled for the next boot ------------------- */

void copy_pending_free(copy_pending_entry *v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i].target), free(v[i].replacement);
  free(v);
}

int copy_pending_list(const char *journal, copy_pending_entry **out, size_t *nout, plat_err *e) {
  *out = NULL;
  *nout = 0;
  journal_log log;
  if (check_private(journal, e) != 0 || check_progress_private(journal, e) != 0 || journal_load(&log, journal, e) != 0) return -1;
  journal_rec *rs = log.rs;
  size_t n = log.n, k = 0;
  int rc = 0;
  copy_pending_entry *v = rc ? NULL : calloc(n + 1, sizeof *v);
  if (!rc && !v) rc = plat_fail(e, journal, ENOMEM_CODE);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    journal_rec *r = &rs[i];
    if (r->verb[0] != 'p' || !r->sum || r->undone) continue;  /* scheduled, not rolled back */
    int num = 0;
    char id[48];
    if (sscanf(r->arg, "%47s %d", id, &num) != 2) continue;
    copy_pending_entry *x = &v[k];
    x->target = copy_join(log.dst, r->rel);
    x->replacement = x->target ? malloc(strlen(x->target) + 24) : NULL;
    if (!x->replacement) { free(x->target); x->target = NULL; rc = plat_fail(e, journal, ENOMEM_CODE); break; }
    sprintf(x->replacement, "%s.sxsfix-pending%d", x->target, num);
    k++;
    if (copy_os.query_at_boot(x->replacement, x->target, &x->scheduled, e) != 0) rc = -1;
  }
  journal_log_free(&log);
  if (rc) { copy_pending_free(v, k); return -1; }
  *out = v;
  *nout = k;
  return 0;
}
