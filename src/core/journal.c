/*
** journal.c: the copy journal: its format, writing it, reading it back
** (rollback.c undoes what it records).
**
** The journal is a text file created new for one run (never appended to
** another run's), private like its backup folder, appended to and never
** rewritten. One record a line, "VERB REL[ ARG]":
**
**   sxsfix-copy-journal 3
**   src PATH            \   the source, the destination and the backup
**   dst PATH             >  folder, absolute with links resolved; written
**   backup PATH         /   first
**   mount PATH          the --root the run was made under, resolved (only
**                       then; right after "backup"): a rollback under
**                       another root reads dst and backup below PATH below
**                       that root instead (remount.c; an older sxsfix
**                       ignores it)
**   root  ID            the destination folder's identity (REL is empty)
**   service NAME        the caller stopped service NAME (it was running) for
**                       the run (format 3; flushed): a rollback starts it
**                       again, after everything else
**   dirmeta REL N       existing folder REL's metadata (mode, owner, ACLs,
**                       xattrs, times) is in BACKUP/dirs/N; flushed before
**                       anything is created in REL
**   createparent K      the run is about to create the destination's K-th
**                       parent folder (K 1: its parent), which is missing;
**                       outermost first, before the root record
**   mkparent K ID       it did, and the folder has identity ID
**   mkdir REL ID        the run created folder REL (REL empty: the
**                       destination itself, recorded before the root
**                       record, whose identity it gives too); written once
**                       it exists
**   create REL          the run is about to create REL.sxsfix-new
**                       exclusively (written before the create: a kill
**                       right after it leaves a temporary file that only
**                       this record names)
**   createdir REL       the run is about to create folder REL (before the
**                       mkdir record, likewise; REL empty: the destination,
**                       before the root record)
**   createpending REL N the run is about to create REL.sxsfix-pendingN
**                       exclusively (N 1..16, a name it found free; before
**                       the pending record, likewise)
**   new REL ID          the run created REL.sxsfix-new exclusively; it is
**                       about to be filled and renamed to REL
**   overwrite REL N     REL's bytes and metadata are in BACKUP/files/N
**                       (flushed); REL is about to be overwritten in place
**   pending REL ID N    REL is in use by another process: the run created
**                       REL.sxsfix-pendingN (N 1..16) exclusively, with
**                       identity ID (flushed); it is about to be filled and
**                       scheduled to replace REL at the next boot (Windows'
**                       PendingFileRenameOperations); REL is not touched
**   unchanged REL       the overwrite of REL recorded last did not happen: REL
**                       is mapped by another process (its truncation, the
**                       first change, failed); nothing to undo (format 3;
**                       a "pending" record for REL follows)
**   done REL [SUM]      the item was written; for a file SUM is SIZE:HASH,
**                       its size and 64-bit content hash (hex); it belongs
**                       to the latest record of REL (within the last 128:
**                       a batch's records come before its "done" records)
**   failed REL          the item failed (it was put back at once)
**   end ok|failed:N     the run finished (N items failed)
**   undo L              rollback: about to undo the record on line L
**   undone L            rollback: the record on line L is dealt with
**   rollback N          a rollback finished (N failures)
**
** The last three are a rollback's progress: written to JOURNAL.rollback
** (one such line a line; anything else there refuses the journal), so the
** journal is written by its copy only and keeps the content hash a repair
** history records for it; older rollbacks wrote them into the journal,
** which is read too.
**
** ID is DEV:INO in hex: st_dev and st_ino, or the volume serial number and
** file ID on Windows. PATH and REL are percent-encoded: bytes up to space,
** '%' and 0x7f become %XX. REL uses '/' and never holds "." or "..".
** "dirmeta", "overwrite" and "pending" are flushed to disk (fsync) before
** the destination changes; the others survive a killed process.
**
** Records are written before the change they describe, each in the write
** that precedes it ("done" and "failed" wait in memory and go out with the
** next write; a batch of up to 32 files of one folder has its "create",
** "new" and "overwrite" records in one write each); "dirmeta",
** "overwrite", "pending", "unchanged", "service" and "end" are also
** fsync'd. A batch's backups are made durable (one syncfs on POSIX)
** before its "overwrite" records are written, so a file's backup is on
** disk before the record that names it, and that before the file is
** overwritten.
**
** Format 3 added "pending", "unchanged" and "service" (and later
** "create", "createdir", "createpending", "createparent" and "mkparent",
** which an older sxsfix ignores: it undoes what it did before); a format 2
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
** A "create" record without a "new" record for the same REL after it
** (the run was killed between the two) is undone by removing
** REL.sxsfix-new when it is a regular file (not a link): the run was
** creating it exclusively, and the name is the run's own. Likewise a
** "createdir" record without a "mkdir" record after it: REL is removed
** when it is an empty folder; a "createpending" record without a
** "pending" (or another "createpending") record for REL after it:
** REL.sxsfix-pendingN is removed when it is a regular file, its
** boot-time replacement (if any) taken back first; a "createparent K"
** without its "mkparent K", and a "mkparent K ID" whose folder still has
** ID: that parent is removed when it is an empty folder (under --root,
** only a parent below the root). A journal killed before its root record
** holds only these and is rolled back without the root's identity check.
**
** A journal cut short in its first line (a run killed as it created it)
** records nothing: there is nothing to undo.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy_int.h"

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

int journal_ancestor(const char *path, int k, char **out) {
  char *p = strdup(path);
  if (!p) return 0;
  for (; k > 0; k--) {
    size_t n = strlen(p);
    while (n > 1 && (p[n - 1] == '/' || p[n - 1] == '\\') && p[n - 2] != ':') p[--n] = '\0';
    char *s1 = strrchr(p, '/'), *s2 = strrchr(p, '\\'), *sl = s1 > s2 ? s1 : s2;
    if (!sl || !sl[1] || !strcmp(sl + 1, ".") || !strcmp(sl + 1, "..")) { free(p); return 0; }  /* a top folder */
    if (sl == p || sl[-1] == ':') sl[1] = '\0';  /* "/" or "C:\\": kept */
    else *sl = '\0';
  }
  if (out) *out = p;
  else free(p);
  return 1;
}

