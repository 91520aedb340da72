/*
** fsdir.c: folder enumeration for module sxsfix.fs: fs.dir, fs.walk,
** fs.list, fs.count, fs.isempty. One walker serves all: a stack of open
** folders, pre-order, closed at the end, on break (to-be-closed) or by gc.
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "core/glob.h"
#include "lua/modules.h"
#include "platform/platform.h"

#define WALKER "sxsfix.fs.walker"

typedef struct level {
  plat_dir *d;
  char *path;   /* native path of this folder */
  char *rel;    /* path relative to the walk's start ("" at the top) */
} level;

typedef struct walker {
  level *lv;
  int n, cap;
  int maxdepth;      /* 1 = the folder's own entries; 0 = no limit */
  int want;          /* PLAT_FILE, PLAT_DIR, or -1 for any type */
  int relpaths;      /* yield paths relative to the start (walk) or names (dir) */
  char *match;       /* glob on the entry's name, or NULL */
} walker;

static const char *const typenames[] = {"unknown", "file", "dir", "link", "other"};

static char *joinpath(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *r = malloc(la + lb + 2);
  if (!r) return NULL;
  memcpy(r, a, la);
  if (la && a[la - 1] != '/' && a[la - 1] != '\\') r[la++] = plat_sep();
  memcpy(r + la, b, lb + 1);
  return r;
}

static void pop_level(walker *w) {
  level *l = &w->lv[--w->n];
  plat_dir_close(l->d);
  free(l->path);
  free(l->rel);
}

static void w_close(walker *w) {
  while (w->n > 0) pop_level(w);
  free(w->lv);
  free(w->match);
  w->lv = NULL;
  w->match = NULL;
  w->cap = 0;
}

static int nomem(plat_err *e) {
  e->code = 12;  /* ENOMEM; only the message matters here */
  strcpy(e->msg, "fs: out of memory");
  return -1;
}

/* Open folder path as a new level; 0, or -1 with e filled (path and rel
   are taken over either way). */
static int push_level(walker *w, char *path, char *rel, plat_err *e) {
  if (!path || !rel) {
    free(path); free(rel);
    return nomem(e);
  }
  if (w->n == w->cap) {
    int cap = w->cap ? w->cap * 2 : 8;
    level *lv = realloc(w->lv, (size_t)cap * sizeof *lv);
    if (!lv) { free(path); free(rel); return nomem(e); }
    w->lv = lv;
    w->cap = cap;
  }
  plat_dir *d = plat_dir_open(path, e);
  if (!d) { free(path); free(rel); return -1; }
  w->lv[w->n++] = (level){d, path, rel};
  return 0;
}

/* Next entry that passes the filters: 1 with name/type (and, for walks,
   the relative path) pushed, 0 at the end, -1 on error. */
static int w_next(lua_State *L, walker *w, plat_err *e) {
  while (w->n > 0) {
    level *l = &w->lv[w->n - 1];
    plat_dirent ent;
    int r = plat_dir_next(l->d, &ent, e);
    if (r < 0) return -1;
    if (r == 0) { pop_level(w); continue; }
    int show = (w->want < 0 || (int)ent.type == w->want) && (!w->match || sx_glob_match(w->match, ent.name));
    if (show) {
      if (w->relpaths && l->rel[0]) {
        char *rp = joinpath(l->rel, ent.name);
        lua_pushstring(L, rp ? rp : ent.name);
        free(rp);
      } else {
        lua_pushstring(L, ent.name);
      }
      lua_pushstring(L, typenames[ent.type]);
    }
    if (ent.type == PLAT_DIR && (w->maxdepth == 0 || w->n < w->maxdepth)) {
      char *rel = l->rel[0] ? joinpath(l->rel, ent.name) : strdup(ent.name);
      if (push_level(w, joinpath(l->path, ent.name), rel, e) != 0) {
        if (show) lua_pop(L, 2);
        return -1;
      }
    }
    if (show) return 1;
  }
  return 0;
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
  if (w->n == 0) lua_pushliteral(L, "directory (closed)");
  else lua_pushfstring(L, "directory (%s)", w->lv[0].path);
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
  memset(w, 0, sizeof *w);  /* created closed, then opened */
  luaL_setmetatable(L, WALKER);
  w->maxdepth = maxdepth;
  w->want = want;
  w->relpaths = relpaths;
  if ((match && !(w->match = strdup(match))) ||
      push_level(w, strdup(path), strdup(""), e) != 0) {
    if (match && !w->match) nomem(e);
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
