/*
** expandlib.c: module sxsfix.expand, listing and expanding .cab and .msu
** files (CAB- or WIM-based) through nested cabinets, and the free space
** of a volume (expand.space). Failures return
** nil, "file: message", code: an OS error code, or a negative code for a
** problem with the archive (expand.codes names them).
*/
#include <stdint.h>
#include <string.h>

#include "lauxlib.h"

#include "core/expand.h"
#include "core/glob.h"
#include "lua/modules.h"

/* A positive integer option (0 when absent: the default). */
static uint64_t budget_opt(lua_State *L, int arg, const char *k) {
  lua_Integer v = 0;
  if (lua_getfield(L, arg, k) != LUA_TNIL) {
    v = luaL_checkinteger(L, -1);
    luaL_argcheck(L, v > 0, arg, lua_pushfstring(L, "option '%s' must be a positive integer", k));
  }
  lua_pop(L, 1);
  return (uint64_t)v;
}

/* Read the options table at arg into o; unknown keys raise. */
static void check_opts(lua_State *L, int arg, sx_expand_opts *o, const char *const allowed[]) {
  memset(o, 0, sizeof *o);
  o->nested = 1;
  if (lua_isnoneornil(L, arg)) return;
  sx_checkopts(L, arg, allowed);
  if (lua_getfield(L, arg, "filter") != LUA_TNIL)
    o->filter = luaL_checkstring(L, -1);   /* stays alive: it is in the options table */
  if (lua_getfield(L, arg, "inner") != LUA_TNIL) o->inner = luaL_checkstring(L, -1);
  if (lua_getfield(L, arg, "nested") != LUA_TNIL) o->nested = lua_toboolean(L, -1);
  if (lua_getfield(L, arg, "overwrite") != LUA_TNIL) o->overwrite = lua_toboolean(L, -1);
  if (lua_getfield(L, arg, "zip") != LUA_TNIL) o->zip = lua_toboolean(L, -1);
  lua_pop(L, 5);
  o->max_ratio = budget_opt(L, arg, "max_ratio");
  o->max_bytes = budget_opt(L, arg, "max_bytes");
}

typedef struct listing {
  lua_State *L;
  const char *filter;
  lua_Integer n;
} listing;

static int add_entry(void *ud, const sx_entry *ent) {
  listing *li = ud;
  lua_State *L = li->L;
  const char *base = strrchr(ent->name, '/');
  if (li->filter && !ent->is_dir && !sx_glob_match(li->filter, base ? base + 1 : ent->name)) return 0;
  lua_createtable(L, 0, 5);
  lua_pushstring(L, ent->name);
  lua_setfield(L, -2, "name");
  lua_pushinteger(L, (lua_Integer)ent->size);
  lua_setfield(L, -2, "size");
  if (ent->mtime_ns != PLAT_NO_TIME) {
    lua_Integer s = ent->mtime_ns / 1000000000;
    if (ent->mtime_ns % 1000000000 < 0) s--;
    lua_pushinteger(L, s);
    lua_setfield(L, -2, "mtime");
  }
  lua_pushstring(L, ent->origin);
  lua_setfield(L, -2, "origin");
  lua_pushboolean(L, ent->is_dir);
  lua_setfield(L, -2, "dir");
  lua_rawseti(L, -2, ++li->n);
  return 0;
}

/* expand.list (path [, {filter=, nested=, inner=}]) -> { {name, size, mtime, origin, dir}... } | nil, msg, code */
static int ex_list(lua_State *L) {
  static const char *const allowed[] = {"filter", "inner", "nested", NULL};
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  sx_expand_opts o;
  check_opts(L, 2, &o, allowed);
  listing li = { L, o.filter, 0 };
  lua_newtable(L);
  if (sx_list(path, &o, add_entry, &li, &e) != 0) return sx_pushfail(L, &e);
  return 1;
}

/* expand.run (src, dst [, {filter=, nested=, inner=, overwrite=, max_ratio=, max_bytes=, zip=}])
   -> { files=, dirs=, bytes=, archives= } | nil, msg, code
   max_ratio and max_bytes: the budget of the whole expansion (expand.h). */
