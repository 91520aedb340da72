/*
** fsdir.c: folder enumeration for module sxsfix.fs: fs.dir, fs.walk,
** fs.list, fs.count, fs.isempty. One walker (core/walk.h) serves all; its
** handle is closed at the end, on break (to-be-closed) or by gc.
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "core/walk.h"
#include "lua/modules.h"
#include "platform/platform.h"

#define WALKER "sxsfix.fs.walker"

/* The userdata: created closed (w NULL), then opened. */
typedef struct walker {
  sx_walk *w;
  int relpaths;      /* yield paths relative to the start (walk) or names (dir) */
} walker;

static const char *const typenames[] = {"unknown", "file", "dir", "link", "other"};

static void w_close(walker *w) {
  sx_walk_close(w->w);
  w->w = NULL;
}

/* Next entry: 1 with its path (or name) and type pushed, 0 at the end, -1 on error. */
static int w_next(lua_State *L, walker *w, plat_err *e) {
  sx_walk_ent ent;
  int r = w->w ? sx_walk_next(w->w, &ent, e) : 0;
  if (r == 1) {
    lua_pushstring(L, w->relpaths ? ent.rel : ent.name);
    lua_pushstring(L, typenames[ent.type]);
  }
  return r;
}

static walker *check_walker(lua_State *L, int i) {
  return luaL_checkudata(L, i, WALKER);
}

static int w_gc(lua_State *L) {
  w_close(check_walker(L, 1));
  return 0;
}

static int w_tostring(lua_State *L) {
  walker *w = check_walker(L, 1);
  if (!w->w) lua_pushliteral(L, "directory (closed)");
  else lua_pushfstring(L, "directory (%s)", sx_walk_root(w->w));
  return 1;
}

/* Iterator: the walker is upvalue 1. Raises on a read error, as io.lines does. */
static int w_iter(lua_State *L) {
  walker *w = lua_touserdata(L, lua_upvalueindex(1));
  plat_err e;
  int r = w_next(L, w, &e);
  if (r < 0) {
    w_close(w);
    return luaL_error(L, "%s", e.msg);
  }
  return r ? 2 : 0;
}

static const char *const walkopts[] = {"depth", "match", "type", NULL};

/* A new walker for the path at 1, options at opt (0 = none); on failure
   returns NULL with e filled and nothing pushed. */
static walker *new_walker(lua_State *L, int opt, int maxdepth, int relpaths, plat_err *e) {
  const char *path = sx_trypath(L, 1, e);
  if (!path) return NULL;
  int want = -1;
  const char *match = NULL;
  if (opt) {
    sx_checkopts(L, opt, walkopts);
    if (lua_istable(L, opt)) {
      if (lua_getfield(L, opt, "depth") != LUA_TNIL) {
        maxdepth = (int)luaL_checkinteger(L, -1);
        luaL_argcheck(L, maxdepth >= 0, opt, "depth must be 0 (no limit) or more");
      }
      if (lua_getfield(L, opt, "type") != LUA_TNIL) {
        static const char *const types[] = {"file", "dir", NULL};
        want = luaL_checkoption(L, -1, NULL, types) == 0 ? PLAT_FILE : PLAT_DIR;
      }
      if (lua_getfield(L, opt, "match") != LUA_TNIL) match = luaL_checkstring(L, -1);
      lua_pop(L, 3);  /* match stays alive: the options table holds it */
    }
  }
  walker *w = lua_newuserdatauv(L, sizeof *w, 0);
  w->w = NULL;  /* created closed, then opened */
  w->relpaths = relpaths;
  luaL_setmetatable(L, WALKER);
  sx_walk_opts wo = { maxdepth, want, match };
  if (!(w->w = sx_walk_open(path, &wo, e))) {
    lua_pop(L, 1);
    return NULL;
  }
  return w;
}

/* iter, nil, nil, handle: a generic for closes the handle on break. */
static int push_iter(lua_State *L, walker *w) {
  (void)w;
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, w_iter, 1);
  lua_insert(L, -2);
  lua_pushnil(L);
  lua_pushnil(L);
  lua_rotate(L, -3, -1);  /* iter, nil, nil, walker */
  return 4;
}

/* fs.dir (path) -> iter, nil, nil, handle; iter() -> name, type */
static int fs_dir(lua_State *L) {
  plat_err e;
  walker *w = new_walker(L, 0, 1, 0, &e);
  if (!w) return luaL_error(L, "%s", e.msg);
  return push_iter(L, w);
}

/* fs.walk (path [, {depth, match, type}]) -> iter, nil, nil, handle;
   iter() -> relative path, type */
static int fs_walk(lua_State *L) {
  plat_err e;
  walker *w = new_walker(L, 2, 0, 1, &e);
  if (!w) return luaL_error(L, "%s", e.msg);
  return push_iter(L, w);
}

/* fs.list (path [, {match, type, depth}]) -> {names...} | nil, msg, code */
static int fs_list(lua_State *L) {
  plat_err e;
  walker *w = new_walker(L, 2, 1, 1, &e);
  if (!w) return sx_pushfail(L, &e);
  lua_newtable(L);
  int r;
  lua_Integer i = 0;
  while ((r = w_next(L, w, &e)) == 1) {
    lua_pop(L, 1);  /* the type */
    lua_rawseti(L, -2, ++i);
  }
  w_close(w);
  return r < 0 ? sx_pushfail(L, &e) : 1;
}

/* fs.count (path [, {match, type, depth}]) -> n | nil, msg, code */
static int fs_count(lua_State *L) {
  plat_err e;
  walker *w = new_walker(L, 2, 1, 0, &e);
  if (!w) return sx_pushfail(L, &e);
  lua_Integer n = 0;
  int r;
  while ((r = w_next(L, w, &e)) == 1) {
    lua_pop(L, 2);
    n++;
  }
  w_close(w);
  if (r < 0) return sx_pushfail(L, &e);
  lua_pushinteger(L, n);
  return 1;
}

/* fs.isempty (path) -> boolean | nil, msg, code  (reads one entry at most) */
static int fs_isempty(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  plat_dir *d = plat_dir_open(path, &e);
  if (!d) return sx_pushfail(L, &e);
  plat_dirent ent;
  int r = plat_dir_next(d, &ent, &e);
  plat_dir_close(d);
  if (r < 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, r == 0);
  return 1;
}

static const luaL_Reg fsdir_funcs[] = {
  {"count", fs_count},
  {"dir", fs_dir},
  {"isempty", fs_isempty},
  {"list", fs_list},
  {"walk", fs_walk},
  {NULL, NULL}
};

static int w_close_method(lua_State *L) {
  w_close(check_walker(L, 1));
  return 0;
}

static const luaL_Reg walker_meta[] = {
  {"__close", w_gc},
  {"__gc", w_gc},
  {"__index", NULL},
  {"__tostring", w_tostring},
  {NULL, NULL}
};

void sx_fsdir_register(lua_State *L) {
  luaL_setfuncs(L, fsdir_funcs, 0);
  if (luaL_newmetatable(L, WALKER)) {
    luaL_setfuncs(L, walker_meta, 0);
    lua_newtable(L);
    lua_pushcfunction(L, w_close_method);
    lua_setfield(L, -2, "close");
    lua_setfield(L, -2, "__index");  /* handle:close() */
  }
  lua_pop(L, 1);
}
