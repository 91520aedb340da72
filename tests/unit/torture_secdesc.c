/* torture_secdesc.c: self-relative security descriptors: SIDs, round trips
   of every field, a descriptor written by hand, and malformed input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/secdesc.h"

#define TI "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

/* WinSxS-like: owner TrustedInstaller, group SYSTEM, protected DACL with
   TrustedInstaller full control and SYSTEM, Administrators, Users read &
   execute; written byte by byte from the format's definition. */
static const char winsxs_hex[] =
  "01000490" "14000000" "34000000" "00000000" "40000000"
  "010600000000000550000000b589fb381984c2cb5c6c236d5700776ec0026487"   /* owner */
  "010100000000000512000000"                                           /* group */
  "0200" "7400" "0400" "0000"                                          /* DACL */
  "00032800ff011f00" "010600000000000550000000b589fb381984c2cb5c6c236d5700776ec0026487"
  "00031400a9001200" "010100000000000512000000"
  "00031800a9001200" "01020000000000052000000020020000"
  "00031800a9001200" "01020000000000052000000021020000";

static size_t unhex(const char *h, unsigned char *out) {
  size_t n = 0;
  for (; h[0] && h[1]; h += 2) {
    unsigned v;
    sscanf(h, "%2x", &v);
    out[n++] = (unsigned char)v;
  }
  return n;
}

static sd_sid sid(const char *s) {
  sd_sid r;
  if (sd_sid_parse(s, &r) != 0) fail_msg("cannot parse %s", s);
  return r;
}

static void case_sid_text(void **state) {
  (void)state;
  const char *good[] = { TI, "S-1-5-18", "S-1-1-0", "S-1-5-32-544", "S-1-16-12288",
                         "S-1-5-21-1-2-3-4294967295", "S-1-281474976710655" };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    char buf[SD_SID_STRMAX];
    sd_sid s = sid(good[i]);
    sd_sid_format(&s, buf);
    assert_string_equal(buf, good[i]);
  }
  const char *bad[] = { "", "S-", "S-1", "X-1-5", "S-2-5-18", "S-1-5-", "S-1--5", "S-1-5-18x",
                        "S-1-5-4294967296", "S-1-281474976710656",
                        "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16" };
  sd_sid s;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (sd_sid_parse(bad[i], &s) == 0) fail_msg("accepted '%s'", bad[i]);
  assert_int_equal(sd_sid_parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15", &s), 0);
  assert_int_equal(s.n, 15);
}

static void assert_sid(const sd_sid *a, const sd_sid *b) {
  char x[SD_SID_STRMAX], y[SD_SID_STRMAX];
  sd_sid_format(a, x);
  sd_sid_format(b, y);
  assert_string_equal(x, y);
}

static sd_ace ace(uint8_t type, uint8_t flags, uint32_t mask, const char *s) {
  sd_ace a = { .type = type, .flags = flags, .mask = mask, .sid = sid(s) };
  return a;
}

/* The hand-written bytes: decoded field by field, re-encoded identically. */
static void case_winsxs_bytes(void **state) {
  (void)state;
  unsigned char b[512];
  size_t n = unhex(winsxs_hex, b);
  secdesc sd;
  char err[200];
  if (sd_decode(b, n, &sd, err, sizeof err) != 0) fail_msg("%s", err);
  char buf[SD_SID_STRMAX];
  sd_sid_format(&sd.owner, buf);
  assert_string_equal(buf, TI);
  sd_sid_format(&sd.group, buf);
  assert_string_equal(buf, "S-1-5-18");
  assert_true(sd.dacl.present && !sd.sacl.present);
  assert_int_equal(sd.control, 0x9004);
  assert_int_equal(sd.dacl.n, 4);
  assert_int_equal(sd.dacl.aces[0].mask, 0x1f01ff);
  assert_int_equal(sd.dacl.aces[3].flags, 3);
  sd_sid_format(&sd.dacl.aces[3].sid, buf);
  assert_string_equal(buf, "S-1-5-32-545");
  char *text = sd_format(&sd);
  assert_string_equal(text, "O:" TI " G:S-1-5-18 D:P(A;OICI;FA;;;" TI ")(A;OICI;FX;;;S-1-5-18)"
                            "(A;OICI;FX;;;S-1-5-32-544)(A;OICI;FX;;;S-1-5-32-545)");
  free(text);
  unsigned char *out;
  size_t len;
  assert_int_equal(sd_encode(&sd, &out, &len, err, sizeof err), 0);
  assert_int_equal(len, n);
  assert_memory_equal(out, b, n);
  free(out);
  sd_free(&sd);
}

