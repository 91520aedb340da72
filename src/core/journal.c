/*
** journal.c: the copy journal and rollback.
**
** The journal is a text file, appended to and never rewritten:
**
**   sxsfix-copy-journal 1
**   src PATH          \
**   dst PATH           > at the start of each run
**   backup PATH       /
**   mkdir REL         a folder is about to be created
**   new REL           a file is about to be created (as REL.sxsfix-new, then renamed)
**   overwrite REL     REL's bytes and metadata are in BACKUP/files/REL (complete,
**                     flushed); REL is about to be overwritten in place
**   dirmeta REL       an existing folder's metadata is in BACKUP/dirs/REL; it is
**                     about to change
**   done REL          the item was written
**   end ok|failed:N   the run finished (N items failed)
**   rollback N        a rollback finished (N failures)
**
** PATH and REL are percent-encoded: bytes up to space, '%' and 0x7f become
** %XX. REL uses '/'. "overwrite" and "dirmeta" records are flushed to disk
** (fsync) before the destination changes; the others are written without
** a flush (they survive a killed process; after a power loss an
** unrecorded new file or folder would remain as an extra, losing nothing).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/copy.h"

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
   below it: not absolute, no drive letter, no "." or ".." component. A journal is
   ours, but one on a damaged disk or edited by hand must not make a
   rollback remove or overwrite files outside the destination. */
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

int journal_record(copy_journal *j, const char *verb, const char *rel, int sync, plat_err *e) {
  char *enc = encode(rel);
  if (!enc) return plat_fail(e, rel, ENOMEM_CODE);
  size_t n = strlen(verb) + strlen(enc) + 3;
  char *line = malloc(n);
  int rc = line ? 0 : plat_fail(e, rel, ENOMEM_CODE);
  if (!rc) {
    snprintf(line, n, "%s %s\n", verb, enc);
    rc = plat_write(j->f, line, strlen(line), e);
  }
  if (!rc && sync) rc = plat_sync(j->f, e);
  free(line);
  free(enc);
  return rc;
}

