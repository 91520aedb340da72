/*
** cabsig.c: where a cabinet's Authenticode signature is, and which of its
** bytes the Authenticode digest covers.
**
** CFHEADER (all little-endian):
**    0  "MSCF"            hashed
**    4  reserved1         skipped
**    8  cbCabinet .. 33   hashed (cbCabinet, reserved2, coffFiles, reserved3,
**                         version, cFolders, cFiles, flags, setID)
**   34  iCabinet          skipped
**   36  cbCFHeader (u16), cbCFFolder (u8), cbCFData (u8): skipped
**   40  abReserve[20]: 40-43 skipped (00 00 10 00), 44 signature offset (u32),
**       48 signature length (u32), 52-55 skipped, 56-59 hashed
**   60  the rest up to the signature: hashed
** The bytes that are skipped could change how a reader parses the hashed
** ones, so a signed cabinet must have them as a single cabinet has them:
** iCabinet 0, a 20-byte header reserve, no folder or data reserve, and a
** cbCabinet that ends where the signature starts.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authenticode.h"

#define MAX_SIGLEN (16u << 20)  /* a real signature is ~16 KB */

static uint32_t u16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t u32(const unsigned char *p) { return u16(p) | u16(p + 2) << 16; }

sx_sigstatus sx_cabsig_parse(const unsigned char *h, size_t n, uint64_t size,
                             sx_cabsig *cs, char *reason, size_t rlen) {
  memset(cs, 0, sizeof *cs);
  cs->size = size;
  if (n < 36 || memcmp(h, "MSCF", 4) != 0) {
    snprintf(reason, rlen, "not a cabinet file (no MSCF header)");
    return SX_SIG_BADINPUT;
  }
  if (!(u16(h + 30) & 0x0004) || n < 60 || u16(h + 36) != 20) {
    snprintf(reason, rlen, "unsigned (the cabinet has no signature reserve)");
    return SX_SIG_UNSIGNED;
  }
  cs->sigpos = u32(h + 44);
  cs->siglen = u32(h + 48);
  if (cs->sigpos == 0 || cs->siglen == 0) {
    snprintf(reason, rlen, "unsigned (the signature reserve is empty)");
    return SX_SIG_UNSIGNED;
  }
  if ((uint64_t)cs->sigpos + cs->siglen > size) {
    snprintf(reason, rlen, "unsigned (the signature area is cut off: %u bytes at %u, the file has %llu)",
             cs->siglen, cs->sigpos, (unsigned long long)size);
    return SX_SIG_UNSIGNED;
  }
  if (cs->sigpos < 60 || cs->siglen > MAX_SIGLEN || h[38] != 0 || h[39] != 0 || u16(h + 34) != 0) {
    snprintf(reason, rlen, "damaged signed cabinet (signature at %u, %u bytes; reserves %u/%u; cabinet #%u)",
             cs->sigpos, cs->siglen, h[38], h[39], u16(h + 34));
    return SX_SIG_BADINPUT;
  }
  if (u32(h + 8) != cs->sigpos) {
    snprintf(reason, rlen, "damaged signed cabinet (cbCabinet %u does not end at the signature, %u)",
             u32(h + 8), cs->sigpos);
    return SX_SIG_BADINPUT;
  }
  if (size - ((uint64_t)cs->sigpos + cs->siglen) >= 8) {
    snprintf(reason, rlen, "digest mismatch (%llu bytes after the signature are not covered by it)",
             (unsigned long long)(size - cs->sigpos - cs->siglen));
    return SX_SIG_DIGEST;
  }
  return SX_SIG_OK;
}

/* The hashed ranges [from, to) of the file. */
static const uint32_t ranges[][2] = { {0, 4}, {8, 34}, {56, 0} };

void sx_cabsig_feed(const unsigned char *block, size_t n, uint64_t off, uint32_t sigpos,
                    void (*update)(void *ud, const void *p, size_t n), void *ud) {
  uint64_t end = off + n;
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
    uint64_t from = ranges[i][0], to = ranges[i][1] ? ranges[i][1] : sigpos;
    if (from < off) from = off;
    if (to > end) to = end;
    if (from < to) update(ud, block + (from - off), (size_t)(to - from));
  }
}

sx_sigstatus sx_cabsig_probe(const char *path, sx_cabsig *cs, char *reason, size_t rlen, plat_err *e) {
  plat_info st;
  unsigned char h[60];
  size_t n = 0, got;
  if (plat_stat(path, 1, &st, e) != 0) return (sx_sigstatus)-1;
  plat_rfile *f = plat_rfile_open(path, e);
  if (!f) return (sx_sigstatus)-1;
  while (n < sizeof h && plat_rfile_read(f, h + n, sizeof h - n, &got, e) == 0 && got > 0) n += got;
  plat_rfile_close(f);
  return sx_cabsig_parse(h, n, st.size, cs, reason, rlen);
}

typedef struct feed { plat_digest *d; int failed; plat_err e; } feed;

static void digest_update(void *ud, const void *p, size_t n) {
  feed *fd = ud;
  if (!fd->failed && plat_digest_update(fd->d, p, n, &fd->e) != 0) fd->failed = 1;
}

/* The platform's digest (CryptoAPI) of the bytes the signature covers. */
int sx_cabsig_digest(const char *path, const sx_cabsig *cs, const char *alg,
                     unsigned char *md, size_t *n, plat_err *e) {
  plat_rfile *f = plat_rfile_open(path, e);
  if (!f) return -1;
  feed fd = { plat_digest_new(alg, e), 0, { 0 } };
  unsigned char *buf = fd.d ? malloc(1 << 16) : NULL;
  plat_err e2;
  if (!buf) {
    plat_rfile_close(f);
    if (!fd.d) return -1;
    plat_digest_final(fd.d, md, n, &e2);
    return plat_fail(e, path, plat_errcode(PLAT_E_NOMEM));
  }
  uint64_t off = 0;
  size_t got = 0;
  int r = 0;
  while (off < cs->sigpos && !fd.failed && (r = plat_rfile_read(f, buf, 1 << 16, &got, e)) == 0 && got > 0) {
    sx_cabsig_feed(buf, got, off, cs->sigpos, digest_update, &fd);
    off += got;
  }
  if (fd.failed) { *e = fd.e; r = -1; }
  else if (r == 0 && off < cs->sigpos)
    r = plat_failf(e, plat_errcode(PLAT_E_INVAL), "%s: shorter than its signature's offset", path);
  free(buf);
  plat_rfile_close(f);
  if (plat_digest_final(fd.d, md, n, r == 0 ? e : &e2) != 0) r = -1;
  return r;
}
