/* bindutil.c: helpers shared by the bindings. */
#include "lua/modules.h"

int sx_pushfail(lua_State *L, const plat_err *e) {
  lua_pushnil(L);
  lua_pushstring(L, e->msg);
  lua_pushinteger(L, e->code);
  return 3;
}