int journal_open(copy_journal *j, const char *path, const char *src, const char *dst,
                 const char *backup, plat_err *e) {
  plat_info st;
  plat_err ignore;
  int fresh = plat_stat(path, 1, &st, &ignore) != 0 || st.size == 0;
  if (!(j->f = plat_open_write(path, PLAT_OPEN_APPEND, e))) return -1;
  int rc = 0;
  if (fresh) rc = plat_write(j->f, "sxsfix-copy-journal 1\n", 22, e);
  if (!rc) rc = journal_record(j, "src", src, 0, e);
  if (!rc) rc = journal_record(j, "dst", dst, 0, e);
  if (!rc) rc = journal_record(j, "backup", backup, 1, e);
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

typedef struct record { char *verb, *rel, *dst, *backup; } record;

static void note_error(copy_rollback_stats *st, const plat_err *e) {
  st->failed++;
  if (!st->first_error) st->first_error = strdup(e->msg);
}

static void undo(const record *r, copy_rollback_stats *st) {
  char *d = copy_join(r->dst, r->rel);
  plat_err e;
  if (!d) return;
  if (strcmp(r->verb, "new") == 0) {
    char *tmp = malloc(strlen(d) + 13);
    if (tmp) {
      sprintf(tmp, "%s.sxsfix-new", d);
      if (plat_remove(tmp, &e) != 0 && !plat_is_notfound(e.code)) note_error(st, &e);
      free(tmp);
    }
    if (plat_remove(d, &e) == 0) st->removed++;
    else if (!plat_is_notfound(e.code)) note_error(st, &e);
  } else if (strcmp(r->verb, "mkdir") == 0) {
    if (plat_remove(d, &e) == 0) st->removed++;
    else if (!plat_is_notfound(e.code)) st->kept++;  /* holds files that are not ours */
  } else {
    int dir = strcmp(r->verb, "dirmeta") == 0;
    char *b = copy_join(r->backup, dir ? "dirs" : "files"), *bp = b ? copy_join(b, r->rel) : NULL;
    plat_meta m;
    if (!bp) { free(b); free(d); return; }
    if (dir) {
      if (plat_meta_get(bp, PLAT_META_ALL, &m, &e) == 0) {
        if (plat_meta_set(d, PLAT_META_ALL, &m, &e) == 0) st->restored++;
        else note_error(st, &e);
        plat_meta_free(&m);
      } else note_error(st, &e);
    } else if (copy_restore_file(bp, d, &e) == 0) {
      st->restored++;
    } else note_error(st, &e);
    free(bp);
    free(b);
  }
  free(d);
}

int copy_rollback(const char *journal, copy_rollback_stats *st, plat_err *e) {
  memset(st, 0, sizeof *st);
  char *text;
  size_t len;
  if (plat_read_file(journal, &text, &len, e) != 0) return -1;
  if (strncmp(text, "sxsfix-copy-journal 1\n", 22) != 0) {
    free(text);
    e->code = plat_errcode(PLAT_E_INVAL);
    snprintf(e->msg, sizeof e->msg, "%s: not an sxsfix copy journal (expected \"sxsfix-copy-journal 1\" on line 1)", journal);
    return -1;
  }
  record *rs = NULL;
  size_t n = 0, cap = 0, lineno = 1;
  char *dst = NULL, *backup = NULL;
  int rc = 0;
  for (char *line = text + 22, *next; *line && rc == 0; line = next, lineno++) {
    next = strchr(line, '\n');
    if (!next) break;  /* a last line cut short by a crash: ignored */
    *next++ = '\0';
    char *sp = strchr(line, ' ');
    if (!sp || decode(sp + 1) != 0) {
      e->code = plat_errcode(PLAT_E_INVAL);
      snprintf(e->msg, sizeof e->msg, "%s:%zu: malformed record \"%.80s\" (expected VERB PATH)", journal, lineno + 1, line);
      rc = -1;
      break;
    }
    *sp = '\0';
    char *arg = sp + 1;
    if (strcmp(line, "dst") == 0) dst = arg;
    else if (strcmp(line, "backup") == 0) backup = arg;
    else if (!strcmp(line, "new") || !strcmp(line, "mkdir") || !strcmp(line, "overwrite") ||
             !strcmp(line, "dirmeta")) {
      if (!dst || !backup) {
        e->code = plat_errcode(PLAT_E_INVAL);
        snprintf(e->msg, sizeof e->msg, "%s:%zu: a %s record before the dst and backup records", journal, lineno + 1, line);
        rc = -1;
        break;
      }
      if (!inside(arg)) {
        e->code = plat_errcode(PLAT_E_INVAL);
        snprintf(e->msg, sizeof e->msg, "%s:%zu: a %s record for \"%.80s\", outside the destination "
                 "(expected a relative path without '..')", journal, lineno + 1, line, arg);
        rc = -1;
        break;
      }
      if (n == cap) {
        cap = cap ? cap * 2 : 64;
        record *nr = realloc(rs, cap * sizeof *nr);
        if (!nr) { rc = plat_fail(e, journal, ENOMEM_CODE); break; }
        rs = nr;
      }
      rs[n++] = (record){ line, arg, dst, backup };
    }
  }
  for (size_t i = n; rc == 0 && i-- > 0;) undo(&rs[i], st);
  if (rc == 0) {  /* note the rollback in the journal itself */
    plat_file *f = plat_open_write(journal, PLAT_OPEN_APPEND, e);
    char line[64];
    snprintf(line, sizeof line, "rollback %llu\n", (unsigned long long)st->failed);
    if (!f || plat_write(f, line, strlen(line), e) != 0 || plat_sync(f, e) != 0) rc = -1;
    if (f && plat_close(f, rc ? NULL : e) != 0) rc = -1;
  }
  free(rs);
  free(text);
  return rc;
}
