/*
** trust.c (Win32): Authenticode through the system. WinVerifyTrust with
** WINTRUST_ACTION_GENERIC_VERIFY_V2 checks the digest, the signature, the
** chain to the system's roots and the timestamp (no revocation check: a
** machine under repair is often offline; no URL retrieval at all), and
** CryptQueryObject reports the signer. A chain that ends at a root the
** system does not trust is accepted when that root is byte for byte one
** of the PEM certificates passed in (--trust, or sxsfix/trust.lua's).
** Digests through CryptoAPI (advapi32).
*/
#include <stdio.h>
#include <string.h>

#include <windows.h>
#include <wincrypt.h>
#include <wintrust.h>
#include <softpub.h>

#include "platform/win32/win32.h"

static void name_of(PCCERT_CONTEXT c, char *buf, size_t len) {
  wchar_t w[512];
  buf[0] = 0;
  if (!c) return;
  CertNameToStrW(X509_ASN_ENCODING, &c->pCertInfo->Subject,
                 CERT_X500_NAME_STR | CERT_NAME_STR_REVERSE_FLAG, w, 512);
  char *u = utf8_from_w(w);
  if (u) { snprintf(buf, len, "%s", u); free(u); }
}

static void sha256_hex(const BYTE *p, DWORD n, char hex[65]);

/* Is cert one of the PEM certificates in pem (compared as DER bytes)? */
static int in_pem(PCCERT_CONTEXT cert, const char *pem, size_t len) {
  const char *p = pem, *end = pem + len;
  while (p < end) {
    const char *b = strstr(p, "-----BEGIN CERTIFICATE-----");
    const char *f = b ? strstr(b, "-----END CERTIFICATE-----") : NULL;
    if (!b || !f || f >= end) return 0;
    f += 25;
    DWORD n = 0;
    if (CryptStringToBinaryA(b, (DWORD)(f - b), CRYPT_STRING_BASE64HEADER, NULL, &n, NULL, NULL)) {
      BYTE *der = malloc(n);
      int same = der && CryptStringToBinaryA(b, (DWORD)(f - b), CRYPT_STRING_BASE64HEADER, der, &n, NULL, NULL)
                 && n == cert->cbCertEncoded && memcmp(der, cert->pbCertEncoded, n) == 0;
      free(der);
      if (same) return 1;
    }
    p = f;
  }
  return 0;
}

/* Is cert in the system's ROOT store (the current user's logical store,
   which includes the machine's)? WinVerifyTrust should have checked this;
   Wine's does not (it accepts a chain to any self-signed root), so sxsfix
   checks it again everywhere. */
static int in_system_roots(PCCERT_CONTEXT cert) {
  HCERTSTORE st = CertOpenSystemStoreW(0, L"ROOT");
  if (!st) return 0;
  PCCERT_CONTEXT found = CertFindCertificateInStore(st, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                                    CERT_FIND_EXISTING, cert, NULL);
  if (found) CertFreeCertificateContext(found);
  CertCloseStore(st, 0);
  return found != NULL;
}

static int64_t unix_of(FILETIME ft) {
  ULARGE_INTEGER u = { .LowPart = ft.dwLowDateTime, .HighPart = ft.dwHighDateTime };
  return (int64_t)(u.QuadPart / 10000000ULL) - 11644473600LL;
}

/* The digest the signed SpcIndirectDataContent holds (CMSG_CONTENT_PARAM,
   decoded by the system), into out->signed_digest. */
static void signed_digest(HCRYPTMSG msg, plat_sig *out) {
  DWORD n = 0, dn = 0;
  BYTE *content = NULL;
  SPC_INDIRECT_DATA_CONTENT *ind = NULL;
  if (CryptMsgGetParam(msg, CMSG_CONTENT_PARAM, 0, NULL, &n) && (content = malloc(n)) != NULL
      && CryptMsgGetParam(msg, CMSG_CONTENT_PARAM, 0, content, &n)
      && CryptDecodeObjectEx(X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, SPC_INDIRECT_DATA_CONTENT_STRUCT,
                             content, n, CRYPT_DECODE_ALLOC_FLAG, NULL, &ind, &dn)) {
    const char *oid = ind->DigestAlgorithm.pszObjId ? ind->DigestAlgorithm.pszObjId : "?";
    const char *alg = strcmp(oid, "1.3.14.3.2.26") == 0 ? "sha1"
                    : strcmp(oid, "2.16.840.1.101.3.4.2.1") == 0 ? "sha256" : oid;
    snprintf(out->signed_digest_alg, sizeof out->signed_digest_alg, "%s", alg);
    if (ind->Digest.cbData <= sizeof out->signed_digest) {
      memcpy(out->signed_digest, ind->Digest.pbData, ind->Digest.cbData);
      out->signed_digest_len = ind->Digest.cbData;
    }
    LocalFree(ind);
  }
  free(content);
}

