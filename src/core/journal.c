/*
** journal.c: the copy journal and rollback.
**
** The journal is a text file created new for one run (never appended to
** another run's), private like its backup folder, appended to and never
** rewritten. One record a line, "VERB REL[ ARG]":
**
**   sxsfix-copy-journal 3
**   src PATH            \   the source, the destination and the backup
**   dst PATH             >  folder, absolute with links resolved; written
**   backup PATH         /   first
**   root  ID            the destination folder's identity (REL is empty)
**   service NAME        the caller stopped service NAME (it was running) for
**                       the run (format 3; flushed): a rollback starts it
**                       again, after everything else
**   dirmeta REL N       existing folder REL's metadata (mode, owner, ACLs,
**                       xattrs, times) is in BACKUP/dirs/N; flushed before
**                       anything is created in REL
**   mkdir REL ID        the run created folder REL (REL empty: the
**                       destination itself); written once it exists
**   new REL ID          the run created REL.sxsfix-new exclusively; it is
**                       about to be filled and renamed to REL
**   overwrite REL N     REL's bytes and metadata are in BACKUP/files/N
**                       (flushed); REL is about to be overwritten in place
**   pending REL ID N    REL is in use by another process: the run created
**                       REL.sxsfix-pendingN (N 1..16) exclusively, with
**                       identity ID (flushed); it is about to be filled and
**                       scheduled to replace REL at the next boot (Windows'
**                       PendingFileRenameOperations); REL is not touched
**   unchanged REL       the overwrite of REL just above did not happen: REL
**                       is mapped by another process (its truncation, the
**                       first change, failed); nothing to undo (format 3;
**                       a "pending" record for REL follows)
**   done REL [SUM]      the item was written; for a file SUM is SIZE:HASH,
**                       its size and 64-bit content hash (hex)
**   failed REL          the item failed (it was put back at once)
**   end ok|failed:N     the run finished (N items failed)
**   undo L              rollback: about to undo the record on line L
**   undone L            rollback: the record on line L is dealt with
**   rollback N          a rollback finished (N failures)
**
** ID is DEV:INO in hex: st_dev and st_ino, or the volume serial number and
** file ID on Windows. PATH and REL are percent-encoded: bytes up to space,
** '%' and 0x7f become %XX. REL uses '/' and never holds "." or "..".
** "dirmeta", "overwrite" and "pending" are flushed to disk (fsync) before
** the destination changes; the others survive a killed process.
**
** Format 3 added "pending", "unchanged" and "service"; a format 2
** journal (which has none) is still rolled back. An older sxsfix refuses format 3, rather than skip a record
** it does not know and leave a replacement scheduled.
**
** Rollback refuses a journal that is not private (owned by root/the caller
** or Administrators, written by no one else), whose backup folder is not,
** or whose destination folder is not the object with the recorded ID. It
** removes only what carries the identity the run recorded, and leaves an
** item whose contents are no longer the SUM the run wrote (a later change).
** An item with an "undo" but no "undone" record was being undone when a
** rollback stopped: it is undone again without that comparison. A
** "pending" record is undone by removing its entry from the boot-time
** renames and its REL.sxsfix-pendingN (when it still has ID); when a boot
** has already made it REL, REL is left as it is (counted as changed).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy.h"

#define MAGIC "sxsfix-copy-journal 3\n"
#define MAGIC2 "sxsfix-copy-journal 2\n"  /* the same, without "pending" records */

static char *encode(const char *s) {
  char *out = malloc(strlen(s) * 3 + 1), *o = out;
  if (!out) return NULL;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p <= ' ' || *p == '%' || *p == 0x7f) o += sprintf(o, "%%%02X", *p);
    else *o++ = (char)*p;
  }
  *o = '\0';
  return out;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* Decode in place; -1 on a malformed escape. */
static int decode(char *s) {
  char *o = s;
  for (char *p = s; *p; p++) {
    if (*p != '%') { *o++ = *p; continue; }
    int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
    if (l < 0) return -1;
    *o++ = (char)(h * 16 + l);
    p += 2;
  }
  *o = '\0';
  return 0;
}

/* 1 when rel is "" (the destination itself) or a relative path that stays
   below it: not absolute, no drive letter, no "." or ".." component. A
   journal on a damaged disk or edited by hand must not make a rollback
   remove or overwrite files outside the destination. */
