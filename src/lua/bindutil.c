/* bindutil.c: helpers shared by the bindings. */
#include <stdio.h>
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
  lua_pushstring(L, plat_errclass_name(e->cls));
  return 4;
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

const char *sx_trypath(lua_State *L, int arg, plat_err *e) {
  const char *p = luaL_checkstring(L, arg);
  sx_winpath wp;
  sx_winpath_init(&wp, sx_getroot(L));
  char *out = NULL, err[sizeof e->msg];
  int r = is_plain(p) ? sx_winpath_check(&wp, p, err, sizeof err)
                      : sx_winpath_map(&wp, p, &out, err, sizeof err);
  if (r == SX_WINPATH_LINK) {  /* an operational failure: the caller returns nil, msg, code */
    plat_failc(e, PLAT_EC_OS, plat_errcode(PLAT_E_ACCES), "%s", err);
    return NULL;
  }
  if (r != 0) luaL_argerror(L, arg, err);
  if (!out) return p;
  lua_pushstring(L, out);
  free(out);
  lua_replace(L, arg);
  return lua_tostring(L, arg);
}

const char *sx_checkpath(lua_State *L, int arg) {
  plat_err e;
  const char *p = sx_trypath(L, arg, &e);
  if (!p) luaL_argerror(L, arg, e.msg);
  return p;
}

void sx_checkfields(lua_State *L, int idx, int arg, const char *what, const char *const allowed[]) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    int ok = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(*a, lua_tostring(L, -1)) == 0;
    if (!ok) {
      lua_pushvalue(L, -1);
      const char *k = luaL_tolstring(L, -1, NULL);
      luaL_argerror(L, arg, what ? lua_pushfstring(L, "%s: unknown option '%s'", what, k)
                                 : lua_pushfstring(L, "unknown option '%s'", k));
    }
  }
}

void sx_checkopts(lua_State *L, int arg, const char *const allowed[]) {
  if (lua_isnoneornil(L, arg)) return;
  luaL_checktype(L, arg, LUA_TTABLE);
  sx_checkfields(L, arg, arg, NULL, allowed);
}