/* The signer's subject and digest algorithm through CryptQueryObject. */
static void query_signer(const wchar_t *wp, plat_sig *out) {
  HCERTSTORE store = NULL;
  HCRYPTMSG msg = NULL;
  if (!CryptQueryObject(CERT_QUERY_OBJECT_FILE, wp, CERT_QUERY_CONTENT_FLAG_PKCS7_SIGNED_EMBED,
                        CERT_QUERY_FORMAT_FLAG_BINARY, 0, NULL, NULL, NULL, &store, &msg, NULL))
    return;
  DWORD n = 0;
  CMSG_SIGNER_INFO *si = NULL;
  if (CryptMsgGetParam(msg, CMSG_SIGNER_INFO_PARAM, 0, NULL, &n) && (si = malloc(n)) != NULL
      && CryptMsgGetParam(msg, CMSG_SIGNER_INFO_PARAM, 0, si, &n)) {
    CERT_INFO ci = { 0 };
    ci.Issuer = si->Issuer;
    ci.SerialNumber = si->SerialNumber;
    PCCERT_CONTEXT c = CertFindCertificateInStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                                  CERT_FIND_SUBJECT_CERT, &ci, NULL);
    name_of(c, out->signer, sizeof out->signer);
    if (c) CertFreeCertificateContext(c);
    PCCRYPT_OID_INFO oi = CryptFindOIDInfo(CRYPT_OID_INFO_OID_KEY, si->HashAlgorithm.pszObjId,
                                           CRYPT_HASH_ALG_OID_GROUP_ID);
    if (oi && oi->pwszName) {
      char *u = utf8_from_w(oi->pwszName);
      if (u) {
        snprintf(out->digest, sizeof out->digest, "%s", u);
        for (char *q = out->digest; *q; q++) if (*q >= 'A' && *q <= 'Z') *q += 32;
        free(u);
      }
    }
  }
  free(si);
  signed_digest(msg, out);
  CryptMsgClose(msg);
  CertCloseStore(store, 0);
}

static void set(plat_sig *out, plat_sigstatus st, const char *what, LONG code) {
  char text[300];
  plat_strerror((int)code, text, sizeof text);
  out->status = st;
  snprintf(out->reason, sizeof out->reason, "%s (WinVerifyTrust: 0x%08lx %s)", what, (unsigned long)code, text);
}

