/* secdesc.c: self-relative security descriptors: decode, encode, format. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/secdesc.h"

#define HDR 20

static int fail(char *err, size_t n, const char *fmt, ...) {
  if (err && n) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void wr16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void wr32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The SID at b[off..end); its size in *used. */
static int get_sid(const unsigned char *b, size_t off, size_t end, sd_sid *s, size_t *used,
                   const char *what, char *err, size_t en) {
  if (off > end || end - off < 8) return fail(err, en, "%s: SID at offset %zu is truncated", what, off);
  s->rev = b[off];
  s->n = b[off + 1];
  if (s->rev != 1) return fail(err, en, "%s: SID revision %u (expected 1)", what, s->rev);
  if (s->n > SD_SID_MAXSUB) return fail(err, en, "%s: SID has %u sub-authorities (at most 15)", what, s->n);
  if (end - off - 8 < 4u * s->n) return fail(err, en, "%s: SID at offset %zu is truncated", what, off);
  s->auth = 0;
  for (int i = 0; i < 6; i++) s->auth = s->auth << 8 | b[off + 2 + i];
  for (int i = 0; i < s->n; i++) s->sub[i] = rd32(b + off + 8 + 4 * i);
  *used = 8 + 4u * s->n;
  return 0;
}

static int has_sid_body(uint8_t t) {
  return t <= 3 || t == 0x09 || t == 0x0a || t == 0x0d || (t >= 0x11 && t <= 0x13);
}

static int get_acl(const unsigned char *b, size_t len, size_t off, sd_acl *a, const char *what,
                   char *err, size_t en) {
  if (off > len || len - off < 8) return fail(err, en, "%s: ACL at offset %zu is outside the descriptor (%zu bytes)", what, off, len);
  a->rev = b[off];
  size_t size = rd16(b + off + 2), count = rd16(b + off + 4);
  if (a->rev < 2 || a->rev > 4) return fail(err, en, "%s: ACL revision %u (expected 2 or 4)", what, a->rev);
  if (size < 8 || size > len - off) return fail(err, en, "%s: ACL size %zu does not fit the descriptor", what, size);
  if (count > (size - 8) / 4) return fail(err, en, "%s: ACL claims %zu ACEs in %zu bytes", what, count, size);
  a->aces = count ? calloc(count, sizeof *a->aces) : NULL;
  if (count && !a->aces) return fail(err, en, "%s: out of memory", what);
  size_t p = off + 8, end = off + size;
  for (size_t i = 0; i < count; i++) {
    sd_ace *ace = &a->aces[i];
    if (end - p < 4) return fail(err, en, "%s: ACE %zu is outside the ACL", what, i);
    ace->type = b[p];
    ace->flags = b[p + 1];
    size_t asz = rd16(b + p + 2), used;
    if (asz < 8 || asz > end - p) return fail(err, en, "%s: ACE %zu size %zu does not fit the ACL", what, i, asz);
    if (!has_sid_body(ace->type)) return fail(err, en, "%s: ACE %zu has an unsupported type 0x%02x", what, i, ace->type);
    ace->mask = rd32(b + p + 4);
    a->n = i + 1;
    if (get_sid(b, p + 8, p + asz, &ace->sid, &used, what, err, en) != 0) return -1;
    ace->nextra = asz - 8 - used;
    if (ace->nextra) {
      if (!(ace->extra = malloc(ace->nextra))) return fail(err, en, "%s: out of memory", what);
      memcpy(ace->extra, b + p + 8 + used, ace->nextra);
    }
    p += asz;
  }
  a->n = count;
  return 0;
}

