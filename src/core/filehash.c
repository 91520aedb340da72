/*
** filehash.c: the digest of a whole file, read in large blocks: OpenSSL's
** when sxsfix is built with it, otherwise the platform's (CryptoAPI).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/authenticode.h"

#if SXSFIX_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

/* A file read from its position to its end: a plat_rfile or a plat_file. */
typedef struct source {
  plat_rfile *rf;
  plat_file *f;
} source;

static int source_read(source *s, void *buf, size_t len, size_t *got, plat_err *e) {
  return s->rf ? plat_rfile_read(s->rf, buf, len, got, e) : plat_read(s->f, buf, len, got, e);
}

static int hash_source(source *s, const char *name, const char *alg, char *hex, size_t hexlen, plat_err *e) {
  unsigned char md[64];
  size_t n = 0, got;
  if (hexlen < 65) return plat_fail(e, name, 0);
  unsigned char *buf = malloc(1 << 16);
  if (!buf) return plat_fail(e, name, plat_errcode(PLAT_E_NOMEM));
#if SXSFIX_HAVE_OPENSSL
  const EVP_MD *t = strcmp(alg, "sha1") == 0 ? EVP_sha1() : EVP_sha256();
  EVP_MD_CTX *d = EVP_MD_CTX_new();
  if (!d || !EVP_DigestInit_ex(d, t, NULL)) {
    EVP_MD_CTX_free(d);
    free(buf);
    return plat_fail(e, name, plat_errcode(PLAT_E_NOMEM));
  }
#else
  plat_digest *d = plat_digest_new(alg, e);
  if (!d) { free(buf); return -1; }
#endif
  int r;
  while ((r = source_read(s, buf, 1 << 16, &got, e)) == 0 && got > 0) {
#if SXSFIX_HAVE_OPENSSL
    EVP_DigestUpdate(d, buf, got);
#else
    if ((r = plat_digest_update(d, buf, got, e)) != 0) break;
#endif
  }
  free(buf);
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

int sx_file_hash(const char *path, const char *alg, char *hex, size_t hexlen, plat_err *e) {
  source s = { plat_rfile_open(path, e), NULL };
  if (!s.rf) return -1;
  int r = hash_source(&s, path, alg, hex, hexlen, e);
  plat_rfile_close(s.rf);
  return r;
}

int sx_fhash(plat_file *f, const char *name, const char *alg, char *hex, size_t hexlen, plat_err *e) {
  source s = { NULL, f };
  return hash_source(&s, name, alg, hex, hexlen, e);
}