void journal_id(const plat_info *st, char *buf, size_t len) {
  snprintf(buf, len, "%llx:%llx", (unsigned long long)st->dev, (unsigned long long)st->ino);
}

/* Append text to the buffer; -1 on no memory. */
static int buffer(copy_journal *j, const char *text, size_t n) {
  if (j->n + n > j->cap) {
    size_t c = j->cap ? j->cap * 2 : 4096;
    while (c < j->n + n) c *= 2;
    char *nb = realloc(j->buf, c);
    if (!nb) return -1;
    j->buf = nb, j->cap = c;
  }
  memcpy(j->buf + j->n, text, n);
  j->n += n;
  return 0;
}

int journal_record(copy_journal *j, const char *verb, const char *rel, const char *arg, int how, plat_err *e) {
  char *enc = encode(rel);
  if (!enc) return plat_fail(e, rel, ENOMEM_CODE);
  size_t n = strlen(verb) + strlen(enc) + (arg ? strlen(arg) : 0) + 4;
  char *line = malloc(n);
  int rc = line ? 0 : plat_fail(e, rel, ENOMEM_CODE);
  if (!rc) {
    snprintf(line, n, "%s %s%s%s\n", verb, enc, arg ? " " : "", arg ? arg : "");
    rc = buffer(j, line, strlen(line)) == 0 ? 0 : plat_fail(e, rel, ENOMEM_CODE);
  }
  if (!rc && how != JOURNAL_LAZY) {  /* the buffered records and this one, in one write */
    rc = plat_write(j->f, j->buf, j->n, e);
    j->n = 0;
  }
  if (!rc && how == JOURNAL_SYNC) rc = plat_sync(j->f, e);
  free(line);
  free(enc);
  return rc;
}

int journal_flush(copy_journal *j, plat_err *e) {
  if (!j->n) return 0;
  int rc = plat_write(j->f, j->buf, j->n, e);
  j->n = 0;
  return rc;
}

void journal_abandon(copy_journal *j) {
  plat_close(j->f, NULL);
  j->f = NULL;
  free(j->buf);
  j->buf = NULL;
  j->n = j->cap = 0;
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
  if (rc) journal_abandon(j);
  return rc;
}

int journal_close(copy_journal *j, plat_err *e) {
  int rc = j->n ? plat_write(j->f, j->buf, j->n, e) : 0;
  if (!rc) rc = plat_sync(j->f, e);
  free(j->buf);
  j->buf = NULL;
  j->n = j->cap = 0;
  if (plat_close(j->f, rc ? NULL : e) != 0) rc = -1;
  j->f = NULL;
  return rc;
}

/* ---- reading a journal back ---------------------------------------------- */

static int bad(plat_err *e, const char *journal, size_t line, const char *what, const char *text) {
  return plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL), "%s:%lu: %s \"%.80s\"", journal,
                    (unsigned long)line, what, text);
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
/* The latest record of rel among the last BATCH_REACH: a batch writes
   the records of up to 32 files (two each) before their "done" records. */
#define BATCH_REACH 128
static journal_rec *latest(journal_rec *rs, size_t n, const char *rel) {
  for (size_t i = n, k = 0; i-- > 0 && k < BATCH_REACH; k++)
    if (!strcmp(rs[i].rel, rel)) return &rs[i];
  return NULL;
}