int sd_decode(const unsigned char *b, size_t len, secdesc *sd, char *err, size_t en) {
  memset(sd, 0, sizeof *sd);
  if (len < HDR) return fail(err, en, "security descriptor of %zu bytes is truncated (at least 20)", len);
  if (b[0] != 1) return fail(err, en, "security descriptor revision %u (expected 1)", b[0]);
  sd->control = rd16(b + 2);
  if (!(sd->control & SD_SELF_RELATIVE)) return fail(err, en, "security descriptor is not self-relative");
  uint32_t oo = rd32(b + 4), go = rd32(b + 8), so = rd32(b + 12), dof = rd32(b + 16);
  size_t used;
  if (oo) {
    if (get_sid(b, oo, len, &sd->owner, &used, "owner", err, en) != 0) return -1;
    sd->has_owner = 1;
  }
  if (go) {
    if (get_sid(b, go, len, &sd->group, &used, "group", err, en) != 0) return -1;
    sd->has_group = 1;
  }
  if ((sd->sacl.present = (sd->control & SD_SACL_PRESENT) != 0)) {
    if (!so) sd->sacl.null = 1;
    else if (get_acl(b, len, so, &sd->sacl, "SACL", err, en) != 0) return -1;
  }
  if ((sd->dacl.present = (sd->control & SD_DACL_PRESENT) != 0)) {
    if (!dof) sd->dacl.null = 1;
    else if (get_acl(b, len, dof, &sd->dacl, "DACL", err, en) != 0) return -1;
  }
  return 0;
}

static void free_acl(sd_acl *a) {
  for (size_t i = 0; i < a->n; i++) free(a->aces[i].extra);
  free(a->aces);
  a->aces = NULL;
  a->n = 0;
}

void sd_free(secdesc *sd) {
  free_acl(&sd->dacl);
  free_acl(&sd->sacl);
}

static void acl_for_file(sd_acl *a) {
  size_t k = 0;
  for (size_t i = 0; i < a->n; i++) {
    sd_ace ace = a->aces[i];
    if (!(ace.flags & 0x01)) { free(ace.extra); continue; }  /* not for files */
    ace.flags &= (uint8_t)~0x0fu;
    a->aces[k++] = ace;
  }
  a->n = k;
}

void sd_for_file(secdesc *sd) {
  acl_for_file(&sd->dacl);
  acl_for_file(&sd->sacl);
}

/* ---- encoding ---------------------------------------------------------- */

static int check_sid(const sd_sid *s, const char *what, char *err, size_t en) {
  if (s->rev != 1 || s->n > SD_SID_MAXSUB || s->auth >> 48)
    return fail(err, en, "%s: invalid SID (revision %u, %u sub-authorities)", what, s->rev, s->n);
  return 0;
}

/* The encoded size of ACL a (0 when absent or null), or -1. */
static long acl_size(const sd_acl *a, const char *what, char *err, size_t en) {
  if (!a->present || a->null) return 0;
  if (a->n > 0xffff) return fail(err, en, "%s: too many ACEs", what);
  size_t size = 8;
  for (size_t i = 0; i < a->n; i++) {
    const sd_ace *ace = &a->aces[i];
    if (check_sid(&ace->sid, what, err, en) != 0) return -1;
    if (!has_sid_body(ace->type)) return fail(err, en, "%s: ACE %zu has an unsupported type 0x%02x", what, i, ace->type);
    size_t asz = 8 + 8 + 4u * ace->sid.n + ace->nextra;
    if (asz > 0xffff) return fail(err, en, "%s: ACE %zu is too large", what, i);
    size += asz;
  }
  if (size > 0xffff) return fail(err, en, "%s: ACL is too large (%zu bytes)", what, size);
  return (long)size;
}

static size_t put_sid(unsigned char *p, const sd_sid *s) {
  p[0] = s->rev;
  p[1] = s->n;
  for (int i = 0; i < 6; i++) p[2 + i] = (unsigned char)(s->auth >> (8 * (5 - i)));
  for (int i = 0; i < s->n; i++) wr32(p + 8 + 4 * i, s->sub[i]);
  return 8 + 4u * s->n;
}

