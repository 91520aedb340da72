/*
** authenticode.c: Authenticode verification of cabinets with libcrypto.
**
** 1. cabsig.c finds the PKCS#7 blob and the bytes the digest covers;
** 2. the blob's content is an SpcIndirectDataContent whose DigestInfo must
**    equal the cabinet's digest (digest mismatch);
** 3. PKCS7_verify checks the signer's signature over that content (the
**    content's DER without its SEQUENCE header, Authenticode's rule);
** 4. a timestamp in the unsigned attributes (RFC 3161 token, OID
**    1.3.6.1.4.1.311.3.3.1, or a PKCS#9 countersignature) must sign the
**    signature's bytes and chain to an anchor; its time is then the time at
**    which the signer's chain is checked, so an expired signer certificate
**    is valid when the timestamp proves it signed within its validity;
** 5. the signer's chain must end at one of the anchors passed in (never at
**    a root carried by the file itself), and the signer must be allowed for
**    code signing (extended key usage).
** Steps 4 and 5 (anchors, chains, timestamps) are authtrust.c's.
*/
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "core/authenticode.h"

const char *sx_sig_statusname(sx_sigstatus s) {
  static const char *const names[] = { "ok", "unsigned", "digest mismatch", "bad signature",
    "untrusted root", "invalid chain", "not for code signing", "bad timestamp", "bad input" };
  return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

#if !SXSFIX_HAVE_OPENSSL

int sx_authenticode_available(void) { return 0; }

int sx_authenticode_verify(const char *path, const char *pem, size_t len, int64_t at,
                           sx_sig *out, plat_err *e) {
  (void)pem; (void)len; (void)at; (void)out;
  return plat_failc(e, PLAT_EC_INTERNAL, 0,
                    "%s: this sxsfix was built without OpenSSL (libcrypto): it cannot verify signatures itself", path);
}

#else

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/authtrust.h"

/* SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue,
   messageDigest DigestInfo } (Authenticode spec); DigestInfo is X509_SIG. */
typedef struct { ASN1_OBJECT *type; ASN1_TYPE *value; } SpcAttr;
ASN1_SEQUENCE(SpcAttr) = {
  ASN1_SIMPLE(SpcAttr, type, ASN1_OBJECT),
  ASN1_OPT(SpcAttr, value, ASN1_ANY)
} ASN1_SEQUENCE_END(SpcAttr)

typedef struct { SpcAttr *data; X509_SIG *digest; } SpcIndirect;
ASN1_SEQUENCE(SpcIndirect) = {
  ASN1_SIMPLE(SpcIndirect, data, SpcAttr),
  ASN1_SIMPLE(SpcIndirect, digest, X509_SIG)
} ASN1_SEQUENCE_END(SpcIndirect)
IMPLEMENT_ASN1_FUNCTIONS(SpcIndirect)

#define OID_INDIRECT "1.3.6.1.4.1.311.2.1.4"

int sx_authenticode_available(void) { return 1; }

#define OSSL_STACK_OF_X509_FREE(st) sk_X509_pop_free((st), X509_free)
static void md_update(void *ud, const void *p, size_t n) { EVP_DigestUpdate(ud, p, n); }

/* Read the file: its header and signature blob (pass 1), or its digest (pass 2). */
static int read_cab(const char *path, sx_cabsig *cs, unsigned char *hdr, size_t *hn,
                    unsigned char *sig, EVP_MD_CTX *md, plat_err *e) {
  plat_rfile *f = plat_rfile_open(path, e);
  if (!f) return -1;
  static unsigned char buf[1 << 16];
  uint64_t off = 0;
  size_t got;
  for (;;) {
    if (plat_rfile_read(f, buf, sizeof buf, &got, e) != 0) { plat_rfile_close(f); return -1; }
    if (got == 0) break;
    if (hdr && off < 60) {
      size_t k = got < 60 - off ? got : (size_t)(60 - off);
      memcpy(hdr + off, buf, k);
      *hn = (size_t)off + k;
    }
    if (md) sx_cabsig_feed(buf, got, off, cs->sigpos, md_update, md);
    if (sig) {  /* the blob's part in this block */
      uint64_t from = off > cs->sigpos ? off : cs->sigpos, to = off + got;
      if (to > (uint64_t)cs->sigpos + cs->siglen) to = (uint64_t)cs->sigpos + cs->siglen;
      if (from < to) memcpy(sig + (from - cs->sigpos), buf + (from - off), (size_t)(to - from));
    }
    off += got;
    if (hdr && !sig && !md && off >= 60) break;
  }
  plat_rfile_close(f);
  return 0;
}

static int verify_blob(const unsigned char *blob, size_t len, EVP_MD_CTX *filemd, const char *path,
                       X509_STORE *store, int64_t at, sx_cabsig *cs, sx_sig *s, plat_err *e);

int sx_authenticode_verify(const char *path, const char *pem, size_t pemlen, int64_t at,
                           sx_sig *s, plat_err *e) {
  memset(s, 0, sizeof *s);
  s->signed_at = -1;
  plat_info st;
  if (plat_stat(path, 1, &st, e) != 0) return -1;
  unsigned char hdr[60];
  size_t hn = 0;
  sx_cabsig cs = { 0 };
  if (read_cab(path, &cs, hdr, &hn, NULL, NULL, e) != 0) return -1;
  s->status = sx_cabsig_parse(hdr, hn, st.size, &cs, s->reason, sizeof s->reason);
  if (s->status != SX_SIG_OK) return 0;
  X509_STORE *store = sx_auth_anchors(pem, pemlen, e);
  if (!store) return -1;
  unsigned char *blob = OPENSSL_malloc(cs.siglen);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  int r = -1;
  if (!blob || !md) { plat_fail(e, path, 12); goto done; }
  if (read_cab(path, &cs, NULL, NULL, blob, NULL, e) != 0) goto done;
  r = verify_blob(blob, cs.siglen, md, path, store, at, &cs, s, e);
done:
  EVP_MD_CTX_free(md);
  OPENSSL_free(blob);
  X509_STORE_free(store);
  ERR_clear_error();
  return r;
}

static int verify_blob(const unsigned char *blob, size_t len, EVP_MD_CTX *md, const char *path,
                       X509_STORE *store, int64_t at, sx_cabsig *cs, sx_sig *s, plat_err *e) {
  const unsigned char *p = blob;
  PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
  SpcIndirect *ind = NULL;
  BIO *content = NULL;
  STACK_OF(X509) *signers = NULL;
  sx_tsa ts = { NULL, NULL };
  int r = 0;
  ASN1_OBJECT *indirect = OBJ_txt2obj(OID_INDIRECT, 1);
  int is_indirect = p7 && PKCS7_type_is_signed(p7) && p7->d.sign->contents
                    && OBJ_cmp(p7->d.sign->contents->type, indirect) == 0;
  ASN1_OBJECT_free(indirect);
  if (!is_indirect
      || !p7->d.sign->contents->d.other || p7->d.sign->contents->d.other->type != V_ASN1_SEQUENCE) {
    sx_auth_fail(s, SX_SIG_BADSIG, "bad signature (not an Authenticode PKCS#7 SignedData)", NULL);
    goto done;
  }
  if (sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7)) != 1) {
    sx_auth_fail(s, SX_SIG_BADSIG, "bad signature (not exactly one signer)", NULL);
    goto done;
  }
  /* The SpcIndirectDataContent, and its DER without the SEQUENCE header. */
  ASN1_STRING *seq = p7->d.sign->contents->d.other->value.sequence;
  const unsigned char *q = seq->data, *body = seq->data;
  long blen;
  int tag, cls;
  ind = d2i_SpcIndirect(NULL, &q, seq->length);
  if (!ind || (ASN1_get_object(&body, &blen, &tag, &cls, seq->length) & 0x80)) {
    sx_auth_fail(s, SX_SIG_BADSIG, "bad signature (its SpcIndirectDataContent does not parse)", NULL);
    goto done;
  }
  /* 2. The cabinet's digest, with the algorithm the signature names. */
  const X509_ALGOR *alg;
  const ASN1_OCTET_STRING *want;
  X509_SIG_get0(ind->digest, &alg, &want);
  const EVP_MD *mdt = EVP_get_digestbyobj(alg->algorithm);
  if (!mdt) { sx_auth_fail(s, SX_SIG_BADSIG, "bad signature (unknown digest algorithm)", NULL); goto done; }
  snprintf(s->digest, sizeof s->digest, "%s", OBJ_nid2sn(EVP_MD_type(mdt)));
  for (char *c = s->digest; *c; c++) if (*c >= 'A' && *c <= 'Z') *c += 32;
  unsigned char got[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!EVP_DigestInit_ex(md, mdt, NULL)) { sx_auth_fail(s, SX_SIG_BADSIG, "bad signature (digest unavailable)", NULL); goto done; }
  if (read_cab(path, cs, NULL, NULL, NULL, md, e) != 0) { r = -1; goto done; }
  EVP_DigestFinal_ex(md, got, &n);
  if ((int)n != ASN1_STRING_length(want) || memcmp(got, ASN1_STRING_get0_data(want), n) != 0) {
    sx_auth_fail(s, SX_SIG_DIGEST, "digest mismatch (the cabinet changed after it was signed)", NULL);
    goto done;
  }
  /* 3. The signer's signature over the content. */
  /* Behind a buffer BIO, not a bare memory BIO: OpenSSL 3.0's
     PKCS7_verify copies a memory BIO's data into a BIO of its own and
     leaks it when the signature's data cannot be set up (fuzz_authenticode). */
  content = BIO_new_mem_buf(body, (int)blen);
  if (content) content = BIO_push(BIO_new(BIO_f_buffer()), content);
  if (!content || PKCS7_verify(p7, NULL, NULL, content, NULL, PKCS7_NOVERIFY) != 1) {
    sx_auth_fail(s, SX_SIG_BADSIG, "bad signature (the PKCS#7 signature does not verify)", NULL);
    goto done;
  }
  signers = PKCS7_get0_signers(p7, NULL, 0);
  X509 *signer = sk_X509_value(signers, 0);
  PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
  sx_auth_subject(signer, s->signer, sizeof s->signer);
  /* 4. The timestamp, if any: its time is when the chain is checked. */
  if (!sx_auth_timestamp(p7, si, &ts, s)) goto done;
  int64_t when = s->signed_at >= 0 ? s->signed_at : at ? at : (int64_t)time(NULL);
  /* 5. The signer's chain to an anchor, and its usage; then the timestamp's. */
  if (!sx_auth_chain(store, signer, p7->d.sign->cert, when, XKU_CODE_SIGN, "signer", s, 1)) goto done;
  if (ts.cert && !sx_auth_chain(store, ts.cert, ts.untrusted, s->signed_at, XKU_TIMESTAMP, "timestamp", s, 0))
    goto done;
  s->status = SX_SIG_OK;
done:
  X509_free(ts.cert);
  OSSL_STACK_OF_X509_FREE(ts.untrusted);
  sk_X509_free(signers);
  BIO_free_all(content);
  SpcIndirect_free(ind);
  PKCS7_free(p7);
  return r;
}

#endif
