/* bindutil.c: helpers shared by the bindings. */
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "core/winpath.h"
#include "lua/modules.h"

#define ROOT_KEY "sxsfix.root"  /* Lua registry: the --root folder, or absent */

int sx_pushfail(lua_State *L, const plat_err *e) {
  lua_pushnil(L);
  lua_pushstring(L, e->msg);
  lua_pushinteger(L, e->code);
  return 3;
}

const char *sx_getroot(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, ROOT_KEY);
  const char *root = lua_tostring(L, -1);  /* the registry keeps it alive */
  lua_pop(L, 1);
  return root;
}

void sx_setroot(lua_State *L, const char *root) {
  if (root) lua_pushstring(L, root);
  else lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, ROOT_KEY);
}

/* Plain native paths (no drive letter, no %, no leading '\') need no work. */
static int is_plain(const char *p) {
  return !strchr(p, '%') && p[0] != '\\' && !(p[0] && p[1] == ':');
}

const char *sx_checkpath(lua_State *L, int arg) {
  const char *p = luaL_checkstring(L, arg);
  if (is_plain(p)) return p;
  sx_winpath wp;
  sx_winpath_init(&wp, sx_getroot(L));
  char *out, err[1024];
  if (sx_winpath_map(&wp, p, &out, err, sizeof err) != 0) luaL_argerror(L, arg, err);
  lua_pushstring(L, out);
  free(out);
  lua_replace(L, arg);
  return lua_tostring(L, arg);
}

void sx_checkopts(lua_State *L, int arg, const char *const allowed[]) {
  if (lua_isnoneornil(L, arg)) return;
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, arg)) {
    lua_pop(L, 1);
    int ok = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(*a, lua_tostring(L, -1)) == 0;
    if (!ok) {
      lua_pushvalue(L, -1);
      luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", luaL_tolstring(L, -1, NULL)));
    }
  }
}
