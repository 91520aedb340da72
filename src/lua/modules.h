/* modules.h: openers of the C modules (one file per module in src/lua/). */
#ifndef SXSFIX_MODULES_H
#define SXSFIX_MODULES_H

#include "lua.h"
#include "platform/platform.h"

int luaopen_sxsfix_expand(lua_State *L);
int luaopen_sxsfix_fs(lua_State *L);
int luaopen_sxsfix_host(lua_State *L);

/* Lua's operational-failure tier: pushes nil, "path: message", code; returns 3. */
int sx_pushfail(lua_State *L, const plat_err *e);

/* The path argument arg as a native path, replacing the argument in place
   (so the returned string lives as long as the call). Every binding takes
   its path arguments through here; this is where Windows paths
   (C:\..., %SystemRoot%) are mapped, with --root, to the system's. */
const char *sx_checkpath(lua_State *L, int arg);

#endif
