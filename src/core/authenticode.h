/*
** authenticode.h: Authenticode verification of cabinet files (.cab and the
** CAB-based .msu), with OpenSSL's libcrypto; and file hashes.
**
** A signed cabinet carries its PKCS#7 SignedData after the cabinet's data;
** the 20-byte reserve of its CFHEADER says where (offset at byte 44,
** length at byte 48). The Authenticode digest of a cabinet covers bytes
** 0-3, 8-33 and 56 up to the signature: everything but reserved1, iCabinet,
** the reserve sizes and the first 16 reserve bytes (cabsig.c).
*/
#ifndef SXSFIX_AUTHENTICODE_H
#define SXSFIX_AUTHENTICODE_H

#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

/* The verdict (sx_sig, sx_sigstatus) is defined in platform/platform.h,
   because the Windows side fills it from WinVerifyTrust. */
typedef plat_sig sx_sig;
typedef plat_sigstatus sx_sigstatus;

/* Status names as scripts see them ("ok", "unsigned", "digest mismatch", ...). */
const char *sx_sig_statusname(sx_sigstatus s);

/* 1 when this build verifies signatures itself (OpenSSL), 0 otherwise. */
int sx_authenticode_available(void);

/* Verify the cabinet at path against the trust anchors in anchors_pem (PEM
   certificates, concatenated). Without a valid timestamp the chain is
   checked at time at (Unix seconds; 0 = now); with one, at the time it
   proves. Returns 0 with out filled (out->status says the verdict), or -1
   when the file cannot be read or the anchors cannot be parsed (e filled). */
int sx_authenticode_verify(const char *path, const char *anchors_pem, size_t anchors_len,
                           int64_t at, sx_sig *out, plat_err *e);

/* Subject and SHA-256 fingerprint of each certificate in pem, through cb;
   returns the count, or -1 on a parse error (e filled). */
int sx_pem_certs(const char *pem, size_t len,
                 void (*cb)(void *ud, const char *subject, const char *sha256), void *ud,
                 plat_err *e);

/* ---- cabinet layout (cabsig.c) ---------------------------------------- */

typedef struct sx_cabsig {
  uint32_t sigpos, siglen;  /* where the PKCS#7 blob is; siglen 0 = unsigned */
  uint64_t size;            /* file size */
} sx_cabsig;

/* Parse the CFHEADER of a cabinet (hdr: its first 60 bytes, n of them read)
   of size bytes. Returns SX_SIG_OK with cs filled, SX_SIG_UNSIGNED, or
   SX_SIG_BADINPUT; reason says why. */
sx_sigstatus sx_cabsig_parse(const unsigned char *hdr, size_t n, uint64_t size,
                             sx_cabsig *cs, char *reason, size_t rlen);

/* sx_cabsig_parse on the file at path: -1 (cast) when it cannot be read (e). */
sx_sigstatus sx_cabsig_probe(const char *path, sx_cabsig *cs, char *reason, size_t rlen, plat_err *e);

/* Feed the bytes block[0..n) at file offset off into update() when they are
   covered by the Authenticode digest of a cabinet signed at sigpos. */
void sx_cabsig_feed(const unsigned char *block, size_t n, uint64_t off, uint32_t sigpos,
                    void (*update)(void *ud, const void *p, size_t n), void *ud);

/* Digest alg ("sha1", "sha256") of the bytes of the cabinet at path that
   its signature (cs, from sx_cabsig_probe) covers, through the platform's
   provider (Windows; POSIX has none): md gets *n bytes (64 at most). */
int sx_cabsig_digest(const char *path, const sx_cabsig *cs, const char *alg,
                     unsigned char *md, size_t *n, plat_err *e);

/* ---- file hashes (filehash.c) ----------------------------------------- */

/* Hex digest (lower case) of a whole file; alg is "sha1" or "sha256".
   OpenSSL when built with it, else the platform's provider. */
int sx_file_hash(const char *path, const char *alg, char *hex, size_t hexlen, plat_err *e);
/* The same for an open file, from its position to its end; name is for
   messages. */
int sx_fhash(plat_file *f, const char *name, const char *alg, char *hex, size_t hexlen, plat_err *e);

#endif
