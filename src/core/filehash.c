/*
** filehash.c: the digest of a whole file, read in large blocks: OpenSSL's
** when sxsfix is built with it, otherwise the platform's (CryptoAPI).
*/
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "core/authenticode.h"

#if SXSFIX_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

int sx_file_hash(const char *path, const char *alg, char *hex, size_t hexlen, plat_err *e) {
  unsigned char md[64];
  size_t n = 0;
  static unsigned char buf[1 << 16];
  size_t got;
  if (hexlen < 65) return plat_fail(e, path, 0);
#if SXSFIX_HAVE_OPENSSL
  const EVP_MD *t = strcmp(alg, "sha1") == 0 ? EVP_sha1() : EVP_sha256();
  EVP_MD_CTX *d = EVP_MD_CTX_new();
  if (!d || !EVP_DigestInit_ex(d, t, NULL)) { EVP_MD_CTX_free(d); return plat_fail(e, path, 12); }
#else
  plat_digest *d = plat_digest_new(alg, e);
  if (!d) return -1;
#endif
  plat_rfile *f = plat_rfile_open(path, e);
  int r = f ? 0 : -1;
  while (r == 0 && (r = plat_rfile_read(f, buf, sizeof buf, &got, e)) == 0 && got > 0) {
#if SXSFIX_HAVE_OPENSSL
    EVP_DigestUpdate(d, buf, got);
#else
    r = plat_digest_update(d, buf, got, e);
#endif
  }
  plat_rfile_close(f);
#if SXSFIX_HAVE_OPENSSL
  unsigned un = 0;
  EVP_DigestFinal_ex(d, md, &un);
  n = un;
  EVP_MD_CTX_free(d);
#else
  plat_err e2;
  if (plat_digest_final(d, md, &n, r == 0 ? e : &e2) != 0) r = -1;
#endif
  if (r != 0) return -1;
  for (size_t i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return 0;
}
