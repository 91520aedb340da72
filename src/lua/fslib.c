/*
** fslib.c: module sxsfix.fs, file-system primitives. Paths are UTF-8.
** Errors follow Lua's io library: a bad argument raises; an operational
** failure returns nil, "path: message", code.
*/
#include <stdlib.h>

#include "lauxlib.h"

#include "lua/modules.h"
#include "platform/platform.h"

/* fs.readfile (path) -> data | nil, msg, code */
static int fs_readfile(lua_State *L) {
  const char *path = sx_checkpath(L, 1);
  plat_err e;
  char *data;
  size_t len;
  if (plat_read_file(path, &data, &len, &e) != 0) return sx_pushfail(L, &e);
  lua_pushlstring(L, data, len);
  free(data);
  return 1;
}

/* fs.writefile (path, data) -> true | nil, msg, code  (atomic replace) */
static int fs_writefile(lua_State *L) {
  const char *path = sx_checkpath(L, 1);
  size_t len;
  const char *data = luaL_checklstring(L, 2, &len);
  plat_err e;
  if (plat_write_file(path, data, len, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.mkdir (path) -> true | nil, msg, code  (creates missing parents) */
static int fs_mkdir(lua_State *L) {
  const char *path = sx_checkpath(L, 1);
  plat_err e;
  if (plat_mkdirs(path, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.remove (path) -> true | nil, msg, code  (a file or an empty folder) */
static int fs_remove(lua_State *L) {
  const char *path = sx_checkpath(L, 1);
  plat_err e;
  if (plat_remove(path, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.rmtree (path) -> true | nil, msg, code
   Deletes path and everything under it; links are removed, not followed. */
static int fs_rmtree(lua_State *L) {
  const char *path = sx_checkpath(L, 1);
  luaL_argcheck(L, path[0] != '\0', 1, "empty path");
  plat_err e;
  if (plat_remove_tree(path, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.tempdir ([prefix]) -> path | nil, msg, code  (a new empty folder) */
static int fs_tempdir(lua_State *L) {
  const char *prefix = luaL_optstring(L, 1, "sxsfix");
  char buf[1024];
  plat_err e;
  if (plat_mkdtemp(prefix, buf, sizeof buf, &e) != 0) return sx_pushfail(L, &e);
  lua_pushstring(L, buf);
  return 1;
}

/* fs.isdir (path) -> boolean */
static int fs_isdir(lua_State *L) {
  lua_pushboolean(L, plat_is_dir(sx_checkpath(L, 1)));
  return 1;
}

static const luaL_Reg fslib[] = {
  {"isdir", fs_isdir},
  {"mkdir", fs_mkdir},
  {"readfile", fs_readfile},
  {"remove", fs_remove},
  {"rmtree", fs_rmtree},
  {"tempdir", fs_tempdir},
  {"writefile", fs_writefile},
  {NULL, NULL}
};

int luaopen_sxsfix_fs(lua_State *L) {
  luaL_newlib(L, fslib);
  lua_pushstring(L, (char[]){plat_sep(), '\0'});
  lua_setfield(L, -2, "sep");  /* "/" or "\\" */
  return 1;
}