static void put_acl(unsigned char *p, const sd_acl *a, size_t size) {
  p[0] = a->rev ? a->rev : 2;
  p[1] = 0;
  wr16(p + 2, (uint16_t)size);
  wr16(p + 4, (uint16_t)a->n);
  wr16(p + 6, 0);
  unsigned char *q = p + 8;
  for (size_t i = 0; i < a->n; i++) {
    const sd_ace *ace = &a->aces[i];
    size_t asz = 8 + 8 + 4u * ace->sid.n + ace->nextra;
    q[0] = ace->type;
    q[1] = ace->flags;
    wr16(q + 2, (uint16_t)asz);
    wr32(q + 4, ace->mask);
    size_t s = put_sid(q + 8, &ace->sid);
    if (ace->nextra) memcpy(q + 8 + s, ace->extra, ace->nextra);
    q += asz;
  }
}

int sd_encode(const secdesc *sd, unsigned char **out, size_t *len, char *err, size_t en) {
  *out = NULL;
  *len = 0;
  if (sd->has_owner && check_sid(&sd->owner, "owner", err, en) != 0) return -1;
  if (sd->has_group && check_sid(&sd->group, "group", err, en) != 0) return -1;
  long ss = acl_size(&sd->sacl, "SACL", err, en), ds = acl_size(&sd->dacl, "DACL", err, en);
  if (ss < 0 || ds < 0) return -1;
  size_t os = sd->has_owner ? 8 + 4u * sd->owner.n : 0, gs = sd->has_group ? 8 + 4u * sd->group.n : 0;
  size_t total = HDR + os + gs + (size_t)ss + (size_t)ds;
  unsigned char *b = calloc(1, total);
  if (!b) return fail(err, en, "out of memory");
  uint16_t control = (uint16_t)(sd->control & ~(SD_DACL_PRESENT | SD_SACL_PRESENT));
  control |= SD_SELF_RELATIVE;
  if (sd->dacl.present) control |= SD_DACL_PRESENT;
  if (sd->sacl.present) control |= SD_SACL_PRESENT;
  b[0] = 1;
  wr16(b + 2, control);
  size_t p = HDR;
  if (os) { wr32(b + 4, (uint32_t)p); p += put_sid(b + p, &sd->owner); }
  if (gs) { wr32(b + 8, (uint32_t)p); p += put_sid(b + p, &sd->group); }
  if (ss) { wr32(b + 12, (uint32_t)p); put_acl(b + p, &sd->sacl, (size_t)ss); p += (size_t)ss; }
  if (ds) { wr32(b + 16, (uint32_t)p); put_acl(b + p, &sd->dacl, (size_t)ds); p += (size_t)ds; }
  *out = b;
  *len = total;
  return 0;
}

/* ---- text -------------------------------------------------------------- */

int sd_sid_parse(const char *s, sd_sid *sid) {
  memset(sid, 0, sizeof *sid);
  if ((s[0] != 'S' && s[0] != 's') || s[1] != '-') return -1;
  const char *p = s + 2;
  uint64_t v[2 + SD_SID_MAXSUB];
  int n = 0;
  for (;;) {
    if (n == 2 + SD_SID_MAXSUB || *p < '0' || *p > '9') return -1;
    uint64_t x = 0;
    while (*p >= '0' && *p <= '9') {
      x = x * 10 + (uint64_t)(*p++ - '0');
      if (x >> 48) return -1;
    }
    v[n++] = x;
    if (!*p) break;
    if (*p++ != '-') return -1;
  }
  if (n < 2 || v[0] != 1) return -1;
  sid->rev = 1;
  sid->auth = v[1];
  sid->n = (uint8_t)(n - 2);
  for (int i = 2; i < n; i++) {
    if (v[i] > 0xffffffffu) return -1;
    sid->sub[i - 2] = (uint32_t)v[i];
  }
  return 0;
}

void sd_sid_format(const sd_sid *sid, char buf[SD_SID_STRMAX]) {
  int k = snprintf(buf, SD_SID_STRMAX, "S-%u-%" PRIu64, sid->rev, sid->auth);
  for (int i = 0; i < sid->n && i < SD_SID_MAXSUB && k > 0 && k < SD_SID_STRMAX; i++)
    k += snprintf(buf + k, SD_SID_STRMAX - (size_t)k, "-%" PRIu32, sid->sub[i]);
}

