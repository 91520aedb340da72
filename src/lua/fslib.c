/*
** fslib.c: module sxsfix.fs, file-system primitives. Paths are UTF-8.
** Errors follow Lua's io library: a bad argument raises; an operational
** failure returns nil, "path: message", code.
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "core/winpath.h"
#include "lua/modules.h"
#include "platform/platform.h"

/* fs.readfile (path) -> data | nil, msg, code */
static int fs_readfile(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  char *data;
  size_t len;
  if (plat_read_file(path, &data, &len, &e) != 0) return sx_pushfail(L, &e);
  lua_pushlstring(L, data, len);
  free(data);
  return 1;
}

/* fs.writefile (path, data) -> true | nil, msg, code  (atomic replace) */
static int fs_writefile(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  size_t len;
  const char *data = luaL_checklstring(L, 2, &len);
  if (!path) return sx_pushfail(L, &e);
  if (plat_write_file(path, data, len, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.append (path, text) -> true | nil, msg, code
   Appends text to path (created when missing), in one write, flushed. */
static int fs_append(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  size_t len;
  const char *data = luaL_checklstring(L, 2, &len);
  if (!path) return sx_pushfail(L, &e);
  plat_file *f = plat_open_write(path, PLAT_OPEN_APPEND, &e);
  int rc = f ? plat_write(f, data, len, &e) : -1;
  if (f && plat_close(f, rc ? NULL : &e) != 0) rc = -1;
  if (rc) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.mkdirs (path) -> true | nil, msg, code  (creates missing parents) */
static int fs_mkdirs(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  if (plat_mkdirs(path, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.mkdir_private (path) -> true | nil, msg, code
   A new folder for sxsfix alone (POSIX 0700, no ACL; Windows a protected
   DACL for SYSTEM and Administrators); missing parents are made as by
   fs.mkdirs. An existing path fails with code fs.EEXIST. */
static int fs_mkdir_private(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path || plat_mkdir_private(path, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.check_private (path) -> true | nil, msg, code
   true when path (not a link) is owned by root/Administrators and no one
   else may write it; else the message says why and what to do. */
static int fs_check_private(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path || plat_check_private(path, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.remove (path) -> true | nil, msg, code  (a file or an empty folder) */
static int fs_remove(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  if (plat_remove(path, &e) != 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.rmtree (path) -> true | nil, msg, code
   Deletes path and everything under it; links are removed, not followed. */
static int fs_rmtree(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  luaL_argcheck(L, path[0] != '\0', 1, "empty path");
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

/* fs.head (path, n) -> the first n bytes or fewer (the whole file when
   shorter) | nil, msg, code. n is at most 1 MiB: for headers, not data. */
static int fs_head(lua_State *L) {
  const char *path = sx_checkpath(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_argcheck(L, n >= 0 && n <= (1 << 20), 2, "must be 0 to 1048576");
  plat_err e;
  plat_rfile *f = plat_rfile_open(path, &e);
  if (!f) return sx_pushfail(L, &e);
  luaL_Buffer b;
  char *buf = luaL_buffinitsize(L, &b, (size_t)n);
  size_t have = 0, got = 1;
  while (have < (size_t)n && got > 0) {
    if (plat_rfile_read(f, buf + have, (size_t)n - have, &got, &e) != 0) {
      plat_rfile_close(f);
      return sx_pushfail(L, &e);
    }
    have += got;
  }
  plat_rfile_close(f);
  luaL_pushresultsize(&b, have);
  return 1;
}

/* fs.resolve (path) -> native path | nil, msg  (fs.map without raising:
   "%windir%: not set on this system" is an answer, not a wrong call) */
static int fs_resolve(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  sx_winpath wp;
  sx_winpath_init(&wp, sx_getroot(L));
  char *out, err[1024];
  if (sx_winpath_map(&wp, p, &out, err, sizeof err) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lua_pushstring(L, out);
  free(out);
  return 1;
}

/* fs.errkind (code) -> "notfound" | "denied" | "other"  (an error code from
   this module, in the OS's own numbering) */
static int fs_errkind(lua_State *L) {
  int code = (int)luaL_checkinteger(L, 1);
  lua_pushstring(L, plat_is_notfound(code) ? "notfound" : plat_is_denied(code) ? "denied" : "other");
  return 1;
}

/* fs.isdir (path) -> boolean  (false for a path through a link out of --root) */
static int fs_isdir(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  lua_pushboolean(L, path && plat_is_dir(path));
  return 1;
}


static void setnum(lua_State *L, const char *k, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static void setint(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

/* fs.stat (path [, {follow = bool}]) -> table | nil, msg, code, class (absent
   too: "PATH: No such file or directory", as every module says it)
   {type, size, mtime, atime, ctime, btime (seconds, fractional), nlink,
   mode, attrs, dev, ino}; a time of 0 means unknown. */
static int fs_stat(lua_State *L) {
  static const char *const opts[] = {"follow", NULL};
  static const char *const types[] = {"unknown", "file", "dir", "link", "other"};
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  sx_checkopts(L, 2, opts);
  int follow = 0;
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "follow");
    follow = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  plat_info st;
  if (plat_stat(path, follow, &st, &e) != 0) return sx_pushfail(L, &e);
  lua_createtable(L, 0, 12);
  lua_pushstring(L, types[st.type]);
  lua_setfield(L, -2, "type");
  setint(L, "size", (lua_Integer)st.size);
  setnum(L, "mtime", (lua_Number)st.mtime_ns / 1e9);
  setnum(L, "atime", (lua_Number)st.atime_ns / 1e9);
  setnum(L, "ctime", (lua_Number)st.ctime_ns / 1e9);
  setnum(L, "btime", (lua_Number)st.btime_ns / 1e9);
  setint(L, "mtime_ns", st.mtime_ns);
  setint(L, "nlink", st.nlink);
  setint(L, "mode", st.mode);
  setint(L, "attrs", st.attrs);
  setint(L, "dev", (lua_Integer)st.dev);
  setint(L, "ino", (lua_Integer)st.ino);
  return 1;
}

/* fs.map (path) -> native path | nil, msg, code  (how the Windows path maps
   here; a link out of --root on the way is refused) */
static int fs_map(lua_State *L) {
  plat_err e;
  const char *path = sx_trypath(L, 1, &e);
  if (!path) return sx_pushfail(L, &e);
  lua_pushstring(L, path);
  return 1;
}

/* fs.expandvars (s) -> s with %SystemRoot%, %windir%, %SystemDrive%, %ProgramData%
   expanded (offline meanings under --root) | nil, msg */
static int fs_expandvars(lua_State *L) {
  const char *s = luaL_checkstring(L, 1);
  sx_winpath wp;
  sx_winpath_init(&wp, sx_getroot(L));
  char err[512], *r = sx_winpath_expand(&wp, s, err, sizeof err);
  if (!r) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lua_pushstring(L, r);
  free(r);
  return 1;
}

/* fs.setroot (dir | nil) -> true | nil, msg, code
   Windows paths (C:\...) map into dir from now on; nil: the running system. */
static int fs_setroot(lua_State *L) {
  if (lua_isnoneornil(L, 1)) {
    sx_setroot(L, NULL);
    lua_pushboolean(L, 1);
    return 1;
  }
  const char *dir = luaL_checkstring(L, 1);
  plat_info st;
  plat_err e;
  if (plat_stat(dir, 1, &st, &e) != 0) return sx_pushfail(L, &e);
  if (st.type != PLAT_DIR) {
    plat_failc(&e, PLAT_EC_OS, plat_errcode(PLAT_E_NOTDIR), "%s: not a folder", dir);
    return sx_pushfail(L, &e);
  }
  sx_setroot(L, dir);
  lua_pushboolean(L, 1);
  return 1;
}

/* fs.root () -> the --root folder, or nil */
static int fs_root(lua_State *L) {
  const char *r = sx_getroot(L);
  if (r) lua_pushstring(L, r);
  else lua_pushnil(L);
  return 1;
}

/* fs.join (a, b, ...) -> path  (a later absolute part replaces what precedes) */
static int fs_join(lua_State *L) {
  int n = lua_gettop(L);
  lua_pushstring(L, luaL_checkstring(L, 1));
  for (int i = 2; i <= n; i++) {
    const char *b = luaL_checkstring(L, i);
    char *j = sx_path_isabs(b) ? strdup(b) : sx_path_join(lua_tostring(L, -1), b, plat_sep());
    if (!j) return luaL_error(L, "not enough memory");
    lua_pop(L, 1);
    lua_pushstring(L, j);
    free(j);
  }
  return 1;
}

/* fs.dirname (path) -> folder part ("" when none; "C:\" and "/" stay) */
static int fs_dirname(lua_State *L) {
  const char *p = luaL_checkstring(L, 1);
  lua_pushlstring(L, p, sx_path_dirlen(p));
  return 1;
}

/* fs.basename (path) -> last component */
static int fs_basename(lua_State *L) {
  size_t n;
  const char *b = sx_path_base(luaL_checkstring(L, 1), &n);
  lua_pushlstring(L, b, n);
  return 1;
}

/* fs.split (path) -> dirname, basename */
static int fs_split(lua_State *L) {
  fs_dirname(L);
  fs_basename(L);
  return 2;
}

static const luaL_Reg fslib[] = {
  {"append", fs_append},
  {"basename", fs_basename},
  {"check_private", fs_check_private},
  {"dirname", fs_dirname},
  {"errkind", fs_errkind},
  {"expandvars", fs_expandvars},
  {"head", fs_head},
  {"isdir", fs_isdir},
  {"join", fs_join},
  {"map", fs_map},
  {"mkdir_private", fs_mkdir_private},
  {"mkdirs", fs_mkdirs},
  {"readfile", fs_readfile},
  {"remove", fs_remove},
  {"resolve", fs_resolve},
  {"rmtree", fs_rmtree},
  {"root", fs_root},
  {"setroot", fs_setroot},
  {"split", fs_split},
  {"stat", fs_stat},
  {"tempdir", fs_tempdir},
  {"writefile", fs_writefile},
  {NULL, NULL}
};

int luaopen_sxsfix_fs(lua_State *L) {
  luaL_newlib(L, fslib);
  sx_fsdir_register(L);
  lua_pushstring(L, (char[]){plat_sep(), '\0'});
  lua_setfield(L, -2, "sep");  /* "/" or "\\" */
  lua_pushinteger(L, plat_errcode(PLAT_E_EXIST));
  lua_setfield(L, -2, "EEXIST");  /* the code of "already exists" here */
  return 1;
}