/* Every field and ACE kind through encode and decode, and back again. */
static void case_round_trip(void **state) {
  (void)state;
  unsigned char extra[] = { 0xde, 0xad, 0xbe, 0xef };
  sd_ace d[] = { ace(SD_ACE_DENIED, 0x0b, 0x40000000, "S-1-1-0"), ace(SD_ACE_ALLOWED, 0x13, 0x1f01ff, TI),
                 ace(0x09, 0, 0x1200a9, "S-1-5-11") };
  d[2].extra = extra;
  d[2].nextra = sizeof extra;
  sd_ace s[] = { ace(SD_ACE_AUDIT, 0xc0, 0x10000000, "S-1-1-0"), ace(SD_ACE_LABEL, 0, 1, "S-1-16-12288") };
  secdesc in = { .control = SD_DACL_PROTECTED | SD_DACL_AUTO_INH | SD_SACL_AUTO_INH,
                 .has_owner = 1, .has_group = 1, .owner = sid(TI), .group = sid("S-1-5-32-544"),
                 .dacl = { 1, 0, 2, 3, d }, .sacl = { 1, 0, 2, 2, s } };
  unsigned char *b, *b2;
  size_t n, n2;
  char err[200];
  assert_int_equal(sd_encode(&in, &b, &n, err, sizeof err), 0);
  secdesc out;
  if (sd_decode(b, n, &out, err, sizeof err) != 0) fail_msg("%s", err);
  assert_int_equal(out.control, in.control | SD_SELF_RELATIVE | SD_DACL_PRESENT | SD_SACL_PRESENT);
  assert_sid(&out.owner, &in.owner);
  assert_sid(&out.group, &in.group);
  assert_int_equal(out.dacl.n, 3);
  assert_int_equal(out.sacl.n, 2);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(out.dacl.aces[i].type, d[i].type);
    assert_int_equal(out.dacl.aces[i].flags, d[i].flags);
    assert_int_equal(out.dacl.aces[i].mask, d[i].mask);
    assert_sid(&out.dacl.aces[i].sid, &d[i].sid);
  }
  assert_int_equal(out.dacl.aces[2].nextra, 4);
  assert_memory_equal(out.dacl.aces[2].extra, extra, 4);
  assert_int_equal(out.sacl.aces[1].type, SD_ACE_LABEL);
  char *text = sd_format(&out);
  assert_string_equal(text, "O:" TI " G:S-1-5-32-544 D:PAI(D;OICIIO;GW;;;S-1-1-0)(A;OICIID;FA;;;" TI ")"
                            "(0x09;;FX;;;S-1-5-11) S:AI(AU;SAFA;GA;;;S-1-1-0)(ML;;0x1;;;S-1-16-12288)");
  free(text);
  assert_int_equal(sd_encode(&out, &b2, &n2, err, sizeof err), 0);
  assert_int_equal(n2, n);
  assert_memory_equal(b2, b, n);
  free(b);
  free(b2);
  sd_free(&out);

  /* no owner, no group, a NULL DACL, an empty SACL */
  secdesc bare = { .dacl = { .present = 1, .null = 1 }, .sacl = { .present = 1 } };
  assert_int_equal(sd_encode(&bare, &b, &n, err, sizeof err), 0);
  assert_int_equal(n, 20 + 8);
  if (sd_decode(b, n, &out, err, sizeof err) != 0) fail_msg("%s", err);
  assert_true(!out.has_owner && !out.has_group && out.dacl.null && out.sacl.present && !out.sacl.null);
  text = sd_format(&out);
  assert_string_equal(text, "D:NO_ACCESS_CONTROL S:");
  free(text);
  free(b);
  sd_free(&out);
}

