/*
** authtrust.c: the trust half of Authenticode verification (authenticode.c
** steps 4 and 5): the anchors, certificate chains checked at a time, and
** the timestamps (RFC 3161 tokens and PKCS#9 countersignatures) that give
** that time; and the subjects and fingerprints of PEM certificates.
*/
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "core/authenticode.h"

#if !SXSFIX_HAVE_OPENSSL

int sx_pem_certs(const char *pem, size_t len, void (*cb)(void *, const char *, const char *),
                 void *ud, plat_err *e) {
  (void)pem; (void)len; (void)cb; (void)ud;
  return plat_failc(e, PLAT_EC_INTERNAL, 0, "this sxsfix was built without OpenSSL (libcrypto)");
}

#else

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "core/authtrust.h"

#define OID_RFC3161  "1.3.6.1.4.1.311.3.3.1"

int sx_auth_fail(sx_sig *s, sx_sigstatus st, const char *fmt, const char *arg) {
  s->status = st;
  snprintf(s->reason, sizeof s->reason, fmt, arg ? arg : "");
  ERR_clear_error();
  return 0;
}

void sx_auth_subject(X509 *x, char *buf, size_t len) {
  BIO *b = BIO_new(BIO_s_mem());
  buf[0] = 0;
  if (!b) return;
  X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  int n = BIO_read(b, buf, (int)len - 1);
  buf[n > 0 ? n : 0] = 0;
  BIO_free(b);
}

static void sha256_of(X509 *x, char hex[65]) {
  unsigned char md[32];
  unsigned n = 0;
  hex[0] = 0;
  if (!X509_digest(x, EVP_sha256(), md, &n)) return;
  for (unsigned i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static int64_t unix_time(const ASN1_TIME *t) {
  int days = 0, secs = 0;
  ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
  int ok = epoch && ASN1_TIME_diff(&days, &secs, epoch, t);
  ASN1_TIME_free(epoch);
  return ok ? (int64_t)days * 86400 + secs : -1;
}

X509_STORE *sx_auth_anchors(const char *pem, size_t len, plat_err *e) {
  X509_STORE *st = X509_STORE_new();
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  X509 *x;
  int n = 0;
  while (st && b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
    X509_STORE_add_cert(st, x);
    X509_free(x);
    n++;
  }
  unsigned long err = ERR_peek_last_error();
  ERR_clear_error();
  BIO_free(b);
  if (!st || (err && ERR_GET_REASON(err) != PEM_R_NO_START_LINE)) {
    X509_STORE_free(st);
    plat_failc(e, PLAT_EC_INPUT, 0, "trust anchors: not PEM certificates (after %d)", n);
    return NULL;
  }
  return st;
}

int sx_auth_chain(X509_STORE *store, X509 *x, STACK_OF(X509) *untrusted, int64_t t,
                  uint32_t xku, const char *what, sx_sig *s, int record) {
  char buf[400];
  if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) && !(X509_get_extended_key_usage(x) & xku)) {
    snprintf(buf, sizeof buf, "the %s certificate is not allowed for %s", what,
             xku == XKU_CODE_SIGN ? "code signing" : "timestamping");
    return sx_auth_fail(s, xku == XKU_CODE_SIGN ? SX_SIG_USAGE : SX_SIG_TIMESTAMP, "%s", buf);
  }
  if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE) && xku == XKU_TIMESTAMP) {
    snprintf(buf, sizeof buf, "the %s certificate is not marked for timestamping", what);
    return sx_auth_fail(s, SX_SIG_TIMESTAMP, "%s", buf);
  }
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  if (!ctx || !X509_STORE_CTX_init(ctx, store, x, untrusted)) {
    X509_STORE_CTX_free(ctx);
    return sx_auth_fail(s, SX_SIG_CHAIN, "%s: out of memory", what);
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)t);
  int ok = X509_verify_cert(ctx) == 1;
  int err = X509_STORE_CTX_get_error(ctx);
  STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
  if (ok && record) {
    s->nchain = 0;
    for (int i = 0; i < sk_X509_num(chain) && i < SX_SIG_MAXCHAIN; i++)
      sx_auth_subject(sk_X509_value(chain, i), s->chain[s->nchain++], sizeof s->chain[0]);
    X509 *root = sk_X509_value(chain, sk_X509_num(chain) - 1);
    sx_auth_subject(root, s->anchor, sizeof s->anchor);
    sha256_of(root, s->anchor_sha256);
  }
  X509_STORE_CTX_free(ctx);
  if (ok) return 1;
  snprintf(buf, sizeof buf, "%s: %s", what, X509_verify_cert_error_string(err));
  switch (err) {
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
  case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
  case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    return sx_auth_fail(s, xku == XKU_CODE_SIGN ? SX_SIG_UNTRUSTED : SX_SIG_TIMESTAMP,
                        xku == XKU_CODE_SIGN ? "untrusted root (%s)" : "bad timestamp (%s)", buf);
  default:
    return sx_auth_fail(s, xku == XKU_CODE_SIGN ? SX_SIG_CHAIN : SX_SIG_TIMESTAMP,
                        xku == XKU_CODE_SIGN ? "invalid chain (%s)" : "bad timestamp (%s)", buf);
  }
}