static int add_journal_rec(journal_rec **rs, size_t *n, size_t *cap, journal_rec r) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 64;
    journal_rec *nr = realloc(*rs, c * sizeof *nr);
    if (!nr) { free(*rs); *rs = NULL; return -1; }
    *rs = nr, *cap = c;
  }
  (*rs)[(*n)++] = r;
  return 0;
}

/* Parse the journal text into records (pointers into text). */
static int parse(journal_log *b, char *text, int v3, journal_rec **out, size_t *nout, plat_err *e) {
  journal_rec *rs = NULL;
  size_t n = 0, cap = 0, lineno = 1;
  char *line = text + strlen(MAGIC), *next;
  for (; *line; line = next) {
    lineno++;
    next = strchr(line, '\n');
    if (!next) break;  /* a last line cut short by a crash: ignored */
    *next++ = '\0';
    char *sp = strchr(line, ' '), *arg = sp ? strchr(sp + 1, ' ') : NULL;
    if (arg) *arg++ = '\0';
    if (!sp || decode(sp + 1) != 0) { free(rs); return bad(e, b->path, lineno, "malformed record (expected VERB PATH)", line); }
    *sp = '\0';
    char *rel = sp + 1;
    if (!strcmp(line, "dst")) b->dst = rel, b->dstline = lineno;
    else if (!strcmp(line, "backup")) b->backup = rel, b->backupline = lineno;
    else if (!strcmp(line, "root")) b->rootid = arg;
    else if (!strcmp(line, "mount")) {  /* the --root of the run (remount.c) */
      if (!b->backup || b->rootid || b->mount || arg || !journal_mount_ok(rel))
        { free(rs); return bad(e, b->path, lineno, "expected an absolute --root folder without '..', right after the backup record, in", line); }
      b->mount = rel, b->mountline = lineno;
    }
    else if (!strcmp(line, "undo") || !strcmp(line, "undone")) {
      size_t l = strtoul(rel, NULL, 10);
      for (size_t i = n; i-- > 0;)
        if (rs[i].line == l) { if (line[4]) rs[i].undone = 1; else rs[i].undo = 1; break; }
    } else if (!strcmp(line, "done")) {
      journal_rec *o = latest(rs, n, rel);
      if (o && arg) o->sum = arg;
    } else if (!strcmp(line, "unchanged")) {  /* the overwrite of its file did not happen */
      journal_rec *o = latest(rs, n, rel);
      if (!v3 || !o || strcmp(o->verb, "overwrite"))
        { free(rs); return bad(e, b->path, lineno, "expected after the overwrite record of its file (format 3):", line); }
      o->undone = 1;
    } else if (!strcmp(line, "service")) {
      if (!v3 || !b->dst || !b->rootid || arg || !is_service(rel)) { free(rs); return bad(e, b->path, lineno, "expected a service's name after the root record (format 3) in", line); }
      if (add_journal_rec(&rs, &n, &cap, (journal_rec){ lineno, line, rel, NULL, NULL, 0, 0 }) != 0) return plat_fail(e, b->path, ENOMEM_CODE);
    } else if (!strcmp(line, "createparent") || !strcmp(line, "mkparent")) {  /* a parent of the destination */
      int mk = line[0] == 'm';
      if (!b->dst || !b->backup || b->rootid) { free(rs); return bad(e, b->path, lineno, "expected after the dst and backup records, before the root's, in", line); }
      if (!digits(rel) || strlen(rel) > 2 || atoi(rel) < 1 || !journal_ancestor(b->dst, atoi(rel) + 1, NULL) || (mk ? !arg || !is_id(arg) : arg != NULL))
        { free(rs); return bad(e, b->path, lineno, mk ? "expected a parent's number and DEV:INO in" : "expected a parent's number in", line); }
      if (add_journal_rec(&rs, &n, &cap, (journal_rec){ lineno, line, rel, arg, NULL, 0, 0 }) != 0) return plat_fail(e, b->path, ENOMEM_CODE);
    } else if (!strcmp(line, "create") || !strcmp(line, "createdir") || !strcmp(line, "createpending")) {
      /* the intent before REL.sxsfix-new, folder REL or REL.sxsfix-pendingN is created */
      int pend = line[6] == 'p', root = line[6] == 'd' && !*rel;  /* createdir "": the destination */
      if (!b->dst || !b->backup || (!b->rootid && !root)) { free(rs); return bad(e, b->path, lineno, "a record before the dst, backup and root records:", line); }
      if ((!*rel && !root) || !inside(rel)) { free(rs); return bad(e, b->path, lineno, "a record outside the destination (expected a relative path without '..'):", rel); }
      if (pend ? !arg || !digits(arg) || strlen(arg) > 2 || atoi(arg) < 1 || atoi(arg) > 16 : arg != NULL)
        { free(rs); return bad(e, b->path, lineno, pend ? "expected a number from 1 to 16 in" : "expected no argument in", line); }
      if (add_journal_rec(&rs, &n, &cap, (journal_rec){ lineno, line, rel, arg, NULL, 0, 0 }) != 0) return plat_fail(e, b->path, ENOMEM_CODE);
    } else if (!strcmp(line, "new") || !strcmp(line, "mkdir") || !strcmp(line, "overwrite") ||
               !strcmp(line, "dirmeta") || !strcmp(line, "pending")) {
      int num = line[0] == 'o' || line[0] == 'd', pend = line[0] == 'p';
      if (line[0] == 'm' && !*rel && !b->rootid) b->rootid = arg;  /* a new root, before its root record */
      if (!b->dst || !b->backup || !b->rootid) { free(rs); return bad(e, b->path, lineno, "a record before the dst, backup and root records:", line); }
      if (pend && !v3) { free(rs); return bad(e, b->path, lineno, "a record format 2 does not have:", line); }
      if (!inside(rel) || (pend && !*rel)) { free(rs); return bad(e, b->path, lineno, "a record outside the destination (expected a relative path without '..'):", rel); }
      if (!arg || !(pend ? is_pending(arg) : num ? digits(arg) : is_id(arg)))
        { free(rs); return bad(e, b->path, lineno, pend ? "expected DEV:INO and a number from 1 to 16 in" : num ? "expected a backup number in" : "expected DEV:INO in", line); }
      if (add_journal_rec(&rs, &n, &cap, (journal_rec){ lineno, line, rel, arg, NULL, 0, 0 }) != 0) return plat_fail(e, b->path, ENOMEM_CODE);
    }
  }
  *out = rs;
  *nout = n;
  return 0;
}


