/*
** hostlib.c: module sxsfix.host, what a script knows about the binary that
** runs it: versions, platform, features, and the embedded script set.
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "config.h"
#include "host/host.h"
#include "host/scripts.h"
#include "lua/modules.h"
#include "platform/platform.h"

#if SXSFIX_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
#if SXSFIX_HAVE_LIBARCHIVE
#include <archive.h>
#endif
#if SXSFIX_HAVE_WIMLIB
#include <wimlib.h>
#endif
#if SXSFIX_HAVE_OPENSSL
#include <openssl/crypto.h>
#endif

/* host.versions () -> { sxsfix=, lua=, pcre2=, libarchive=, wimlib=, hivex= }
   A dependency that was not built in has the value false. */
static int host_versions(lua_State *L) {
  lua_newtable(L);
  lua_pushliteral(L, SXSFIX_VERSION);
  lua_setfield(L, -2, "sxsfix");
  lua_pushliteral(L, LUA_VERSION_MAJOR "." LUA_VERSION_MINOR "." LUA_VERSION_RELEASE);
  lua_setfield(L, -2, "lua");
#if SXSFIX_HAVE_PCRE2
  char v[64] = "";
  pcre2_config(PCRE2_CONFIG_VERSION, v);
  lua_pushstring(L, v);
#else
  lua_pushboolean(L, 0);
#endif
  lua_setfield(L, -2, "pcre2");
#if SXSFIX_HAVE_LIBARCHIVE
  const char *av = archive_version_string();  /* "libarchive 3.6.2" */
  lua_pushstring(L, strncmp(av, "libarchive ", 11) == 0 ? av + 11 : av);
#else
  lua_pushboolean(L, 0);
#endif
  lua_setfield(L, -2, "libarchive");
#if SXSFIX_HAVE_WIMLIB
  uint32_t wv = wimlib_get_version();   /* MAJOR << 20 | MINOR << 10 | PATCH */
  lua_pushfstring(L, "%d.%d.%d", (int)(wv >> 20), (int)(wv >> 10 & 0x3ff), (int)(wv & 0x3ff));
#else
  lua_pushboolean(L, 0);
#endif
  lua_setfield(L, -2, "wimlib");
#if SXSFIX_HAVE_HIVEX
  lua_pushliteral(L, SXSFIX_HIVEX_VERSION);
#else
  lua_pushboolean(L, 0);
#endif
  lua_setfield(L, -2, "hivex");
#if SXSFIX_HAVE_OPENSSL
  lua_pushstring(L, OpenSSL_version(OPENSSL_VERSION_STRING));
#else
  lua_pushboolean(L, 0);
#endif
  lua_setfield(L, -2, "openssl");
  return 1;
}

/* host.features () -> { grep=, expand=, wim=, hive=, authenticode= }: true, or the reason
   the feature is unavailable in this build (a string). */
static int host_features(lua_State *L) {
  static const struct { const char *name; int have; const char *why; } f[] = {
    {"grep", SXSFIX_HAVE_PCRE2, "this sxsfix was built without PCRE2"},
    {"expand", SXSFIX_HAVE_LIBARCHIVE, "this sxsfix was built without libarchive"},
    {"wim", SXSFIX_HAVE_WIMLIB, "this sxsfix was built without wimlib"},
    {"hive", SXSFIX_HAVE_HIVE, "this sxsfix was built without hivex"},
    {"authenticode", SXSFIX_HAVE_OPENSSL, "this sxsfix was built without OpenSSL (libcrypto)"},
  };
  lua_newtable(L);
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    int have = f[i].have || (strcmp(f[i].name, "authenticode") == 0 && strcmp(plat_name(), "win32") == 0);
    if (have) lua_pushboolean(L, 1);  /* Windows verifies through WinVerifyTrust */
    else lua_pushstring(L, f[i].why);
    lua_setfield(L, -2, f[i].name);
  }
  return 1;
}

/* host.scripts () -> { "sxsfix/cli.lua", ... }: the embedded script set */
static int host_scripts(lua_State *L) {
  lua_newtable(L);
  int i = 1;
  for (const sx_script *s = sx_scripts; s->name; s++) {
    lua_pushstring(L, s->name);
    lua_rawseti(L, -2, i++);
  }
  return 1;
}

/* host.script (name) -> source | nil */
static int host_script(lua_State *L) {
  const sx_script *s = sx_script_find(luaL_checkstring(L, 1));
  if (s == NULL) return 0;
  lua_pushlstring(L, s->data, s->len);
  return 1;
}

/* host.scriptsdir () -> DIR given with --scripts | nil */
static int host_scriptsdir(lua_State *L) {
  const char *d = host_scripts_dir(L);
  if (d == NULL) return 0;
  lua_pushstring(L, d);
  return 1;
}

/* host.loadfile (path [, mode [, env]]) -> function | nil, msg, code
   Lua's loadfile, reading through the platform layer (UTF-8 paths on
   Windows). Text only: mode may be "t" (the default), never "b". Skips a
   UTF-8 BOM and a "#!" first line. A syntax error raises. */