/* The unsigned attribute oid of si as a DER string, or NULL. */
static ASN1_STRING *unsigned_attr(PKCS7_SIGNER_INFO *si, const char *oid) {
  ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
  int i = o ? X509at_get_attr_by_OBJ(si->unauth_attr, o, -1) : -1;
  ASN1_OBJECT_free(o);
  if (i < 0) return NULL;
  ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(X509at_get_attr(si->unauth_attr, i), 0);
  return t && t->type == V_ASN1_SEQUENCE ? t->value.sequence : NULL;
}

/* RFC 3161: a SignedData over a TSTInfo whose imprint is the hash of the
   signature's bytes. Returns 1 with s->signed_at, or 0 (bad timestamp). */
static int check_rfc3161(ASN1_STRING *der, PKCS7_SIGNER_INFO *si, sx_tsa *ts, sx_sig *s) {
  const unsigned char *p = der->data;
  PKCS7 *tok = d2i_PKCS7(NULL, &p, der->length);
  TS_TST_INFO *tst = tok ? PKCS7_to_TS_TST_INFO(tok) : NULL;
  int ok = 0;
  if (!tst) { sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (an RFC 3161 token that does not parse)", NULL); goto done; }
  if (PKCS7_verify(tok, NULL, NULL, NULL, NULL, PKCS7_NOVERIFY) != 1) {
    sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (its signature does not verify)", NULL);
    goto done;
  }
  TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
  const EVP_MD *md = EVP_get_digestbyobj(TS_MSG_IMPRINT_get_algo(mi)->algorithm);
  ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(mi);
  unsigned char got[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!md || !EVP_Digest(si->enc_digest->data, si->enc_digest->length, got, &n, md, NULL)
      || (int)n != want->length || memcmp(got, want->data, n) != 0) {
    sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (it stamps another signature)", NULL);
    goto done;
  }
  s->signed_at = unix_time(TS_TST_INFO_get_time(tst));
  STACK_OF(X509) *signers = PKCS7_get0_signers(tok, NULL, 0);
  X509 *tsa = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
  if (tsa) {
    sx_auth_subject(tsa, s->ts_signer, sizeof s->ts_signer);
    ts->cert = X509_dup(tsa);
    ts->untrusted = X509_chain_up_ref(tok->d.sign->cert);
    ok = ts->cert != NULL;
  } else {
    sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (no single signer certificate)", NULL);
  }
  sk_X509_free(signers);
  snprintf(s->ts_kind, sizeof s->ts_kind, "rfc3161");
done:
  TS_TST_INFO_free(tst);
  PKCS7_free(tok);
  return ok;
}

/* PKCS#9 countersignature: a SignerInfo whose messageDigest is the hash of
   the signature's bytes, signed by a certificate in the outer SignedData. */
static int check_pkcs9(ASN1_STRING *der, PKCS7 *p7, PKCS7_SIGNER_INFO *si, sx_tsa *ts, sx_sig *s) {
  const unsigned char *p = der->data;
  PKCS7_SIGNER_INFO *cs = d2i_PKCS7_SIGNER_INFO(NULL, &p, der->length);
  int ok = 0;
  snprintf(s->ts_kind, sizeof s->ts_kind, "pkcs9");
  if (!cs) return sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (a countersignature that does not parse)", NULL);
  X509 *tsa = X509_find_by_issuer_and_serial(p7->d.sign->cert, cs->issuer_and_serial->issuer,
                                             cs->issuer_and_serial->serial);
  const EVP_MD *md = EVP_get_digestbyobj(cs->digest_alg->algorithm);
  ASN1_TYPE *when = PKCS7_get_signed_attribute(cs, NID_pkcs9_signingTime);
  BIO *mdb = md ? BIO_new(BIO_f_md()) : NULL, *sink = BIO_new(BIO_s_null());
  if (!tsa || !md || !when || !mdb || !sink) {
    sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (countersignature without %s)",
                 !tsa ? "its certificate" : !when ? "a signing time" : "a known digest");
    goto done;
  }
  BIO_set_md(mdb, md);
  BIO_push(mdb, sink);
  BIO_write(mdb, si->enc_digest->data, si->enc_digest->length);
  if (PKCS7_signatureVerify(mdb, p7, cs, tsa) != 1) {
    sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (the countersignature does not verify)", NULL);
    goto done;
  }
  s->signed_at = when->type == V_ASN1_UTCTIME || when->type == V_ASN1_GENERALIZEDTIME
                 ? unix_time(when->value.utctime) : -1;
  sx_auth_subject(tsa, s->ts_signer, sizeof s->ts_signer);
  if (s->signed_at < 0) {
    sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (no readable signing time)", NULL);
    goto done;
  }
  ts->cert = X509_dup(tsa);
  ts->untrusted = X509_chain_up_ref(p7->d.sign->cert);
  ok = ts->cert != NULL;
done:
  if (mdb) BIO_free(mdb);
  BIO_free(sink);
  PKCS7_SIGNER_INFO_free(cs);
  return ok;
}

