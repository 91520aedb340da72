/* luastate.h: a Lua state with sxsfix's modules and built-in scripts, and
   a function compiled from trusted harness code (the fuzz input is only
   ever data passed to it, never code). */
#ifndef SXSFIX_FUZZ_LUASTATE_H
#define SXSFIX_FUZZ_LUASTATE_H

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#include "host/host.h"

/* The state; the function that code returns is left in the registry at ref. */
static lua_State *fz_lua(const char *code, int *ref) {
  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  host_openmodules(L);
  host_openloader(L, NULL);
  if (luaL_dostring(L, code) != LUA_OK) {
    fprintf(stderr, "fuzz: harness code: %s\n", lua_tostring(L, -1));
    abort();
  }
  *ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return L;
}

#endif