static int inside(const char *rel) {
  if (!rel[0]) return 1;
  if (rel[0] == '/' || rel[0] == '\\') return 0;
  if (((rel[0] | 0x20) >= 'a' && (rel[0] | 0x20) <= 'z') && rel[1] == ':') return 0;
  for (const char *c = rel; *c;) {
    size_t k = strcspn(c, "/\\");
    if (k == 0 || (k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.')) return 0;
    c += k;
    if (*c) c++;
  }
  return 1;
}

void journal_id(const plat_info *st, char *buf, size_t len) {
  snprintf(buf, len, "%llx:%llx", (unsigned long long)st->dev, (unsigned long long)st->ino);
}

int journal_record(copy_journal *j, const char *verb, const char *rel, const char *arg, int sync, plat_err *e) {
  char *enc = encode(rel);
  if (!enc) return plat_fail(e, rel, ENOMEM_CODE);
  size_t n = strlen(verb) + strlen(enc) + (arg ? strlen(arg) : 0) + 4;
  char *line = malloc(n);
  int rc = line ? 0 : plat_fail(e, rel, ENOMEM_CODE);
  if (!rc) {
    snprintf(line, n, "%s %s%s%s\n", verb, enc, arg ? " " : "", arg ? arg : "");
    rc = plat_write(j->f, line, strlen(line), e);
  }
  if (!rc && sync) rc = plat_sync(j->f, e);
  free(line);
  free(enc);
  return rc;
}

int journal_open(copy_journal *j, const char *path, const char *src, const char *dst,
                 const char *backup, plat_err *e) {
  if (!(j->f = plat_open_write(path, PLAT_CREATE_NEW, e))) {
    if (e->code == plat_errcode(PLAT_E_EXIST))
      snprintf(e->msg, sizeof e->msg, "%s: the journal exists already (another run's?); a journal serves one run", path);
    return -1;
  }
  int rc = plat_write(j->f, MAGIC, strlen(MAGIC), e);
  if (!rc) rc = journal_record(j, "src", src, NULL, 0, e);
  if (!rc) rc = journal_record(j, "dst", dst, NULL, 0, e);
  if (!rc) rc = journal_record(j, "backup", backup, NULL, 1, e);
  if (rc) { plat_close(j->f, NULL); j->f = NULL; }
  return rc;
}

int journal_close(copy_journal *j, plat_err *e) {
  int rc = plat_sync(j->f, e);
  if (plat_close(j->f, rc ? NULL : e) != 0) rc = -1;
  j->f = NULL;
  return rc;
}

/* ---- rollback ----------------------------------------------------------- */

typedef struct record {
  size_t line;
  char *verb, *rel, *arg;
  const char *sum;      /* from its "done" record, or NULL */
  int undo, undone;     /* a rollback started / finished this record */
} record;

typedef struct rb {
  const char *journal, *dst, *backup, *rootid;
  copy_walk w;
  plat_file *jf;        /* the journal, appended to */
  copy_rollback_stats *st;
} rb;

static int bad(plat_err *e, const char *journal, size_t line, const char *what, const char *text) {
  e->code = plat_errcode(PLAT_E_INVAL);
  snprintf(e->msg, sizeof e->msg, "%s:%zu: %s \"%.80s\"", journal, line, what, text);
  return -1;
}

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

static void undo_new(rb *b, const record *r, int check) {
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

static void undo_overwrite(rb *b, const record *r, int check) {
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

/* A service the run stopped: started again (a running one is left so). */
static void undo_service(rb *b, const record *r) {
  plat_err e;
  if (copy_os.service_start(r->rel, COPY_SERVICE_WAIT_MS, &e) == 0) b->st->started++;
  else note_error(b, &e);
}

/* A replacement at the next boot: taken back, and the new file removed. */
static void undo_pending(rb *b, const record *r) {
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

static void undo_dirmeta(rb *b, const record *r) {
  plat_err e;
  plat_meta m;
  char *bp = backup_path(b, "dirs", r->arg);
  plat_dirh *d = bp ? copy_walk_dir(&b->w, r->rel, &e) : NULL;
  if (!d) note_error(b, &e);
  else if (plat_meta_get(bp, PLAT_META_ALL, &m, &e) != 0) note_error(b, &e);
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

static int digits(const char *s) { return *s && strspn(s, "0123456789") == strlen(s); }
static int is_id(const char *s) { return *s && strspn(s, "0123456789abcdef:") == strlen(s) && strchr(s, ':'); }
/* A service's key name: 1 to 256 letters, digits, '_', '-', '$'. */
static int is_service(const char *s) {
  size_t n = strlen(s);
  return n >= 1 && n <= 256 &&
         strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-$") == n;
}

/* "ID N" of a pending record, N from 1 to 16. */
static int is_pending(const char *s) {
  const char *sp = strchr(s, ' ');
  if (!sp || sp == s || sp - s > 40) return 0;
  char id[48];
  snprintf(id, sizeof id, "%.*s", (int)(sp - s), s);
  return is_id(id) && digits(sp + 1) && strlen(sp + 1) <= 2 && atoi(sp + 1) >= 1 && atoi(sp + 1) <= 16;
}

/* Append r to the growing array *rs; on no memory it is freed, -1. */
static int add_record(record **rs, size_t *n, size_t *cap, record r) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 64;
    record *nr = realloc(*rs, c * sizeof *nr);
    if (!nr) { free(*rs); *rs = NULL; return -1; }
    *rs = nr, *cap = c;
  }
  (*rs)[(*n)++] = r;
  return 0;
}

/* Parse the journal text into records (pointers into text). */
static int parse(rb *b, char *text, int v3, record **out, size_t *nout, plat_err *e) {
  record *rs = NULL;
  size_t n = 0, cap = 0, lineno = 1;
  char *line = text + strlen(MAGIC), *next;
  for (; *line; line = next) {
    lineno++;
    next = strchr(line, '\n');
    if (!next) break;  /* a last line cut short by a crash: ignored */
    *next++ = '\0';
    char *sp = strchr(line, ' '), *arg = sp ? strchr(sp + 1, ' ') : NULL;
    if (arg) *arg++ = '\0';
    if (!sp || decode(sp + 1) != 0) { free(rs); return bad(e, b->journal, lineno, "malformed record (expected VERB PATH)", line); }
    *sp = '\0';
    char *rel = sp + 1;
    if (!strcmp(line, "dst")) b->dst = rel;
    else if (!strcmp(line, "backup")) b->backup = rel;
    else if (!strcmp(line, "root")) b->rootid = arg;
    else if (!strcmp(line, "undo") || !strcmp(line, "undone")) {
      size_t l = strtoul(rel, NULL, 10);
      for (size_t i = n; i-- > 0;)
        if (rs[i].line == l) { if (line[4]) rs[i].undone = 1; else rs[i].undo = 1; break; }
    } else if (!strcmp(line, "done")) {
      if (n && !strcmp(rs[n - 1].rel, rel) && arg) rs[n - 1].sum = arg;
    } else if (!strcmp(line, "unchanged")) {  /* the overwrite just above did not happen */
      if (!v3 || !n || strcmp(rs[n - 1].verb, "overwrite") || strcmp(rs[n - 1].rel, rel))
        { free(rs); return bad(e, b->journal, lineno, "expected right after the overwrite record of its file (format 3):", line); }
      rs[n - 1].undone = 1;
    } else if (!strcmp(line, "service")) {
      if (!v3 || !b->dst || !b->rootid || arg || !is_service(rel)) { free(rs); return bad(e, b->journal, lineno, "expected a service's name after the root record (format 3) in", line); }
      if (add_record(&rs, &n, &cap, (record){ lineno, line, rel, NULL, NULL, 0, 0 }) != 0) return plat_fail(e, b->journal, ENOMEM_CODE);
    } else if (!strcmp(line, "new") || !strcmp(line, "mkdir") || !strcmp(line, "overwrite") ||
               !strcmp(line, "dirmeta") || !strcmp(line, "pending")) {
      int num = line[0] == 'o' || line[0] == 'd', pend = line[0] == 'p';
      if (!b->dst || !b->backup || !b->rootid) { free(rs); return bad(e, b->journal, lineno, "a record before the dst, backup and root records:", line); }
      if (pend && !v3) { free(rs); return bad(e, b->journal, lineno, "a record format 2 does not have:", line); }
      if (!inside(rel) || (pend && !*rel)) { free(rs); return bad(e, b->journal, lineno, "a record outside the destination (expected a relative path without '..'):", rel); }
      if (!arg || !(pend ? is_pending(arg) : num ? digits(arg) : is_id(arg)))
        { free(rs); return bad(e, b->journal, lineno, pend ? "expected DEV:INO and a number from 1 to 16 in" : num ? "expected a backup number in" : "expected DEV:INO in", line); }
      if (add_record(&rs, &n, &cap, (record){ lineno, line, rel, arg, NULL, 0, 0 }) != 0) return plat_fail(e, b->journal, ENOMEM_CODE);
    }
  }
  *out = rs;
  *nout = n;
  return 0;
}

/* plat_check_private, except under Wine, which keeps no security
   descriptors (every file reads as another user's): there the check
   cannot be made, as docs/ROBUSTNESS.md says. */
static int check_private(const char *path, plat_err *e) {
  return plat_check_private(path, e) == 0 || plat_wine_version() ? 0 : -1;
}

int copy_rollback(const char *journal, copy_rollback_stats *st, plat_err *e) {
  memset(st, 0, sizeof *st);
  char *text;
  size_t len;
  if (check_private(journal, e) != 0) return -1;
  if (plat_read_file(journal, &text, &len, e) != 0) return -1;
  int v3 = strncmp(text, MAGIC, strlen(MAGIC)) == 0;
  if (!v3 && strncmp(text, MAGIC2, strlen(MAGIC2)) != 0) {
    int v1 = strncmp(text, "sxsfix-copy-journal 1\n", 22) == 0;
    free(text);
    e->code = plat_errcode(PLAT_E_INVAL);
    snprintf(e->msg, sizeof e->msg, "%s: not an sxsfix copy journal (expected \"sxsfix-copy-journal 3\" or 2 on line 1%s)",
             journal, v1 ? "; format 1 is an older sxsfix's: roll back with it" : "");
    return -1;
  }
  rb b = { journal, NULL, NULL, NULL, { 0 }, NULL, st };
  record *rs = NULL;
  size_t n = 0, todo = 0;
  int rc = parse(&b, text, v3, &rs, &n, e);
  for (size_t i = 0; rc == 0 && i < n; i++) todo += !rs[i].undone;
  if (rc == 0 && todo == 0) { free(rs); free(text); return 0; }  /* nothing (left) to undo */
  if (rc == 0 && check_private(b.backup, e) != 0) rc = -1;
  int rootgone = 0;
  if (rc == 0 && copy_walk_open(&b.w, b.dst, e) != 0) {
    size_t f = 0;
    while (f < n && rs[f].verb[0] == 's') f++;  /* past the service records */
    rootgone = plat_is_notfound(e->code) && f < n && !strcmp(rs[f].verb, "mkdir") && !*rs[f].rel;
    if (!rootgone) rc = -1;  /* the root the run created is gone: nothing is left to undo */
  }
  plat_info rst;
  if (rc == 0 && !rootgone && plat_dirh_stat(b.w.h[0], NULL, &rst, e) != 0) rc = -1;
  if (rc == 0 && !rootgone && !same_id(&rst, b.rootid)) {
    char now[48];
    journal_id(&rst, now, sizeof now);
    e->code = plat_errcode(PLAT_E_INVAL);
    snprintf(e->msg, sizeof e->msg, "%s: not the folder %s was written for (identity %s, the journal's %s); "
             "nothing rolled back", b.dst, journal, now, b.rootid);
    rc = -1;
  }
  if (rc == 0 && !(b.jf = plat_open_write(journal, PLAT_OPEN_APPEND, e))) rc = -1;
  for (size_t i = n; rc == 0 && i-- > 0;) {
    record *r = &rs[i];
    if (r->undone || (rootgone && r->verb[0] != 's')) continue;  /* no root: only services left */
    if ((rc = progress(&b, "undo", r->line, e)) != 0) break;
    if (!*r->rel && r->verb[0] == 'm') copy_walk_close(&b.w);  /* the root itself goes */
    int check = !r->undo;  /* a record a stopped rollback was undoing: again, unchecked */
    if (r->verb[0] == 'n' || r->verb[0] == 'm') undo_new(&b, r, check);
    else if (r->verb[0] == 'o') undo_overwrite(&b, r, check);
    else if (r->verb[0] == 'p') undo_pending(&b, r);
    else if (r->verb[0] == 's') undo_service(&b, r);
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
  free(rs);
  free(text);
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
  char *text;
  size_t len;
  if (check_private(journal, e) != 0 || plat_read_file(journal, &text, &len, e) != 0) return -1;
  int v3 = strncmp(text, MAGIC, strlen(MAGIC)) == 0;
  if (!v3 && strncmp(text, MAGIC2, strlen(MAGIC2)) != 0) {
    free(text);
    return bad(e, journal, 1, "not an sxsfix copy journal:", "");
  }
  rb b = { journal, NULL, NULL, NULL, { 0 }, NULL, NULL };
  record *rs = NULL;
  size_t n = 0, k = 0;
  int rc = parse(&b, text, v3, &rs, &n, e);
  copy_pending_entry *v = rc ? NULL : calloc(n + 1, sizeof *v);
  if (!rc && !v) rc = plat_fail(e, journal, ENOMEM_CODE);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    record *r = &rs[i];
    if (r->verb[0] != 'p' || !r->sum || r->undone) continue;  /* scheduled, not rolled back */
    int num = 0;
    char id[48];
    if (sscanf(r->arg, "%47s %d", id, &num) != 2) continue;
    copy_pending_entry *x = &v[k];
    x->target = copy_join(b.dst, r->rel);
    x->replacement = x->target ? malloc(strlen(x->target) + 24) : NULL;
    if (!x->replacement) { free(x->target); x->target = NULL; rc = plat_fail(e, journal, ENOMEM_CODE); break; }
    sprintf(x->replacement, "%s.sxsfix-pending%d", x->target, num);
    k++;
    if (copy_os.query_at_boot(x->replacement, x->target, &x->scheduled, e) != 0) rc = -1;
  }
  free(rs);
  free(text);
  if (rc) { copy_pending_free(v, k); return -1; }
  *out = v;
  *nout = k;
  return 0;
}