/* 4. The timestamp of si, if any. */
int sx_auth_timestamp(PKCS7 *p7, PKCS7_SIGNER_INFO *si, sx_tsa *ts, sx_sig *s) {
  ASN1_STRING *rfc = unsigned_attr(si, OID_RFC3161);
  ASN1_TYPE *cs9 = PKCS7_get_attribute(si, NID_pkcs9_countersignature);
  if (rfc) return check_rfc3161(rfc, si, ts, s);
  if (!cs9) return 1;
  if (cs9->type != V_ASN1_SEQUENCE)
    return sx_auth_fail(s, SX_SIG_TIMESTAMP, "bad timestamp (a countersignature that does not parse)", NULL);
  return check_pkcs9(cs9->value.sequence, p7, si, ts, s);
}

static void noop(void *ud, const char *a, const char *b) { (void)ud; (void)a; (void)b; }

int sx_pem_certs(const char *pem, size_t len, void (*cb)(void *, const char *, const char *),
                 void *ud, plat_err *e) {
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  X509 *x;
  int n = 0;
  char subj[512], hex[65];
  if (!cb) cb = noop;
  while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
    sx_auth_subject(x, subj, sizeof subj);
    sha256_of(x, hex);
    cb(ud, subj, hex);
    X509_free(x);
    n++;
  }
  unsigned long err = ERR_peek_last_error();
  ERR_clear_error();
  BIO_free(b);
  if (err && ERR_GET_REASON(err) != PEM_R_NO_START_LINE) {
    return plat_failc(e, PLAT_EC_INPUT, 0, "not PEM certificates (after %d)", n);
  }
  return n;
}

#endif