static int ex_run(lua_State *L) {
  static const char *const allowed[] = {"filter", "inner", "max_bytes", "max_ratio", "nested",
                                        "overwrite", "zip", NULL};
  plat_err e;
  const char *src = sx_trypath(L, 1, &e), *dst = src ? sx_trypath(L, 2, &e) : NULL;
  if (!dst) return sx_pushfail(L, &e);
  luaL_argcheck(L, dst[0] != '\0', 2, "empty path");
  sx_expand_opts o;
  check_opts(L, 3, &o, allowed);
  sx_expand_stats st;
  if (sx_expand(src, dst, &o, &st, &e) != 0) return sx_pushfail(L, &e);
  lua_createtable(L, 0, 4);
  lua_pushinteger(L, (lua_Integer)st.files);
  lua_setfield(L, -2, "files");
  lua_pushinteger(L, (lua_Integer)st.dirs);
  lua_setfield(L, -2, "dirs");
  lua_pushinteger(L, (lua_Integer)st.bytes);
  lua_setfield(L, -2, "bytes");
  lua_pushinteger(L, (lua_Integer)st.archives);
  lua_setfield(L, -2, "archives");
  return 1;
}

/* expand.copy (src, dst) -> bytes | nil, msg, code, class  (dst: a new file,
   written in blocks through a temporary name, never through a link) */
static int ex_copy(lua_State *L) {
  plat_err e;
  const char *src = sx_trypath(L, 1, &e), *dst = src ? sx_trypath(L, 2, &e) : NULL;
  if (!dst) return sx_pushfail(L, &e);
  uint64_t n;
  if (sx_copy_file(src, dst, &n, &e) != 0) return sx_pushfail(L, &e);
  lua_pushinteger(L, (lua_Integer)n);
  return 1;
}

/* expand.space (path) -> { free = bytes, volume = "mount point or C:\\", readonly = bool }
   | nil, msg, code. path must exist. */
static int ex_space(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  uint64_t avail;
  char vol[1024];
  int ro = 0;
  if (plat_free_space(path, &avail, &e) != 0 || plat_volume_of(path, vol, sizeof vol, &ro, &e) != 0)
    return sx_pushfail(L, &e);
  lua_createtable(L, 0, 3);
  lua_pushboolean(L, ro);
  lua_setfield(L, -2, "readonly");
  lua_pushinteger(L, avail > (uint64_t)INT64_MAX ? INT64_MAX : (lua_Integer)avail);
  lua_setfield(L, -2, "free");
  lua_pushstring(L, vol);
  lua_setfield(L, -2, "volume");
  return 1;
}

static const luaL_Reg expandlib[] = {
  {"copy", ex_copy},
  {"list", ex_list},
  {"space", ex_space},
  {"run", ex_run},
  {NULL, NULL}
};

int luaopen_sxsfix_expand(lua_State *L) {
  static const struct { const char *name; int code; } codes[] = {
    {"corrupt", SX_EXP_CORRUPT}, {"exists", SX_EXP_EXISTS}, {"format", SX_EXP_FORMAT},
    {"multivolume", SX_EXP_MULTIVOLUME}, {"nospace", SX_EXP_NOSPACE}, {"ratio", SX_EXP_RATIO},
    {"unsafe", SX_EXP_UNSAFE}, {"unsupported", SX_EXP_UNSUPPORTED},
  };
  luaL_newlib(L, expandlib);
  lua_createtable(L, 0, 7);
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    lua_pushinteger(L, codes[i].code);
    lua_setfield(L, -2, codes[i].name);
  }
  lua_setfield(L, -2, "codes");   /* expand.codes.unsafe == -3 ... */
  lua_createtable(L, 0, 2);        /* the OS codes a caller tells apart */
  lua_pushinteger(L, plat_errcode(PLAT_E_ROFS));
  lua_setfield(L, -2, "readonly");
  lua_pushinteger(L, plat_errcode(PLAT_E_NOSPC));
  lua_setfield(L, -2, "nospace");
  lua_setfield(L, -2, "os");       /* expand.os.readonly == EROFS / ERROR_WRITE_PROTECT */
  return 1;
}