static int host_loadfile(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  const char *mode = luaL_optstring(L, 2, "t");
  luaL_argcheck(L, strcmp(mode, "t") == 0, 2, "only text chunks (\"t\") are loaded");
  int env = !lua_isnone(L, 3) ? 3 : 0;
  plat_err e;
  char *data;
  size_t len;
  if (plat_read_file(path, &data, &len, &e) != 0) return sx_pushfail(L, &e);
  size_t skip = (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;  /* UTF-8 BOM */
  if (len - skip > 0 && data[skip] == '#')  /* "#!" first line, as lua does */
    while (skip < len && data[skip] != '\n') skip++;
  int st = luaL_loadbufferx(L, data + skip, len - skip, lua_pushfstring(L, "@%s", path), "t");
  free(data);
  if (st != LUA_OK) return lua_error(L);
  if (env) {  /* the chunk's first upvalue is its _ENV */
    lua_pushvalue(L, env);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

/* host.elevated () -> true | false, reason
   Whether the process holds what a repair needs: root on POSIX; on
   Windows, an elevated token (the backup/restore privileges are enabled
   and at once restored). */
static int host_elevated(lua_State *L) {
  plat_priv p;
  plat_err e;
  if (plat_privileges_enable(&p, &e) != 0) {
    lua_pushboolean(L, 0);
    lua_pushstring(L, e.msg);
    return 2;
  }
  int yes = p.elevated;
  plat_privileges_restore(&p);
  lua_pushboolean(L, yes);
  if (yes) return 1;
  lua_pushliteral(L, "not running as root");
  return 2;
}

/* host.isatty (stream) -> boolean; stream is "stdin", "stdout" or "stderr" */
static int host_isatty(lua_State *L) {
  static const char *const names[] = {"stdin", "stdout", "stderr", NULL};
  lua_pushboolean(L, plat_isatty(luaL_checkoption(L, 1, NULL, names)));
  return 1;
}

/* host.getenv (name) -> value | nil (UTF-8 on every platform) */
static int host_getenv(lua_State *L) {
  char *v = plat_getenv(luaL_checkstring(L, 1));
  if (v == NULL) return 0;
  lua_pushstring(L, v);
  free(v);
  return 1;
}

/* host.computername () -> name | nil, msg, code (live: this machine's name) */
static int host_computername(lua_State *L) {
  char buf[256];
  plat_err e;
  if (plat_computer_name(buf, sizeof buf, &e) != 0) return sx_pushfail(L, &e);
  lua_pushstring(L, buf);
  return 1;
}

/* host.clock () -> milliseconds from a monotonic clock (for durations) */
static int host_clock(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)plat_clock_ms());
  return 1;
}

/* host.event (source, level, id, text) -> true, registered | false | nil, msg, code
   One event in the system's event log (Windows: the Application log);
   level is "info", "warning" or "error", id 1..1000. false: this platform
   has no such log. registered: this call registered the source. */
static int host_event(lua_State *L) {
  static const char *const levels[] = {"info", "warning", "error", NULL};
  const char *source = luaL_checkstring(L, 1);
  int level = luaL_checkoption(L, 2, NULL, levels);
  lua_Integer id = luaL_checkinteger(L, 3);
  luaL_argcheck(L, id >= 1 && id <= 1000, 3, "event id must be 1..1000");
  const char *text = luaL_checkstring(L, 4);
  int registered = 0;
  plat_err e;
  int rc = plat_event_write(source, level, (unsigned)id, text, &registered, &e);
  if (rc < 0) return sx_pushfail(L, &e);
  lua_pushboolean(L, rc);
  if (rc == 0) return 1;
  lua_pushboolean(L, registered);
  return 2;
}

static const luaL_Reg hostlib[] = {
  {"clock", host_clock},
  {"computername", host_computername},
  {"elevated", host_elevated},
  {"event", host_event},
  {"features", host_features},
  {"getenv", host_getenv},
  {"isatty", host_isatty},
  {"loadfile", host_loadfile},
  {"script", host_script},
  {"scripts", host_scripts},
  {"scriptsdir", host_scriptsdir},
  {"versions", host_versions},
  {NULL, NULL}
};

int host_exit_for_class(int cls) {
  switch (cls) {
    case PLAT_EC_INPUT: return SX_EXIT_USAGE;
    case PLAT_EC_OS: case PLAT_EC_RESOURCE: return SX_EXIT_FAILED;
    default: return SX_EXIT_INTERNAL;
  }
}

int luaopen_sxsfix_host(lua_State *L) {
  luaL_newlib(L, hostlib);
  lua_pushliteral(L, SXSFIX_VERSION);
  lua_setfield(L, -2, "version");
  lua_pushinteger(L, SXSFIX_SCRIPT_API);
  lua_setfield(L, -2, "api");
  lua_pushstring(L, plat_name());
  lua_setfield(L, -2, "platform");
  const char *wine = plat_wine_version();
  if (wine) lua_pushstring(L, wine);
  else lua_pushboolean(L, 0);
  lua_setfield(L, -2, "wine");  /* Wine's version, or false */
  static const struct { const char *name; int code; } codes[] = {
    {"ok", SX_EXIT_OK}, {"issue", SX_EXIT_ISSUE}, {"failed", SX_EXIT_FAILED},
    {"usage", SX_EXIT_USAGE}, {"internal", SX_EXIT_INTERNAL}, {"unknown", SX_EXIT_UNKNOWN},
    {"reboot", SX_EXIT_REBOOT}};
  lua_createtable(L, 0, sizeof codes / sizeof codes[0]);
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    lua_pushinteger(L, codes[i].code);
    lua_setfield(L, -2, codes[i].name);
  }
  lua_setfield(L, -2, "exit");  /* exit codes: the one table */
  lua_createtable(L, 0, 4);
  for (int c = PLAT_EC_OS; c <= PLAT_EC_INTERNAL; c++) {
    lua_pushinteger(L, host_exit_for_class(c));
    lua_setfield(L, -2, plat_errclass_name((plat_errclass)c));
  }
  lua_setfield(L, -2, "exitclass");  /* class of a failure -> exit code */
  return 1;
}
