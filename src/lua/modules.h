/* modules.h: openers of the C modules (one file per module in src/lua/). */
#ifndef SXSFIX_MODULES_H
#define SXSFIX_MODULES_H

#include "lua.h"
#include "platform/platform.h"

int luaopen_sxsfix_authenticode(lua_State *L);
int luaopen_sxsfix_copy(lua_State *L);
int luaopen_sxsfix_expand(lua_State *L);
int luaopen_sxsfix_fs(lua_State *L);
int luaopen_sxsfix_grep(lua_State *L);
int luaopen_sxsfix_host(lua_State *L);
int luaopen_sxsfix_reg(lua_State *L);
int luaopen_sxsfix_sd(lua_State *L);
int luaopen_sxsfix_service(lua_State *L);

/* Lua's operational-failure tier: pushes nil, "path: message", code; returns 3. */
int sx_pushfail(lua_State *L, const plat_err *e);

/* The path argument arg as a native path, replacing the argument in place
   (so the returned string lives as long as the call). Every binding takes
   its path arguments through here; this is where Windows paths
   (C:\..., %SystemRoot%) are mapped, with --root, to the system's. */
const char *sx_checkpath(lua_State *L, int arg);

/* As sx_checkpath, but a path that crosses a link out of --root (see
   sx_winpath_map) is an operational failure: NULL with e filled, for the
   caller to return nil, msg, code. Other bad paths raise. */
const char *sx_trypath(lua_State *L, int arg, plat_err *e);

/* The --root folder that C:\ maps to (Lua registry), or NULL. */
const char *sx_getroot(lua_State *L);
void sx_setroot(lua_State *L, const char *root);

/* Raise unless every key of the options table at arg (or nil) is in the
   NULL-terminated allowed list. */
void sx_checkopts(lua_State *L, int arg, const char *const allowed[]);

/* fs.dir, fs.list, fs.walk, fs.count, fs.isempty (fsdir.c), merged into the
   fs table at the top of the stack. */
void sx_fsdir_register(lua_State *L);

#endif