int plat_trust_verify(const char *path, const char *extra, size_t len, plat_sig *out, plat_err *e) {
  memset(out, 0, sizeof *out);
  out->signed_at = -1;
  wchar_t *wp = w_path(path);
  if (!wp) return w_fail(e, path);
  if (GetFileAttributesW(wp) == INVALID_FILE_ATTRIBUTES) { free(wp); return w_fail(e, path); }
  WINTRUST_FILE_INFO fi = { sizeof fi, wp, NULL, NULL };
  WINTRUST_DATA wd;
  memset(&wd, 0, sizeof wd);
  wd.cbStruct = sizeof wd;
  wd.dwUIChoice = WTD_UI_NONE;
  wd.fdwRevocationChecks = WTD_REVOKE_NONE;
  wd.dwUnionChoice = WTD_CHOICE_FILE;
  wd.pFile = &fi;
  wd.dwStateAction = WTD_STATEACTION_VERIFY;
  wd.dwProvFlags = WTD_REVOCATION_CHECK_NONE | WTD_CACHE_ONLY_URL_RETRIEVAL;
  GUID action = WINTRUST_ACTION_GENERIC_VERIFY_V2;
  LONG st = WinVerifyTrust((HWND)INVALID_HANDLE_VALUE, &action, &wd);

  /* The chain WinVerifyTrust built: signer first, root last. */
  CRYPT_PROVIDER_DATA *pd = WTHelperProvDataFromStateData(wd.hWVTStateData);
  CRYPT_PROVIDER_SGNR *sg = pd ? WTHelperGetProvSignerFromChain(pd, 0, FALSE, 0) : NULL;
  PCCERT_CONTEXT root = NULL;
  if (sg) {
    for (DWORD i = 0; i < sg->csCertChain && out->nchain < SX_SIG_MAXCHAIN; i++)
      name_of(sg->pasCertChain[i].pCert, out->chain[out->nchain++], sizeof out->chain[0]);
    if (sg->csCertChain) root = sg->pasCertChain[sg->csCertChain - 1].pCert;
    if (sg->csCounterSigners) {
      out->signed_at = unix_of(sg->sftVerifyAsOf);
      snprintf(out->ts_kind, sizeof out->ts_kind, "countersignature");
    }
  }
  query_signer(wp, out);

  switch (st) {
  case ERROR_SUCCESS:
    if (root && (in_system_roots(root) || (extra && in_pem(root, extra, len)))) {
      out->status = SX_SIG_OK;
    } else {
      out->status = SX_SIG_UNTRUSTED;
      snprintf(out->reason, sizeof out->reason, "untrusted root (WinVerifyTrust accepted a chain to %s, "
               "which is neither in the system's ROOT store nor a given anchor)",
               out->nchain ? out->chain[out->nchain - 1] : "no root");
    }
    break;
  case CERT_E_UNTRUSTEDROOT: case CERT_E_CHAINING: case CERT_E_UNTRUSTEDTESTROOT:
    if (root && extra && in_pem(root, extra, len)) out->status = SX_SIG_OK;  /* an anchor we were given */
    else set(out, SX_SIG_UNTRUSTED, "untrusted root", st);
    break;
  case TRUST_E_NOSIGNATURE: case TRUST_E_SUBJECT_FORM_UNKNOWN: case TRUST_E_PROVIDER_UNKNOWN:
    set(out, SX_SIG_UNSIGNED, "unsigned", st); break;
  case TRUST_E_BAD_DIGEST: set(out, SX_SIG_DIGEST, "digest mismatch", st); break;
  case CERT_E_WRONG_USAGE: set(out, SX_SIG_USAGE, "not allowed for code signing", st); break;
  case TRUST_E_TIME_STAMP: set(out, SX_SIG_TIMESTAMP, "bad timestamp", st); break;
  case CERT_E_EXPIRED: case CERT_E_VALIDITYPERIODNESTING: case TRUST_E_CERT_SIGNATURE:
    set(out, SX_SIG_CHAIN, "invalid chain", st); break;
  default: set(out, SX_SIG_BADSIG, "bad signature", st); break;
  }
  if (out->status == SX_SIG_OK && root) {
    name_of(root, out->anchor, sizeof out->anchor);
    sha256_hex(root->pbCertEncoded, root->cbCertEncoded, out->anchor_sha256);
  }
  wd.dwStateAction = WTD_STATEACTION_CLOSE;
  WinVerifyTrust((HWND)INVALID_HANDLE_VALUE, &action, &wd);
  free(wp);
  return 0;
}

/* ---- digests through CryptoAPI ------------------------------------------ */

struct plat_digest { HCRYPTPROV prov; HCRYPTHASH hash; };

plat_digest *plat_digest_new(const char *alg, plat_err *e) {
  plat_digest *d = calloc(1, sizeof *d);
  ALG_ID id = strcmp(alg, "sha1") == 0 ? CALG_SHA1 : CALG_SHA_256;
  if (!d) { plat_fail(e, alg, ERROR_NOT_ENOUGH_MEMORY); return NULL; }
  if (!CryptAcquireContextW(&d->prov, NULL, NULL, PROV_RSA_AES, CRYPT_VERIFYCONTEXT)
      || !CryptCreateHash(d->prov, id, 0, 0, &d->hash)) {
    w_fail(e, alg);
    if (d->prov) CryptReleaseContext(d->prov, 0);
    free(d);
    return NULL;
  }
  return d;
}

int plat_digest_update(plat_digest *d, const void *p, size_t n, plat_err *e) {
  while (n > 0) {
    DWORD k = n > 0x40000000 ? 0x40000000 : (DWORD)n;
    if (!CryptHashData(d->hash, p, k, 0)) return w_fail(e, "digest");
    p = (const char *)p + k;
    n -= k;
  }
  return 0;
}

int plat_digest_final(plat_digest *d, unsigned char *out, size_t *n, plat_err *e) {
  DWORD len = 32;
  int r = CryptGetHashParam(d->hash, HP_HASHVAL, out, &len, 0) ? 0 : w_fail(e, "digest");
  *n = len;
  CryptDestroyHash(d->hash);
  CryptReleaseContext(d->prov, 0);
  free(d);
  return r;
}

static void sha256_hex(const BYTE *p, DWORD n, char hex[65]) {
  unsigned char md[32];
  size_t len = 0;
  plat_err e;
  hex[0] = 0;
  plat_digest *d = plat_digest_new("sha256", &e);
  if (!d || plat_digest_update(d, p, n, &e) != 0 || plat_digest_final(d, md, &len, &e) != 0) return;
  for (size_t i = 0; i < len; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
}
