/*
** reglib.c: module sxsfix.reg, registry reads from one of three sources:
** the live registry (Windows), an offline hive file named by {hive = FILE},
** or, under --root, the installation's own hives (HKLM\SOFTWARE\... is
** read from C:\Windows\System32\config\SOFTWARE mapped into the root).
** Values are typed: strings, a table for REG_MULTI_SZ, integers for
** DWORD/QWORD, raw bytes for the rest. reg.set writes one value of the
** live registry (Windows only; refused under --root).
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "core/reg.h"
#include "core/winpath.h"
#include "lua/modules.h"

#define HIVE "sxsfix.reg.hive"       /* userdata: plat_hive *, closed by gc */
#define HIVES "sxsfix.reg.hives"     /* registry table: native file -> hive userdata */

static const char *const regopts[] = {"expand", "hive", NULL};

static int hive_gc(lua_State *L) {
  plat_hive **h = luaL_checkudata(L, 1, HIVE);
  plat_hive_close(*h);
  *h = NULL;
  return 0;
}

/* The open hive for native file, from the cache or opened now; NULL with
   e filled on failure (a bad hive is not cached: it fails every time). */
static plat_hive *get_hive(lua_State *L, const char *file, plat_err *e) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, HIVES);
  if (lua_getfield(L, -1, file) == LUA_TUSERDATA) {
    plat_hive *h = *(plat_hive **)lua_touserdata(L, -1);
    lua_pop(L, 2);
    return h;
  }
  lua_pop(L, 1);
  plat_hive **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = NULL;  /* created closed, then opened */
  if (luaL_newmetatable(L, HIVE)) {
    lua_pushcfunction(L, hive_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  if (!(*box = plat_hive_open(file, e))) {
    lua_pop(L, 2);
    return NULL;
  }
  lua_setfield(L, -2, file);
  lua_pop(L, 1);
  return *box;
}

/* Read the key at arg 1 with the options at arg opt: 1, 0 (absent), -1 (e). */
static int read_key(lua_State *L, int opt, plat_regkey *k, plat_err *e) {
  const char *key = luaL_checkstring(L, 1);
  sx_checkopts(L, opt, regopts);
  const char *file = NULL, *sub = key;
  if (lua_istable(L, opt) && lua_getfield(L, opt, "hive") != LUA_TNIL) {
    file = sx_trypath(L, lua_gettop(L), e);  /* stays on the stack */
    if (!file) return -1;
  } else {
    const char *rest, *root = sx_reg_splitkey(key, &rest);
    luaL_argcheck(L, root != NULL, 1, "a key starts with HKLM, HKCU, HKCR, HKU or HKCC");
    if (!sx_getroot(L)) return plat_reg_read(root, rest, k, e);
    const char *name = sx_reg_offline_hive(root, rest, &sub);
    if (!name) {
      lua_pushfstring(L, "%s: not in an offline installation's hives (HKLM\\SOFTWARE, SYSTEM, SAM, SECURITY)", key);
      return plat_failc(e, PLAT_EC_INPUT, 0, "%s", lua_tostring(L, -1));
    }
    lua_pushfstring(L, "C:\\Windows\\System32\\config\\%s", name);
    file = sx_trypath(L, lua_gettop(L), e);
    if (!file) return -1;  /* a link out of --root on the way to the hive */
  }
  plat_hive *h = get_hive(L, file, e);
  return h ? sx_hive_read(h, sub, k, e) : -1;
}

/* Push value v as its Lua value; expand: REG_EXPAND_SZ through fs.expandvars's
   rules (an unexpandable one stays as stored). */
static void push_value(lua_State *L, const plat_regvalue *v, int expand) {
  size_t n;
  switch (v->type) {
    case SX_REG_SZ: case SX_REG_EXPAND_SZ: case SX_REG_LINK: {
      char *s = sx_utf16le_to_utf8(v->data, v->len, &n);
      if (!s) luaL_error(L, "not enough memory");
      char *x = NULL, err[256];
      if (expand && v->type == SX_REG_EXPAND_SZ) {
        sx_winpath wp;
        sx_winpath_init(&wp, sx_getroot(L));
        x = sx_winpath_expand(&wp, s, err, sizeof err);
      }
      lua_pushstring(L, x ? x : s);
      free(x);
      free(s);
      return;
    }
    case SX_REG_MULTI_SZ: {
      lua_newtable(L);
      size_t off = 0;
      for (lua_Integer i = 1; off + 1 < v->len; i++) {
        char *s = sx_utf16le_to_utf8(v->data + off, v->len - off, &n);
        if (!s) luaL_error(L, "not enough memory");
        size_t units = 0;  /* UTF-16 units of this string */
        while (off + 2 * units + 1 < v->len && (v->data[off + 2 * units] | v->data[off + 2 * units + 1]))
          units++;
        if (units == 0) { free(s); break; }  /* the terminating empty string */
        lua_pushlstring(L, s, n);
        free(s);
        lua_rawseti(L, -2, i);
        off += 2 * units + 2;
      }
      return;
    }
    case SX_REG_DWORD: case SX_REG_DWORD_BIG_ENDIAN:
      if (v->len == 4) {
        const unsigned char *d = v->data;
        uint32_t x = v->type == SX_REG_DWORD
          ? (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24
          : (uint32_t)d[3] | (uint32_t)d[2] << 8 | (uint32_t)d[1] << 16 | (uint32_t)d[0] << 24;
        lua_pushinteger(L, (lua_Integer)x);
        return;
      }
      break;
    case SX_REG_QWORD:
      if (v->len == 8) {
        uint64_t x = 0;
        for (int i = 7; i >= 0; i--) x = x << 8 | v->data[i];
        lua_pushinteger(L, (lua_Integer)x);
        return;
      }
      break;
  }
  lua_pushlstring(L, (const char *)v->data, v->len);  /* binary, or a malformed number */
}

static int want_expand(lua_State *L, int opt) {
  if (!lua_istable(L, opt)) return 0;
  lua_getfield(L, opt, "expand");
  int x = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return x;
}

/* reg.get (key, name [, {hive, expand}]) -> value, typename | nil | nil, msg, code
   name "" is the key's default value. */
static int reg_get(lua_State *L) {
  const char *name = luaL_checkstring(L, 2);
  plat_regkey k;
  plat_err e;
  int r = read_key(L, 3, &k, &e);
  if (r < 0) return sx_pushfail(L, &e);
  if (r == 0) { lua_pushnil(L); return 1; }
  int found = 0;
  for (size_t i = 0; i < k.nvalues && !found; i++) {
    if (sx_reg_name_eq(name, k.values[i].name)) {
      char buf[32];
      push_value(L, &k.values[i], want_expand(L, 3));
      lua_pushstring(L, sx_reg_typename(k.values[i].type, buf, sizeof buf));
      found = 1;
    }
  }
  plat_regkey_free(&k);
  if (!found) lua_pushnil(L);
  return found ? 2 : 1;
}

/* reg.key (key [, {hive, expand}]) -> {subkeys = {...}, values = {{name, type, value}...}}
   | nil | nil, msg, code */
static int reg_key(lua_State *L) {
  plat_regkey k;
  plat_err e;
  int r = read_key(L, 2, &k, &e);
  if (r < 0) return sx_pushfail(L, &e);
  if (r == 0) { lua_pushnil(L); return 1; }
  int expand = want_expand(L, 2);
  lua_createtable(L, 0, 2);
  lua_createtable(L, (int)k.nsubkeys, 0);
  for (size_t i = 0; i < k.nsubkeys; i++) {
    lua_pushstring(L, k.subkeys[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "subkeys");
  lua_createtable(L, (int)k.nvalues, 0);
  for (size_t i = 0; i < k.nvalues; i++) {
    char buf[32];
    lua_createtable(L, 0, 3);
    lua_pushstring(L, k.values[i].name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, sx_reg_typename(k.values[i].type, buf, sizeof buf));
    lua_setfield(L, -2, "type");
    push_value(L, &k.values[i], expand);
    lua_setfield(L, -2, "value");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "values");
  plat_regkey_free(&k);
  return 1;
}

/* reg.longname (key) -> key with its root spelled out (HKEY_LOCAL_MACHINE\...)
   | nil, msg when it starts with no root (an answer about the text, as
   fs.resolve gives one about a path) */
static int reg_longname(lua_State *L) {
  const char *key = luaL_checkstring(L, 1);
  const char *rest, *root = sx_reg_splitkey(key, &rest);
  if (!root) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: a key starts with HKLM, HKCU, HKCR, HKU or HKCC", key);
    return 2;
  }
  lua_pushfstring(L, rest[0] ? "%s\\%s" : "%s", sx_reg_longroot(root), rest);
  return 1;
}

/* reg.set (key, name, value) -> true | nil, msg, code: the live registry
   only (never an offline installation's hives, so refused under --root);
   a string is stored as REG_SZ, an integer 0..0xFFFFFFFF as REG_DWORD. */
static int reg_set(lua_State *L) {
  const char *key = luaL_checkstring(L, 1), *name = luaL_checkstring(L, 2);
  const char *rest, *root = sx_reg_splitkey(key, &rest);
  luaL_argcheck(L, root != NULL, 1, "a key starts with HKLM, HKCU, HKCR, HKU or HKCC");
  const char *str = NULL;
  lua_Integer n = 0;
  if (lua_type(L, 3) == LUA_TSTRING) str = lua_tostring(L, 3);
  else {
    n = luaL_checkinteger(L, 3);
    luaL_argcheck(L, n >= 0 && n <= 0xFFFFFFFF, 3, "a DWORD is 0..4294967295");
  }
  plat_err e;
  if (sx_getroot(L)) {
    plat_failc(&e, PLAT_EC_INPUT, 0, "%s: reg.set writes this machine's registry, not --root's hives", key);
    return sx_pushfail(L, &e);
  }
  if (plat_reg_write(root, rest, name, str, (uint32_t)n, &e) < 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

static const luaL_Reg reglib[] = {
  {"get", reg_get},
  {"key", reg_key},
  {"longname", reg_longname},
  {"set", reg_set},
  {NULL, NULL}
};

int luaopen_sxsfix_reg(lua_State *L) {
  luaL_newlib(L, reglib);
  return 1;
}