static void expect_bad(const unsigned char *b, size_t n, const char *want) {
  secdesc sd;
  char err[200] = "";
  unsigned char *copy = malloc(n ? n : 1);  /* exactly n bytes: ASan catches any over-read */
  memcpy(copy, b, n);
  int rc = sd_decode(copy, n, &sd, err, sizeof err);
  sd_free(&sd);
  free(copy);
  if (rc == 0) fail_msg("accepted a malformed descriptor (expected: %s)", want);
  if (!strstr(err, want)) fail_msg("message '%s' does not say '%s'", err, want);
}

static void case_malformed(void **state) {
  (void)state;
  unsigned char b[512], m[512];
  size_t n = unhex(winsxs_hex, b);
  secdesc sd;
  char err[200];
  for (size_t k = 0; k < n; k++) {  /* every truncation fails cleanly */
    unsigned char *t = malloc(k ? k : 1);
    memcpy(t, b, k);
    if (sd_decode(t, k, &sd, err, sizeof err) == 0) fail_msg("accepted %u of %u bytes", (unsigned)k, (unsigned)n);
    sd_free(&sd);
    free(t);
  }
  expect_bad(b, 19, "truncated");
#define MUT(off, val, want) do { memcpy(m, b, n); m[off] = (val); expect_bad(m, n, want); } while (0)
  MUT(0, 2, "revision");
  MUT(3, 0x10, "not self-relative");
  MUT(4, 0xf0, "owner: SID at offset 240 is truncated");   /* owner offset past the end */
  MUT(7, 0x80, "owner");                                    /* huge offset */
  MUT(8, 0xfe, "group");
  MUT(16, 0xf0, "DACL: ACL at offset 240 is outside");
  MUT(0x15, 16, "at most 15");                              /* owner sub-authority count */
  MUT(0x14, 2, "SID revision");
  MUT(0x42, 0xff, "ACL size 255 does not fit");             /* ACL size lies (too big) */
  MUT(0x42, 0x30, "ACE 1 is outside the ACL");              /* too small for its ACEs */
  MUT(0x42, 0x20, "ACE 0 size 40 does not fit");
  MUT(0x44, 0x1c, "claims 28 ACEs");                        /* ACE count lies */
  MUT(0x44, 0x05, "ACE 4 is outside the ACL");
  MUT(0x40, 9, "ACL revision");
  MUT(0x4b, 0x01, "ACE 0 size 296 does not fit");           /* ACE size lies */
  MUT(0x4a, 0x04, "ACE 0 size 4 does not fit");
  MUT(0x48, 0x05, "unsupported type 0x05");                 /* object ACE */
  MUT(0x51, 0x07, "DACL: SID at offset 80 is truncated");   /* ACE SID bigger than the ACE */
  /* the SACL bit with an offset out of range */
  memcpy(m, b, n);
  m[2] |= SD_SACL_PRESENT;
  m[12] = 0xff;
  expect_bad(m, n, "SACL");
  /* random corruption never crashes nor reads out of bounds (under ASan) */
  srand(8);
  for (int i = 0; i < 20000; i++) {
    memcpy(m, b, n);
    for (int k = 0; k < 3; k++) m[rand() % n] = (unsigned char)rand();
    if (sd_decode(m, n, &sd, err, sizeof err) == 0) {
      char *t = sd_format(&sd);
      free(t);
    }
    sd_free(&sd);
  }
}

static void case_encode_rejects(void **state) {
  (void)state;
  unsigned char *b;
  size_t n;
  char err[200];
  secdesc sd = { .has_owner = 1, .owner = { .rev = 1, .n = 16 } };
  assert_int_equal(sd_encode(&sd, &b, &n, err, sizeof err), -1);
  assert_non_null(strstr(err, "owner"));
  sd_ace a = ace(0x05, 0, 1, "S-1-1-0");
  secdesc sd2 = { .dacl = { 1, 0, 2, 1, &a } };
  assert_int_equal(sd_encode(&sd2, &b, &n, err, sizeof err), -1);
  assert_non_null(strstr(err, "unsupported type"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(case_sid_text),
    cmocka_unit_test(case_winsxs_bytes),
    cmocka_unit_test(case_round_trip),
    cmocka_unit_test(case_malformed),
    cmocka_unit_test(case_encode_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
