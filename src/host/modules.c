/* modules.c: the C modules offered to scripts through require. */
#include "lauxlib.h"

#include "host/host.h"
#include "lua/modules.h"

static const luaL_Reg modules[] = {
  {"sxsfix.authenticode", luaopen_sxsfix_authenticode},
  {"sxsfix.copy", luaopen_sxsfix_copy},
  {"sxsfix.expand", luaopen_sxsfix_expand},
  {"sxsfix.fs", luaopen_sxsfix_fs},
  {"sxsfix.grep", luaopen_sxsfix_grep},
  {"sxsfix.host", luaopen_sxsfix_host},
  {"sxsfix.reg", luaopen_sxsfix_reg},
  {"sxsfix.sd", luaopen_sxsfix_sd},
  {"sxsfix.service", luaopen_sxsfix_service},
  {NULL, NULL}
};

void host_openmodules(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  for (const luaL_Reg *m = modules; m->name; m++) {
    lua_pushcfunction(L, m->func);
    lua_setfield(L, -2, m->name);
  }
  lua_pop(L, 1);
}
