/* authtrust.h: what authenticode.c takes from authtrust.c (OpenSSL builds
   only): failing with a verdict, subjects, anchors, chains, timestamps. */
#ifndef SXSFIX_AUTHTRUST_H
#define SXSFIX_AUTHTRUST_H

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "core/authenticode.h"

/* Set s->status to st and s->reason to fmt with arg; returns 0. */
int sx_auth_fail(sx_sig *s, sx_sigstatus st, const char *fmt, const char *arg);

/* x's subject (RFC 2253) in buf; empty when it cannot be printed. */
void sx_auth_subject(X509 *x, char *buf, size_t len);

/* The trust anchors in pem (PEM certificates, concatenated), or NULL (e). */
X509_STORE *sx_auth_anchors(const char *pem, size_t len, plat_err *e);

/* Check x's chain at time t (untrusted: the file's certificates) and that
   its extended key usage allows xku; fill the chain and anchor of s when
   record is set. Returns 1, or 0 with s->status and reason set. */
int sx_auth_chain(X509_STORE *store, X509 *x, STACK_OF(X509) *untrusted, int64_t t,
                  uint32_t xku, const char *what, sx_sig *s, int record);

/* The timestamp authority's certificate, whose chain is checked last. */
typedef struct sx_tsa { X509 *cert; STACK_OF(X509) *untrusted; } sx_tsa;

/* The timestamp in si's unsigned attributes (an RFC 3161 token, else a
   PKCS#9 countersignature of p7), which must stamp si's signature.
   Returns 1 when there is none, or a good one (s->signed_at, s->ts_*
   and ts filled; its chain is for the caller to check); 0 when it is bad. */
int sx_auth_timestamp(PKCS7 *p7, PKCS7_SIGNER_INFO *si, sx_tsa *ts, sx_sig *s);

#endif