static const struct { uint32_t mask; const char *name; } rights[] = {
  {0x1f01ff, "FA"}, {0x120089, "FR"}, {0x120116, "FW"}, {0x1200a9, "FX"},
  {0x10000000, "GA"}, {0x80000000u, "GR"}, {0x40000000, "GW"}, {0x20000000, "GX"},
};
static const struct { uint8_t bit; const char *name; } aceflags[] = {
  {0x01, "OI"}, {0x02, "CI"}, {0x04, "NP"}, {0x08, "IO"}, {0x10, "ID"}, {0x40, "SA"}, {0x80, "FA"},
};

void sd_format_ace(const sd_ace *a, char *buf, size_t n) {
  const char *t = a->type == SD_ACE_ALLOWED ? "A" : a->type == SD_ACE_DENIED ? "D"
                : a->type == SD_ACE_AUDIT ? "AU" : a->type == SD_ACE_ALARM ? "AL"
                : a->type == SD_ACE_LABEL ? "ML" : NULL;
  char type[8], flags[32] = "", mask[16], sid[SD_SID_STRMAX];
  snprintf(type, sizeof type, "%s", t ? t : "");
  if (!t) snprintf(type, sizeof type, "0x%02x", a->type);
  uint8_t rest = a->flags;
  for (size_t i = 0; i < sizeof aceflags / sizeof *aceflags; i++)
    if (rest & aceflags[i].bit) { strcat(flags, aceflags[i].name); rest &= (uint8_t)~aceflags[i].bit; }
  if (rest) snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "0x%02x", rest);
  snprintf(mask, sizeof mask, "0x%" PRIx32, a->mask);
  for (size_t i = 0; i < sizeof rights / sizeof *rights; i++)
    if (a->mask == rights[i].mask) snprintf(mask, sizeof mask, "%s", rights[i].name);
  sd_sid_format(&a->sid, sid);
  snprintf(buf, n, "(%s;%s;%s;;;%s)", type, flags, mask, sid);
}

/* Append the text of ACL a ("D:" or "S:" tag) to the growing string. */
static char *add(char *s, size_t *len, const char *piece) {
  size_t pl = strlen(piece);
  char *n = s ? realloc(s, *len + pl + 1) : NULL;
  if (!n) { free(s); return NULL; }
  memcpy(n + *len, piece, pl + 1);
  *len += pl;
  return n;
}

static char *add_acl(char *s, size_t *len, const char *tag, const sd_acl *a, int prot, int ai) {
  if (!a->present) return s;
  char buf[300];
  snprintf(buf, sizeof buf, "%s%s:%s%s%s", *len ? " " : "", tag, prot ? "P" : "", ai ? "AI" : "",
           a->null ? "NO_ACCESS_CONTROL" : "");
  s = add(s, len, buf);
  for (size_t i = 0; s && i < a->n; i++) {
    sd_format_ace(&a->aces[i], buf, sizeof buf);
    s = add(s, len, buf);
  }
  return s;
}

char *sd_format(const secdesc *sd) {
  size_t len = 0;
  char *s = calloc(1, 1), sid[SD_SID_STRMAX], buf[SD_SID_STRMAX + 8];
  if (s && sd->has_owner) {
    sd_sid_format(&sd->owner, sid);
    snprintf(buf, sizeof buf, "O:%s", sid);
    s = add(s, &len, buf);
  }
  if (s && sd->has_group) {
    sd_sid_format(&sd->group, sid);
    snprintf(buf, sizeof buf, "%sG:%s", len ? " " : "", sid);
    s = add(s, &len, buf);
  }
  if (s) s = add_acl(s, &len, "D", &sd->dacl, sd->control & SD_DACL_PROTECTED, sd->control & SD_DACL_AUTO_INH);
  if (s) s = add_acl(s, &len, "S", &sd->sacl, sd->control & SD_SACL_PROTECTED, sd->control & SD_SACL_AUTO_INH);
  return s;
}
