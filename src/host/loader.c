/*
** loader.c: where require finds scripts.
**  - Without --scripts: modules named sxsfix.* come from the embedded set.
**  - With --scripts DIR: package.path starts with DIR/?.lua;DIR/?/init.lua
**    and the embedded set is not used at all (no mixing of two versions).
** Files are read through the platform layer, so UTF-8 paths work on
** Windows too, and no C modules are loaded from disk (package.cpath = "").
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "host/host.h"
#include "host/scripts.h"
#include "platform/platform.h"

#define SCRIPTS_DIR_KEY "sxsfix.scriptsdir"

const sx_script *sx_script_find(const char *name) {
  for (const sx_script *s = sx_scripts; s->name; s++)
    if (strcmp(s->name, name) == 0) return s;
  return NULL;
}

static void check_loaded(lua_State *L, int status, const char *file) {
  if (status != LUA_OK)
    luaL_error(L, "error loading module '%s' from file '%s':\n\t%s",
               lua_tostring(L, 1), file, lua_tostring(L, -1));
}

/* Searcher for the embedded set: "sxsfix.cli" -> lua/sxsfix/cli.lua. */
static int search_embedded(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (const char *p = name; *p; p++) luaL_addchar(&b, *p == '.' ? '/' : *p);
  luaL_addstring(&b, ".lua");
  luaL_pushresult(&b);
  const char *rel = lua_tostring(L, -1);
  const sx_script *s = sx_script_find(rel);
  if (s == NULL) {
    lua_pushfstring(L, "no built-in script '%s'", rel);
    return 1;
  }
  const char *chunk = lua_pushfstring(L, "@%s", rel);
  check_loaded(L, luaL_loadbufferx(L, s->data, s->len, chunk, "t"), rel);
  lua_pushstring(L, rel);  /* second argument to the loader, as Lua's searchers do */
  return 2;
}

/* Searcher over package.path, reading through the platform layer. */
static int search_path(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  const char *path = lua_tostring(L, -1);
  if (path == NULL) return luaL_error(L, "'package.path' must be a string");
  const char *file = luaL_gsub(L, name, ".", LUA_DIRSEP);
  const char *tried = "";
  char *data = NULL;
  size_t len = 0;
  for (const char *p = path; *p;) {  /* each ';'-separated template */
    const char *end = strchr(p, ';');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n > 0) {
      lua_pushlstring(L, p, n);
      const char *cand = luaL_gsub(L, lua_tostring(L, -1), "?", file);
      plat_err e;
      if (plat_read_file(cand, &data, &len, &e) == 0) {
        int st = luaL_loadbufferx(L, data, len, lua_pushfstring(L, "@%s", cand), "t");
        free(data);
        check_loaded(L, st, cand);
        lua_pushstring(L, cand);
        return 2;
      }
      tried = lua_pushfstring(L, "%s\n\tno file '%s'", tried, cand);
    }
    p += n;
    if (*p == ';') p++;
  }
  lua_pushstring(L, tried);
  return 1;
}

void host_openloader(lua_State *L, const char *scripts_dir) {
  lua_getglobal(L, "package");
  if (scripts_dir) {
    lua_pushstring(L, scripts_dir);
    lua_setfield(L, LUA_REGISTRYINDEX, SCRIPTS_DIR_KEY);
    char sep = plat_sep();
    lua_pushfstring(L, "%s%c?.lua;%s%c?%cinit.lua", scripts_dir, sep, scripts_dir, sep, sep);
  } else {
    lua_pushliteral(L, "");  /* never pick up scripts from the current folder */
  }
  lua_setfield(L, -2, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_createtable(L, 3, 0);  /* package.searchers = { preload, embedded?, path } */
  lua_getfield(L, -2, "searchers");
  lua_rawgeti(L, -1, 1);     /* keep Lua's preload searcher */
  lua_rawseti(L, -3, 1);
  lua_pop(L, 1);
  int i = 2;
  if (!scripts_dir) {
    lua_pushcfunction(L, search_embedded);
    lua_rawseti(L, -2, i++);
  }
  lua_pushcfunction(L, search_path);
  lua_rawseti(L, -2, i);
  lua_setfield(L, -2, "searchers");
  lua_pop(L, 1);
}

const char *host_scripts_dir(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, SCRIPTS_DIR_KEY);
  const char *d = lua_tostring(L, -1);  /* stays alive: the registry holds it */
  lua_pop(L, 1);
  return d;
}