/* Mark record line l of j undone (undone 1) or being undone (0). */
static void mark(journal_log *j, size_t l, int undone) {
  for (size_t i = j->n; i-- > 0;)
    if (j->rs[i].line == l) { if (undone) j->rs[i].undone = 1; else j->rs[i].undo = 1; return; }
}

/* The rollback's progress file PATH.rollback, when there is one: only
   "undo L", "undone L" and "rollback N" lines (a last line cut short by a
   kill is ignored). */
static int load_progress(journal_log *j, plat_err *e) {
  char *pp = cr_suffixed(j->path, JOURNAL_PROGRESS), *t;
  size_t len, lineno = 0;
  plat_err re;
  if (!pp) return plat_fail(e, j->path, ENOMEM_CODE);
  if (plat_read_file(pp, &t, &len, &re) != 0) {
    free(pp);
    if (plat_is_notfound(re.code)) return 0;
    *e = re;
    return -1;
  }
  int rc = 0;
  for (char *line = t, *next; !rc && (next = memchr(line, '\n', len - (size_t)(line - t))); line = next + 1) {
    *next = '\0';
    lineno++;
    char *sp = strchr(line, ' ');
    if (sp) *sp++ = '\0';
    int u = !strcmp(line, "undo"), d = !strcmp(line, "undone");
    if (!sp || !digits(sp) || strlen(sp) > 18 || (!u && !d && strcmp(line, "rollback")))
      rc = bad(e, pp, lineno, "expected \"undo LINE\", \"undone LINE\" or \"rollback N\":", line);
    else if (u || d) mark(j, strtoul(sp, NULL, 10), d);
  }
  free(t);
  free(pp);
  return rc;
}

int journal_load(journal_log *j, const char *path, plat_err *e) {
  size_t len;
  memset(j, 0, sizeof *j);
  j->path = path;
  if (plat_read_file(path, &j->text, &len, e) != 0) return -1;
  if (len < strlen(MAGIC) && strncmp(j->text, MAGIC, len) == 0) return 0;  /* killed while writing line 1 */
  int v3 = strncmp(j->text, MAGIC, strlen(MAGIC)) == 0;
  if (!v3 && strncmp(j->text, MAGIC2, strlen(MAGIC2)) != 0) {
    int v1 = strncmp(j->text, "sxsfix-copy-journal 1\n", 22) == 0;
    journal_log_free(j);
    return plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL),
                      "%s: not an sxsfix copy journal (expected \"sxsfix-copy-journal 3\" or 2 on line 1%s)",
                      path, v1 ? "; format 1 is an older sxsfix's: roll back with it" : "");
  }
  if (parse(j, j->text, v3, &j->rs, &j->n, e) != 0 || load_progress(j, e) != 0) { journal_log_free(j); return -1; }
  return 0;
}

void journal_log_free(journal_log *j) {
  free(j->mapped[0]);
  free(j->mapped[1]);
  j->mapped[0] = j->mapped[1] = NULL;
  free(j->rs);
  free(j->text);
  j->rs = NULL;
  j->text = NULL;
}
