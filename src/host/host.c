/*
** host.c: creates the Lua state, loads the script set and hands argv to
** the Lua CLI (sxsfix.cli). Every call into Lua runs under lua_pcall with a
** traceback handler; a script error becomes exit code 4, never a crash.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lualib.h"

#include "config.h"
#include "host/host.h"
#include "platform/platform.h"

/* Message handler: turn any error value into "message\ntraceback". */
static int host_msgh(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      msg = lua_tostring(L, -1);
    else
      msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Only reached on an error outside any pcall: a bug in the host itself. */
static int host_panic(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "sxsfix: internal error (unprotected Lua error): %s\n", msg ? msg : "?");
  fflush(stderr);
  exit(SX_EXIT_INTERNAL);
  return 0;
}

/* Handshake: the script set's sxsfix.version must match this binary's API.
   Returns 0 when it does, else the exit code: a set that cannot load is
   internal (4), a set for another API is bad input (3). */
static int check_scripts(lua_State *L, const char *dir) {
  const char *where = dir ? dir : "(built in)";
  lua_getglobal(L, "require");
  lua_pushliteral(L, "sxsfix.version");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
    fprintf(stderr, "sxsfix: %s is not a usable sxsfix script set: sxsfix/version.lua %s\n%s\n",
            where, lua_istable(L, -1) ? "" : "failed to load:",
            lua_isstring(L, -1) ? lua_tostring(L, -1) : "(it must return a table)");
    return SX_EXIT_INTERNAL;
  }
  lua_getfield(L, -1, "api");
  lua_Integer api = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
  lua_pop(L, 2);
  if (api == SXSFIX_SCRIPT_API) return 0;
  fprintf(stderr,
          "sxsfix: the script set in %s is for script API %lld, but this sxsfix %s "
          "implements API %d.\nExport a matching set with 'sxsfix scripts export DIR' "
          "and carry your edits over.\n",
          where, (long long)api, SXSFIX_VERSION, SXSFIX_SCRIPT_API);
  return SX_EXIT_USAGE;
}

/* The global options the host needs before any script is loaded. */
typedef struct early_opts {
  const char *scripts, *config;  /* --scripts DIR, --config FILE, or NULL */
  int allow_unsafe;              /* --allow-unsafe-scripts */
} early_opts;

/* Finds them with the CLI's rule: options end at "--" and at the script
   file of "run". */
static void scan_options(int argc, char **argv, early_opts *o) {
  static const char *valued[] = {"--root", "--json", "--log", "--scripts", "--config", NULL};
  const char *cmd = NULL;
  memset(o, 0, sizeof *o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) break;
    if (strncmp(a, "--scripts=", 10) == 0) { o->scripts = a + 10; continue; }
    if (strncmp(a, "--config=", 9) == 0) { o->config = a + 9; continue; }
    if (strcmp(a, "--allow-unsafe-scripts") == 0) { o->allow_unsafe = 1; continue; }
    int takes = 0;
    for (int k = 0; valued[k]; k++) takes |= strcmp(a, valued[k]) == 0;
    if (takes) {
      if (strcmp(a, "--scripts") == 0 && i + 1 < argc) o->scripts = argv[i + 1];
      if (strcmp(a, "--config") == 0 && i + 1 < argc) o->config = argv[i + 1];
      i++;
      continue;
    }
    if (a[0] == '-') continue;
    if (cmd == NULL) cmd = a;
    else if (strcmp(cmd, "run") == 0) break;  /* the rest belongs to the script */
  }
}

/* When elevated, --config and --scripts must be changeable by administrators
   only (trust.c); 0 to go on, else the exit code. */
static int check_trust(const early_opts *o) {
  plat_priv p;
  plat_err e;
  if (!o->config && !o->scripts) return 0;
  /* Wine runs everything as the Unix user and keeps no descriptors: its
     "elevation" gains nothing, and there are no owners to check. */
  if (plat_wine_version()) return 0;
  if (plat_privileges_enable(&p, &e) != 0) return 0;  /* not elevated: nothing to gain */
  int elevated = p.elevated;
  plat_privileges_restore(&p);
  if (!elevated) return 0;
  const char *what[2] = { "--config", "--scripts" }, *path[2] = { o->config, o->scripts };
  for (int i = 0; i < 2; i++) {
    if (!path[i] || host_check_code(path[i], i == 1, &e) == 0) continue;
    if (o->allow_unsafe) {
      fprintf(stderr, "sxsfix: warning: %s %s runs as code with administrator rights although "
              "others may change it (--allow-unsafe-scripts): %s\n", what[i], path[i], e.msg);
      continue;
    }
    fprintf(stderr, "sxsfix: %s %s refused: %s\n"
            "  Settings and scripts run as code with administrator rights, so only "
            "administrators may be able to change them, or the folders above them.\n"
            "  Fix that, or pass --allow-unsafe-scripts to run them anyway.\n",
            what[i], path[i], e.msg);
    return SX_EXIT_USAGE;
  }
  return 0;
}

/* The protected main: (argc, argv) as light userdata -> exit code. */
static int host_pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = (char **)lua_touserdata(L, 2);
  early_opts o;
  scan_options(argc, argv, &o);
  const char *dir = o.scripts;
  if (dir && !plat_is_dir(dir)) {
    fprintf(stderr, "sxsfix: --scripts %s: not a folder\n", dir);
    lua_pushinteger(L, SX_EXIT_USAGE);
    return 1;
  }
  int refused = check_trust(&o);
  if (refused) {
    lua_pushinteger(L, refused);
    return 1;
  }
  luaL_openlibs(L);
  host_openmodules(L);
  host_openloader(L, dir);
  int bad = check_scripts(L, dir);
  if (bad) {
    lua_pushinteger(L, bad);
    return 1;
  }
  lua_getglobal(L, "require");
  lua_pushliteral(L, "sxsfix.cli");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "main");
  if (!lua_isfunction(L, -1)) return luaL_error(L, "sxsfix.cli has no function 'main'");
  lua_createtable(L, argc, 1);  /* argv as a table: [0] = program, [1..] = arguments */
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  lua_call(L, 1, 1);
  if (lua_isnoneornil(L, -1)) {
    lua_pushinteger(L, SX_EXIT_OK);
  } else if (!lua_isinteger(L, -1) || ((lua_tointeger(L, -1) < 0 || lua_tointeger(L, -1) > 255) &&
                                        lua_tointeger(L, -1) != SX_EXIT_REBOOT)) {
    /* 3010: Windows' exit codes are 32 bits; POSIX never schedules a
       replacement at boot, so never returns it (its status would be 194) */
    return luaL_error(L, "sxsfix.cli.main returned %s, expected an exit code 0-255 or 3010",
                      luaL_tolstring(L, -1, NULL));
  }
  return 1;
}

int host_main(int argc, char **argv) {
  lua_State *L = luaL_newstate();
  if (L == NULL) {
    fprintf(stderr, "sxsfix: cannot create the Lua state: not enough memory\n");
    return SX_EXIT_INTERNAL;
  }
  lua_atpanic(L, host_panic);
  lua_pushcfunction(L, host_msgh);
  lua_pushcfunction(L, host_pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  int rc;
  if (lua_pcall(L, 2, 1, 1) != LUA_OK) {
    fflush(stdout);
    fprintf(stderr, "sxsfix: %s\n", lua_tostring(L, -1));
    rc = SX_EXIT_INTERNAL;
  } else {
    rc = (int)lua_tointeger(L, -1);
  }
  fflush(stdout);
  lua_close(L);
  return rc;
}
