/*
** authlib.c: module sxsfix.authenticode, the signatures of cabinets.
**   verify(path [, {anchors = PEM, time = T, engine = "openssl"|"system"}]) -> info
**   certs(pem) -> { {subject = S, sha256 = HEX}, ... }
**   hash(path, "sha1"|"sha256") -> hex
**   engines -> { openssl = bool, system = bool }
** info: { status = "ok" | "unsigned" | "digest mismatch" | "bad signature" |
** "untrusted root" | "invalid chain" | "not for code signing" |
** "bad timestamp" | "bad input", verified, reason, signer, chain = {...},
** anchor, anchor_sha256, digest, timestamp, timestamp_kind,
** timestamp_signer, engine }. I/O failures return nil, "path: msg", code.
*/
#include <stdio.h>
#include <string.h>

#include "lauxlib.h"

#include "core/authenticode.h"
#include "lua/modules.h"

static void setstr(lua_State *L, const char *k, const char *v) {
  if (!v || !*v) return;
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

static void push_sig(lua_State *L, const sx_sig *s, const char *engine) {
  lua_createtable(L, 0, 14);
  setstr(L, "status", sx_sig_statusname(s->status));
  lua_pushboolean(L, s->status == SX_SIG_OK);
  lua_setfield(L, -2, "verified");
  setstr(L, "reason", s->status == SX_SIG_OK ? NULL : s->reason);
  setstr(L, "signer", s->signer);
  lua_createtable(L, s->nchain, 0);
  for (int i = 0; i < s->nchain; i++) {
    lua_pushstring(L, s->chain[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "chain");
  setstr(L, "anchor", s->anchor);
  setstr(L, "anchor_sha256", s->anchor_sha256);
  setstr(L, "digest", s->digest);
  if (s->signed_at >= 0) {
    lua_pushinteger(L, s->signed_at);
    lua_setfield(L, -2, "timestamp");
  }
  setstr(L, "timestamp_kind", s->ts_kind);
  setstr(L, "timestamp_signer", s->ts_signer);
  setstr(L, "engine", engine);
}

/* The system engine: the cabinet's digest, computed here, must be the one
   its signature holds (Wine's WinVerifyTrust does not compare them). The
   digest comes first, as with OpenSSL: a mismatch is the verdict. */
static int check_digest(const char *path, const sx_cabsig *cs, sx_sig *s, plat_err *e) {
  if (s->status == SX_SIG_UNSIGNED || s->status == SX_SIG_BADINPUT) return 0;
  const char *alg = s->signed_digest_alg;
  if (s->signed_digest_len == 0 || (strcmp(alg, "sha1") != 0 && strcmp(alg, "sha256") != 0)) {
    s->status = SX_SIG_BADSIG;
    snprintf(s->reason, sizeof s->reason, "bad signature (its digest%s%s cannot be checked here)",
             alg[0] ? " algorithm " : "", alg);
    return 0;
  }
  unsigned char md[64];
  size_t n = 0;
  if (sx_cabsig_digest(path, cs, alg, md, &n, e) != 0) return -1;
  if (n != s->signed_digest_len || memcmp(md, s->signed_digest, n) != 0) {
    s->status = SX_SIG_DIGEST;
    snprintf(s->reason, sizeof s->reason, "digest mismatch (the cabinet changed after it was signed)");
    s->anchor[0] = s->anchor_sha256[0] = '\0';
  }
  return 0;
}

/* authenticode.verify (path [, opts]) -> info | nil, msg, code */
static int auth_verify(lua_State *L) {
  static const char *const allowed[] = { "anchors", "engine", "time", NULL };
  const char *path = sx_checkpath(L, 1);
  sx_checkopts(L, 2, allowed);
  size_t len = 0;
  const char *pem = "", *engine = sx_authenticode_available() ? "openssl" : "system";
  lua_Integer at = 0;
  if (lua_istable(L, 2)) {
    if (lua_getfield(L, 2, "anchors") != LUA_TNIL) pem = luaL_checklstring(L, -1, &len);
    if (lua_getfield(L, 2, "engine") != LUA_TNIL) engine = luaL_checkstring(L, -1);
    if (lua_getfield(L, 2, "time") != LUA_TNIL) at = luaL_checkinteger(L, -1);
    lua_pop(L, 3);  /* the strings stay alive in the options table */
  }
  luaL_argcheck(L, strcmp(engine, "openssl") == 0 || strcmp(engine, "system") == 0, 2,
                "engine must be \"openssl\" or \"system\"");
  sx_sig s;
  plat_err e;
  int r;
  if (strcmp(engine, "openssl") == 0) {
    r = sx_authenticode_verify(path, pem, len, at, &s, &e);
  } else {  /* the cabinet's layout first: the same verdicts for a file that is no signed cabinet */
    sx_cabsig cs;
    memset(&s, 0, sizeof s);
    s.signed_at = -1;
    int st = (int)sx_cabsig_probe(path, &cs, s.reason, sizeof s.reason, &e);
    if (st < 0) return sx_pushfail(L, &e);
    s.status = (sx_sigstatus)st;
    r = s.status == SX_SIG_OK ? plat_trust_verify(path, pem, len, &s, &e) : 0;
    if (r == 0 && st == SX_SIG_OK && check_digest(path, &cs, &s, &e) != 0) return sx_pushfail(L, &e);
  }
  if (r != 0) return sx_pushfail(L, &e);
  push_sig(L, &s, engine);
  return 1;
}

static void add_cert(void *ud, const char *subject, const char *sha256) {
  lua_State *L = ud;
  lua_createtable(L, 0, 2);
  lua_pushstring(L, subject);
  lua_setfield(L, -2, "subject");
  lua_pushstring(L, sha256);
  lua_setfield(L, -2, "sha256");
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
}

/* authenticode.certs (pem) -> list | nil, msg, code */
static int auth_certs(lua_State *L) {
  size_t len;
  const char *pem = luaL_checklstring(L, 1, &len);
  plat_err e;
  lua_newtable(L);
  if (sx_pem_certs(pem, len, add_cert, L, &e) < 0) return sx_pushfail(L, &e);
  return 1;
}

/* authenticode.hash (path, alg) -> hex | nil, msg, code */
static int auth_hash(lua_State *L) {
  static const char *const algs[] = { "sha1", "sha256", NULL };
  const char *path = sx_checkpath(L, 1);
  const char *alg = algs[luaL_checkoption(L, 2, "sha256", algs)];
  char hex[129];
  plat_err e;
  if (sx_file_hash(path, alg, hex, sizeof hex, &e) != 0) return sx_pushfail(L, &e);
  lua_pushstring(L, hex);
  return 1;
}

static const luaL_Reg authlib[] = {
  {"certs", auth_certs},
  {"hash", auth_hash},
  {"verify", auth_verify},
  {NULL, NULL}
};

int luaopen_sxsfix_authenticode(lua_State *L) {
  luaL_newlib(L, authlib);
  lua_createtable(L, 0, 2);
  lua_pushboolean(L, sx_authenticode_available());
  lua_setfield(L, -2, "openssl");
  lua_pushboolean(L, strcmp(plat_name(), "win32") == 0);
  lua_setfield(L, -2, "system");
  lua_setfield(L, -2, "engines");
  return 1;
}
