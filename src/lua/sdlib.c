/*
** sdlib.c: module sxsfix.sd, Windows security descriptors (src/core/secdesc.h)
** as Lua tables and text, and a file's descriptor (system.ntfs_acl on an
** ntfs-3g mount, the real one on Windows). Argument checking and marshalling only.
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "core/secdesc.h"
#include "lua/modules.h"

static const char *const type_names[] = { "allow", "deny", "audit", "alarm" };
#define LABEL_NAME "label"

static void push_sid(lua_State *L, const sd_sid *s) {
  char buf[SD_SID_STRMAX];
  sd_sid_format(s, buf);
  lua_pushstring(L, buf);
}

static void push_acl(lua_State *L, const sd_acl *a, const char *name) {
  if (!a->present) return;
  if (a->null) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, name[0] == 'd' ? "dacl_null" : "sacl_null");
    return;
  }
  lua_createtable(L, (int)a->n, 0);
  for (size_t i = 0; i < a->n; i++) {
    const sd_ace *ace = &a->aces[i];
    lua_createtable(L, 0, 5);
    if (ace->type < 4) lua_pushstring(L, type_names[ace->type]);
    else if (ace->type == SD_ACE_LABEL) lua_pushstring(L, LABEL_NAME);
    else lua_pushinteger(L, ace->type);
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, ace->flags);
    lua_setfield(L, -2, "flags");
    lua_pushinteger(L, ace->mask);
    lua_setfield(L, -2, "mask");
    push_sid(L, &ace->sid);
    lua_setfield(L, -2, "sid");
    if (ace->nextra) { lua_pushlstring(L, (const char *)ace->extra, ace->nextra); lua_setfield(L, -2, "extra"); }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, name);
}

/* Decode the string at arg; on failure pushes nil, msg and returns 0. */
static int decode_arg(lua_State *L, int arg, secdesc *sd) {
  size_t len;
  const char *b = luaL_checklstring(L, arg, &len);
  char err[200];
  if (sd_decode((const unsigned char *)b, len, sd, err, sizeof err) != 0) {
    sd_free(sd);
    plat_err e;  /* damaged bytes: an input failure */
    plat_failc(&e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL), "%s", err);
    sx_pushfail(L, &e);
    return 0;
  }
  return 1;
}

/* sd.decode (bytes) -> { control, owner, group, dacl, sacl } | nil, msg, code, "input" */
static int sd_decode_(lua_State *L) {
  secdesc sd;
  if (!decode_arg(L, 1, &sd)) return 4;
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, sd.control);
  lua_setfield(L, -2, "control");
  if (sd.has_owner) { push_sid(L, &sd.owner); lua_setfield(L, -2, "owner"); }
  if (sd.has_group) { push_sid(L, &sd.group); lua_setfield(L, -2, "group"); }
  push_acl(L, &sd.dacl, "dacl");
  push_acl(L, &sd.sacl, "sacl");
  sd_free(&sd);
  return 1;
}

/* The SID string in field k of the table at idx into s; 0 when absent. */
static int get_sid(lua_State *L, int idx, const char *k, sd_sid *s) {
  int t = lua_getfield(L, idx, k);
  if (t == LUA_TNIL) { lua_pop(L, 1); return 0; }
  if (t != LUA_TSTRING || sd_sid_parse(lua_tostring(L, -1), s) != 0)
    luaL_error(L, "sd.encode: %s: not a SID string (S-1-...)", k);
  lua_pop(L, 1);
  return 1;
}

/* Integer field k, or the SDDL-like names of a string (flags "OICI", mask "FA"). */
static lua_Integer get_bits(lua_State *L, int idx, const char *k, const char *const names[],
                            const lua_Integer bits[], int whole) {
  int t = lua_getfield(L, idx, k);
  lua_Integer v = 0;
  if (t == LUA_TNUMBER && lua_isinteger(L, -1)) v = lua_tointeger(L, -1);
  else if (t == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    while (*s) {
      int hit = -1;
      for (int i = 0; names[i] && hit < 0; i++)
        if (strncmp(s, names[i], strlen(names[i])) == 0) hit = i;
      if (hit < 0 || (whole && (s[strlen(names[hit])] || v)))
        luaL_error(L, "sd.encode: ACE %s: unknown name in '%s'", k, lua_tostring(L, -1));
      v |= bits[hit];
      s += strlen(names[hit]);
    }
  } else if (t != LUA_TNIL) luaL_error(L, "sd.encode: ACE %s must be an integer or a string", k);
  lua_pop(L, 1);
  return v;
}

static const char *const flag_names[] = { "OI", "CI", "NP", "IO", "ID", "SA", "FA", NULL };
static const lua_Integer flag_bits[] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x40, 0x80 };
static const char *const right_names[] = { "FA", "FR", "FW", "FX", "GA", "GR", "GW", "GX", NULL };
static const lua_Integer right_bits[] = { 0x1f01ff, 0x120089, 0x120116, 0x1200a9,
                                          0x10000000, 0x80000000, 0x40000000, 0x20000000 };

