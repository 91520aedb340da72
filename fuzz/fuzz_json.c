/* fuzz_json: the report encoder (lua/sxsfix/json.lua) fed any bytes as a
   string, alone and inside an object and an array. Every output must be
   strict JSON and valid UTF-8; valid UTF-8 input must come back unchanged,
   and the encoder must agree with the C validator (textdec.c) on what
   valid UTF-8 is. */
#define _GNU_SOURCE
#include <string.h>

#include "core/textdec.h"
#include "fuzzutil.h"
#include "luastate.h"

static const char *code =
  "local json = require 'sxsfix.json'\n"
  "return function(s)\n"
  "  return json.encode(s), json.encode({ line = s, [\"k\\0\" .. s] = json.array({ s, #s, 0.5 }) },\n"
  "                                     { indent = #s % 2 == 0 }), utf8.len(s) ~= nil\n"
  "end\n";

/* ---- a strict JSON reader (RFC 8259) ------------------------------------ */
typedef struct rd { const char *p, *end; char *str; size_t slen; } rd;

static void ws(rd *r) { while (r->p < r->end && strchr(" \t\r\n", *r->p) && *r->p) r->p++; }

static int string(rd *r) {
  if (r->p >= r->end || *r->p != '"') return 0;
  r->slen = 0;
  for (r->p++; r->p < r->end; r->p++) {
    unsigned char c = (unsigned char)*r->p;
    if (c == '"') { r->p++; return 1; }
    if (c < 0x20) return 0;
    if (c == '\\') {
      if (++r->p >= r->end) return 0;
      const char *esc = strchr("\"\\/bfnrtu", *r->p);
      if (!esc || !*r->p) return 0;
      if (*r->p == 'u') {
        unsigned v = 0;
        for (int i = 0; i < 4; i++) {
          if (++r->p >= r->end) return 0;
          char h = *r->p;
          int d = h >= '0' && h <= '9' ? h - '0' : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10 : -1;
          if (d < 0) return 0;
          v = v * 16 + (unsigned)d;
        }
        c = v < 0x80 ? (unsigned char)v : '?';
      } else {
        c = (unsigned char)"\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrtu"];
      }
    }
    if (r->str) r->str[r->slen++] = (char)c;
  }
  return 0;
}

static int value(rd *r, int depth) {
  ws(r);
  if (r->p >= r->end || depth > 64) return 0;
  char c = *r->p;
  if (c == '"') return string(r);
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    r->p++;
    ws(r);
    if (r->p < r->end && *r->p == close) { r->p++; return 1; }
    for (;;) {
      if (c == '{') {
        ws(r);
        char *keep = r->str;
        r->str = NULL;
        int ok = string(r);
        r->str = keep;
        ws(r);
        if (!ok || r->p >= r->end || *r->p++ != ':') return 0;
      }
      if (!value(r, depth + 1)) return 0;
      ws(r);
      if (r->p >= r->end) return 0;
      if (*r->p == close) { r->p++; return 1; }
      if (*r->p++ != ',') return 0;
    }
  }
  const char *s = r->p;   /* numbers: -?int frac? exp? */
  if (r->p < r->end && *r->p == '-') r->p++;
  if (r->p >= r->end || *r->p < '0' || *r->p > '9') return 0;
  if (*r->p == '0') r->p++; else while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
  if (r->p < r->end && *r->p == '.') { r->p++; if (r->p >= r->end || *r->p < '0' || *r->p > '9') return 0;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++; }
  if (r->p < r->end && (*r->p | 0x20) == 'e') { r->p++; if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9') return 0;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++; }
  return r->p > s;
}

static void strict(const char *s, size_t n, char *str) {
  rd r = { s, s + n, str, 0 };
  FZ_CHECK(value(&r, 0), "not JSON at byte %zu of: %.200s", (size_t)(r.p - s), s);
  ws(&r);
  FZ_CHECK(r.p == r.end, "trailing bytes after the JSON value");
  FZ_CHECK(sx_utf8_valid(s, n), "not valid UTF-8");
}

static lua_State *L;
static int fn;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  if (!L) L = fz_lua(code, &fn);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  lua_pushlstring(L, (const char *)data, n);
  FZ_CHECK(lua_pcall(L, 1, 3, 0) == LUA_OK, "json.encode raised: %s", lua_tostring(L, -1));
  size_t l1, l2;
  const char *a = lua_tolstring(L, -3, &l1), *b = lua_tolstring(L, -2, &l2);
  int valid = sx_utf8_valid((const char *)data, n);
  FZ_CHECK(valid == lua_toboolean(L, -1), "textdec.c and Lua disagree on UTF-8 validity");
  char *back = malloc(l1 + 1);
  strict(a, l1, back);
  rd r = { a, a + l1, back, 0 };
  string(&r);
  if (valid) FZ_CHECK(r.slen == n && !memcmp(back, data, n), "valid UTF-8 did not come back unchanged");
  else FZ_CHECK(memmem(back, r.slen, "\xef\xbf\xbd", 3) != NULL, "invalid UTF-8 without U+FFFD");
  strict(b, l2, NULL);
  free(back);
  lua_pop(L, 3);
  return 0;
}
