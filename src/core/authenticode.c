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

int sx_pem_certs(const char *pem, size_t len, void (*cb)(void *, const char *, const char *),
                 void *ud, plat_err *e) {
  (void)pem; (void)len; (void)cb; (void)ud;
  return plat_failc(e, PLAT_EC_INTERNAL, 0, "this sxsfix was built without OpenSSL (libcrypto)");
}

#else

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
#define OID_RFC3161  "1.3.6.1.4.1.311.3.3.1"

int sx_authenticode_available(void) { return 1; }

static int fail(sx_sig *s, sx_sigstatus st, const char *fmt, const char *arg) {
  s->status = st;
  snprintf(s->reason, sizeof s->reason, fmt, arg ? arg : "");
  ERR_clear_error();
  return 0;
}

static void subject_of(X509 *x, char *buf, size_t len) {
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

static X509_STORE *load_anchors(const char *pem, size_t len, plat_err *e) {
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

/* Check x's chain at time t (untrusted: the file's certificates) and that
   its extended key usage allows xku; fill the chain and anchor of s when
   chain is set. Returns 1, or 0 with s->status and reason set. */
static int check_chain(X509_STORE *store, X509 *x, STACK_OF(X509) *untrusted, int64_t t,
                       uint32_t xku, const char *what, sx_sig *s, int record) {
  char buf[400];
  if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) && !(X509_get_extended_key_usage(x) & xku)) {
    snprintf(buf, sizeof buf, "the %s certificate is not allowed for %s", what,
             xku == XKU_CODE_SIGN ? "code signing" : "timestamping");
    return fail(s, xku == XKU_CODE_SIGN ? SX_SIG_USAGE : SX_SIG_TIMESTAMP, "%s", buf);
  }
  if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE) && xku == XKU_TIMESTAMP) {
    snprintf(buf, sizeof buf, "the %s certificate is not marked for timestamping", what);
    return fail(s, SX_SIG_TIMESTAMP, "%s", buf);
  }
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  if (!ctx || !X509_STORE_CTX_init(ctx, store, x, untrusted)) {
    X509_STORE_CTX_free(ctx);
    return fail(s, SX_SIG_CHAIN, "%s: out of memory", what);
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)t);
  int ok = X509_verify_cert(ctx) == 1;
  int err = X509_STORE_CTX_get_error(ctx);
  STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
  if (ok && record) {
    s->nchain = 0;
    for (int i = 0; i < sk_X509_num(chain) && i < SX_SIG_MAXCHAIN; i++)
      subject_of(sk_X509_value(chain, i), s->chain[s->nchain++], sizeof s->chain[0]);
    X509 *root = sk_X509_value(chain, sk_X509_num(chain) - 1);
    subject_of(root, s->anchor, sizeof s->anchor);
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
    return fail(s, xku == XKU_CODE_SIGN ? SX_SIG_UNTRUSTED : SX_SIG_TIMESTAMP,
                xku == XKU_CODE_SIGN ? "untrusted root (%s)" : "bad timestamp (%s)", buf);
  default:
    return fail(s, xku == XKU_CODE_SIGN ? SX_SIG_CHAIN : SX_SIG_TIMESTAMP,
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

/* The timestamp authority's certificate, whose chain is checked last. */
typedef struct tsa_cert { X509 *cert; STACK_OF(X509) *untrusted; } tsa_cert;

/* RFC 3161: a SignedData over a TSTInfo whose imprint is the hash of the
   signature's bytes. Returns 1 with s->signed_at, or 0 (bad timestamp). */
static int check_rfc3161(ASN1_STRING *der, PKCS7_SIGNER_INFO *si, tsa_cert *ts, sx_sig *s) {
  const unsigned char *p = der->data;
  PKCS7 *tok = d2i_PKCS7(NULL, &p, der->length);
  TS_TST_INFO *tst = tok ? PKCS7_to_TS_TST_INFO(tok) : NULL;
  int ok = 0;
  if (!tst) { fail(s, SX_SIG_TIMESTAMP, "bad timestamp (an RFC 3161 token that does not parse)", NULL); goto done; }
  if (PKCS7_verify(tok, NULL, NULL, NULL, NULL, PKCS7_NOVERIFY) != 1) {
    fail(s, SX_SIG_TIMESTAMP, "bad timestamp (its signature does not verify)", NULL);
    goto done;
  }
  TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
  const EVP_MD *md = EVP_get_digestbyobj(TS_MSG_IMPRINT_get_algo(mi)->algorithm);
  ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(mi);
  unsigned char got[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!md || !EVP_Digest(si->enc_digest->data, si->enc_digest->length, got, &n, md, NULL)
      || (int)n != want->length || memcmp(got, want->data, n) != 0) {
    fail(s, SX_SIG_TIMESTAMP, "bad timestamp (it stamps another signature)", NULL);
    goto done;
  }
  s->signed_at = unix_time(TS_TST_INFO_get_time(tst));
  STACK_OF(X509) *signers = PKCS7_get0_signers(tok, NULL, 0);
  X509 *tsa = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
  if (tsa) {
    subject_of(tsa, s->ts_signer, sizeof s->ts_signer);
    ts->cert = X509_dup(tsa);
    ts->untrusted = X509_chain_up_ref(tok->d.sign->cert);
    ok = ts->cert != NULL;
  } else {
    fail(s, SX_SIG_TIMESTAMP, "bad timestamp (no single signer certificate)", NULL);
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
static int check_pkcs9(ASN1_STRING *der, PKCS7 *p7, PKCS7_SIGNER_INFO *si, tsa_cert *ts, sx_sig *s) {
  const unsigned char *p = der->data;
  PKCS7_SIGNER_INFO *cs = d2i_PKCS7_SIGNER_INFO(NULL, &p, der->length);
  int ok = 0;
  snprintf(s->ts_kind, sizeof s->ts_kind, "pkcs9");
  if (!cs) return fail(s, SX_SIG_TIMESTAMP, "bad timestamp (a countersignature that does not parse)", NULL);
  X509 *tsa = X509_find_by_issuer_and_serial(p7->d.sign->cert, cs->issuer_and_serial->issuer,
                                             cs->issuer_and_serial->serial);
  const EVP_MD *md = EVP_get_digestbyobj(cs->digest_alg->algorithm);
  ASN1_TYPE *when = PKCS7_get_signed_attribute(cs, NID_pkcs9_signingTime);
  BIO *mdb = md ? BIO_new(BIO_f_md()) : NULL, *sink = BIO_new(BIO_s_null());
  if (!tsa || !md || !when || !mdb || !sink) {
    fail(s, SX_SIG_TIMESTAMP, "bad timestamp (countersignature without %s)",
         !tsa ? "its certificate" : !when ? "a signing time" : "a known digest");
    goto done;
  }
  BIO_set_md(mdb, md);
  BIO_push(mdb, sink);
  BIO_write(mdb, si->enc_digest->data, si->enc_digest->length);
  if (PKCS7_signatureVerify(mdb, p7, cs, tsa) != 1) {
    fail(s, SX_SIG_TIMESTAMP, "bad timestamp (the countersignature does not verify)", NULL);
    goto done;
  }
  s->signed_at = when->type == V_ASN1_UTCTIME || when->type == V_ASN1_GENERALIZEDTIME
                 ? unix_time(when->value.utctime) : -1;
  subject_of(tsa, s->ts_signer, sizeof s->ts_signer);
  if (s->signed_at < 0) {
    fail(s, SX_SIG_TIMESTAMP, "bad timestamp (no readable signing time)", NULL);
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
  X509_STORE *store = load_anchors(pem, pemlen, e);
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
  tsa_cert ts = { NULL, NULL };
  int r = 0;
  ASN1_OBJECT *indirect = OBJ_txt2obj(OID_INDIRECT, 1);
  int is_indirect = p7 && PKCS7_type_is_signed(p7) && p7->d.sign->contents
                    && OBJ_cmp(p7->d.sign->contents->type, indirect) == 0;
  ASN1_OBJECT_free(indirect);
  if (!is_indirect
      || !p7->d.sign->contents->d.other || p7->d.sign->contents->d.other->type != V_ASN1_SEQUENCE) {
    fail(s, SX_SIG_BADSIG, "bad signature (not an Authenticode PKCS#7 SignedData)", NULL);
    goto done;
  }
  if (sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7)) != 1) {
    fail(s, SX_SIG_BADSIG, "bad signature (not exactly one signer)", NULL);
    goto done;
  }
  /* The SpcIndirectDataContent, and its DER without the SEQUENCE header. */
  ASN1_STRING *seq = p7->d.sign->contents->d.other->value.sequence;
  const unsigned char *q = seq->data, *body = seq->data;
  long blen;
  int tag, cls;
  ind = d2i_SpcIndirect(NULL, &q, seq->length);
  if (!ind || (ASN1_get_object(&body, &blen, &tag, &cls, seq->length) & 0x80)) {
    fail(s, SX_SIG_BADSIG, "bad signature (its SpcIndirectDataContent does not parse)", NULL);
    goto done;
  }
  /* 2. The cabinet's digest, with the algorithm the signature names. */
  const X509_ALGOR *alg;
  const ASN1_OCTET_STRING *want;
  X509_SIG_get0(ind->digest, &alg, &want);
  const EVP_MD *mdt = EVP_get_digestbyobj(alg->algorithm);
  if (!mdt) { fail(s, SX_SIG_BADSIG, "bad signature (unknown digest algorithm)", NULL); goto done; }
  snprintf(s->digest, sizeof s->digest, "%s", OBJ_nid2sn(EVP_MD_type(mdt)));
  for (char *c = s->digest; *c; c++) if (*c >= 'A' && *c <= 'Z') *c += 32;
  unsigned char got[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!EVP_DigestInit_ex(md, mdt, NULL)) { fail(s, SX_SIG_BADSIG, "bad signature (digest unavailable)", NULL); goto done; }
  if (read_cab(path, cs, NULL, NULL, NULL, md, e) != 0) { r = -1; goto done; }
  EVP_DigestFinal_ex(md, got, &n);
  if ((int)n != ASN1_STRING_length(want) || memcmp(got, ASN1_STRING_get0_data(want), n) != 0) {
    fail(s, SX_SIG_DIGEST, "digest mismatch (the cabinet changed after it was signed)", NULL);
    goto done;
  }
  /* 3. The signer's signature over the content. */
  /* Behind a buffer BIO, not a bare memory BIO: OpenSSL 3.0's
     PKCS7_verify copies a memory BIO's data into a BIO of its own and
     leaks it when the signature's data cannot be set up (fuzz_authenticode). */
  content = BIO_new_mem_buf(body, (int)blen);
  if (content) content = BIO_push(BIO_new(BIO_f_buffer()), content);
  if (!content || PKCS7_verify(p7, NULL, NULL, content, NULL, PKCS7_NOVERIFY) != 1) {
    fail(s, SX_SIG_BADSIG, "bad signature (the PKCS#7 signature does not verify)", NULL);
    goto done;
  }
  signers = PKCS7_get0_signers(p7, NULL, 0);
  X509 *signer = sk_X509_value(signers, 0);
  PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
  subject_of(signer, s->signer, sizeof s->signer);
  /* 4. The timestamp, if any: its time is when the chain is checked. */
  ASN1_STRING *rfc = unsigned_attr(si, OID_RFC3161);
  ASN1_TYPE *cs9 = PKCS7_get_attribute(si, NID_pkcs9_countersignature);
  if (rfc && !check_rfc3161(rfc, si, &ts, s)) goto done;
  if (!rfc && cs9) {
    if (cs9->type != V_ASN1_SEQUENCE) { fail(s, SX_SIG_TIMESTAMP, "bad timestamp (a countersignature that does not parse)", NULL); goto done; }
    if (!check_pkcs9(cs9->value.sequence, p7, si, &ts, s)) goto done;
  }
  int64_t when = s->signed_at >= 0 ? s->signed_at : at ? at : (int64_t)time(NULL);
  /* 5. The signer's chain to an anchor, and its usage; then the timestamp's. */
  if (!check_chain(store, signer, p7->d.sign->cert, when, XKU_CODE_SIGN, "signer", s, 1)) goto done;
  if (ts.cert && !check_chain(store, ts.cert, ts.untrusted, s->signed_at, XKU_TIMESTAMP, "timestamp", s, 0))
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

static void noop(void *ud, const char *a, const char *b) { (void)ud; (void)a; (void)b; }

int sx_pem_certs(const char *pem, size_t len, void (*cb)(void *, const char *, const char *),
                 void *ud, plat_err *e) {
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  X509 *x;
  int n = 0;
  char subj[512], hex[65];
  if (!cb) cb = noop;
  while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
    subject_of(x, subj, sizeof subj);
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