/* The ACL in field k of the table at idx (a list of ACE tables). */
static void get_acl(lua_State *L, int idx, const char *k, sd_acl *a) {
  if (lua_getfield(L, idx, k) == LUA_TNIL) { lua_pop(L, 1); return; }
  luaL_argcheck(L, lua_istable(L, -1), 1, lua_pushfstring(L, "%s must be a list of ACEs", k));
  int acl = lua_gettop(L);
  a->present = 1;
  a->n = (size_t)luaL_len(L, acl);
  if (a->n) {  /* the ACEs live in a userdata left on the stack for the call */
    a->aces = lua_newuserdatauv(L, a->n * sizeof *a->aces, 0);
    memset(a->aces, 0, a->n * sizeof *a->aces);
  }
  for (size_t i = 0; i < a->n; i++) {
    sd_ace *ace = &a->aces[i];
    lua_rawgeti(L, acl, (lua_Integer)i + 1);
    int e = lua_gettop(L);
    luaL_argcheck(L, lua_istable(L, e), 1, lua_pushfstring(L, "%s[%d] must be an ACE table", k, (int)i + 1));
    int t = lua_getfield(L, e, "type");
    if (t == LUA_TNUMBER) ace->type = (uint8_t)lua_tointeger(L, -1);
    else {
      static const char *const names[] = { "allow", "deny", "audit", "alarm", LABEL_NAME, NULL };
      int o = luaL_checkoption(L, -1, NULL, names);
      ace->type = o == 4 ? SD_ACE_LABEL : (uint8_t)o;
    }
    lua_pop(L, 1);
    ace->flags = (uint8_t)get_bits(L, e, "flags", flag_names, flag_bits, 0);
    ace->mask = (uint32_t)get_bits(L, e, "mask", right_names, right_bits, 1);
    if (!get_sid(L, e, "sid", &ace->sid)) luaL_error(L, "sd.encode: %s[%d] has no sid", k, (int)i + 1);
    if (lua_getfield(L, e, "extra") == LUA_TSTRING) {
      ace->extra = (unsigned char *)lua_tolstring(L, -1, &ace->nextra);
    }
    lua_settop(L, e - 1);
  }
  /* the ACL table (owner of the extra strings) and the userdata stay on the stack */
}

/* sd.encode ({ owner, group, dacl, sacl, control, protected }) -> bytes */
static int sd_encode_(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  static const char *const allowed[] = { "control", "dacl", "dacl_null", "group", "owner",
                                         "protected", "sacl", "sacl_null", NULL };
  sx_checkopts(L, 1, allowed);
  secdesc sd;
  memset(&sd, 0, sizeof sd);
  lua_getfield(L, 1, "control");
  sd.control = (uint16_t)luaL_optinteger(L, -1, 0);
  lua_getfield(L, 1, "protected");
  if (lua_toboolean(L, -1)) sd.control |= SD_DACL_PROTECTED;
  lua_getfield(L, 1, "dacl_null");
  sd.dacl.present = sd.dacl.null = lua_toboolean(L, -1);
  lua_getfield(L, 1, "sacl_null");
  sd.sacl.present = sd.sacl.null = lua_toboolean(L, -1);
  lua_pop(L, 4);
  sd.has_owner = get_sid(L, 1, "owner", &sd.owner);
  sd.has_group = get_sid(L, 1, "group", &sd.group);
  get_acl(L, 1, "dacl", &sd.dacl);
  get_acl(L, 1, "sacl", &sd.sacl);
  unsigned char *out;
  size_t len;
  char err[200];
  if (sd_encode(&sd, &out, &len, err, sizeof err) != 0) return luaL_error(L, "sd.encode: %s", err);
  lua_pushlstring(L, (const char *)out, len);
  free(out);
  return 1;
}

/* sd.format (bytes) -> "O:... G:... D:(A;...)..." | nil, msg, code, "input" */
static int sd_format_(lua_State *L) {
  secdesc sd;
  if (!decode_arg(L, 1, &sd)) return 4;
  char *s = sd_format(&sd);
  sd_free(&sd);
  if (!s) return luaL_error(L, "sd.format: out of memory");
  lua_pushstring(L, s);
  free(s);
  return 1;
}

/* sd.for_file (bytes) -> bytes | nil, msg, code, "input"
   A folder's descriptor as a file created in it inherits it (sd_for_file). */
static int sd_for_file_(lua_State *L) {
  secdesc sd;
  if (!decode_arg(L, 1, &sd)) return 4;
  sd_for_file(&sd);
  unsigned char *out;
  size_t len;
  char err[200];
  int rc = sd_encode(&sd, &out, &len, err, sizeof err);
  sd_free(&sd);
  if (rc != 0) {
    plat_err e;
    plat_failc(&e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL), "%s", err);
    return sx_pushfail(L, &e);
  }
  lua_pushlstring(L, (const char *)out, len);
  free(out);
  return 1;
}

/* sd.get (path) -> bytes | nil | nil, msg, code
   The file's NT descriptor: system.ntfs_acl (ntfs-3g) or Windows' own;
   a single nil when it has none (a Linux file system, or Wine). */
static int sd_get_(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  plat_meta m;
  if (plat_meta_get(path, PLAT_META_SECURITY, &m, &e) != 0) return sx_pushfail(L, &e);
  int found = 0;
  for (size_t i = 0; i < m.nx && !found; i++)
    if (strcmp(m.x[i].name, plat_meta_ntsd_name()) == 0) {
      lua_pushlstring(L, (const char *)m.x[i].value, m.x[i].len);
      found = 1;
    }
  plat_meta_free(&m);
  if (!found) lua_pushnil(L);
  return 1;
}

static const luaL_Reg sdlib[] = {
  {"decode", sd_decode_},
  {"encode", sd_encode_},
  {"for_file", sd_for_file_},
  {"format", sd_format_},
  {"get", sd_get_},
  {NULL, NULL}
};

int luaopen_sxsfix_sd(lua_State *L) {
  luaL_newlib(L, sdlib);
  return 1;
}
