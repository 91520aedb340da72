/* bindutil.c: helpers shared by the bindings. */
#include "lauxlib.h"

#include "lua/modules.h"

int sx_pushfail(lua_State *L, const plat_err *e) {
  lua_pushnil(L);
  lua_pushstring(L, e->msg);
  lua_pushinteger(L, e->code);
  return 3;
}

const char *sx_checkpath(lua_State *L, int arg) {
  const char *p = luaL_checkstring(L, arg);
  /* Native paths pass through unchanged; Windows-path mapping comes with
     the path-mapping engine (src/core). */
  return p;
}
