/*
** svclib.c: module sxsfix.service, a service's state, stop and start
** through the Service Control Manager (platform.h). On POSIX every
** service is "absent".
*/
#include "lauxlib.h"

#include "lua/modules.h"

static const char *const state_names[] = { "absent", "stopped", "running", "pending", "paused" };

/* service.state (name) -> "absent"|"stopped"|"running"|"pending"|"paused" | nil, msg, code */
static int service_state(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  plat_svc_state st;
  plat_err e;
  if (plat_service_state(name, &st, &e) != 0) return sx_pushfail(L, &e);
  lua_pushstring(L, state_names[st]);
  return 1;
}

/* Seconds at arg (default 60, 1 to 3600) as milliseconds. */
static unsigned wait_ms(lua_State *L, int arg) {
  lua_Integer s = luaL_optinteger(L, arg, 60);
  luaL_argcheck(L, s >= 1 && s <= 3600, arg, "seconds must be 1 to 3600");
  return (unsigned)s * 1000u;
}

/* service.stop (name [, seconds]) -> true | nil, msg, code
   waits at most seconds (default 60) for it to stop */
static int service_stop(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  plat_err e;
  if (plat_service_stop(name, wait_ms(L, 2), &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* service.start (name [, seconds]) -> true | nil, msg, code */
static int service_start(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  plat_err e;
  if (plat_service_start(name, wait_ms(L, 2), &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

static const luaL_Reg servicelib[] = {
  {"start", service_start},
  {"state", service_state},
  {"stop", service_stop},
  {NULL, NULL}
};

int luaopen_sxsfix_service(lua_State *L) {
  luaL_newlib(L, servicelib);
  return 1;
}
