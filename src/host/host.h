/* host.h: the Lua host. Owns the Lua state; everything runs under lua_pcall. */
#ifndef SXSFIX_HOST_H
#define SXSFIX_HOST_H

#include "lua.h"

/* Exit codes of diagnose and repair (DESIGN's contract). The scripts read
   them from host.exit (hostlib.c), so this is the one table. */
enum {
  SX_EXIT_OK = 0,        /* no issue, or repaired and verified */
  SX_EXIT_ISSUE = 1,     /* issue detected, or repair planned but not applied */
  SX_EXIT_FAILED = 2,    /* repair failed */
  SX_EXIT_USAGE = 3,     /* bad input or usage */
  SX_EXIT_INTERNAL = 4,  /* script or internal error */
  SX_EXIT_UNKNOWN = 5,   /* could not diagnose: an essential input was unreadable */
  SX_EXIT_REBOOT = 3010  /* repaired; files are replaced at the next boot */
};

/* The exit code of a failure of a class (plat_errclass): the one mapping,
   exported to the scripts as host.exitclass. Bad input exits 3; the OS
   refusing and a lack of memory or space exit 2 (nothing is blamed on the
   input); an internal failure exits 4. */
int host_exit_for_class(int cls);

/* Run sxsfix with these arguments; returns the process exit code. */
int host_main(int argc, char **argv);

/* Where scripts come from: NULL for the built-in set, or the --scripts DIR.
   Installs the script searchers into package.searchers. */
void host_openloader(lua_State *L, const char *scripts_dir);

/* Register the C modules (sxsfix.host, sxsfix.fs, ...) in package.preload. */
void host_openmodules(lua_State *L);

/* Settings and scripts run as code (trust.c): 0 when path, everything under
   it when tree, and every folder above it (as given and as resolved) can be
   changed by administrators only; else -1 with the reason in e. */
struct plat_err;
int host_check_code(const char *path, int tree, struct plat_err *e);

/* The --scripts DIR given on the command line, or NULL (read by hostlib). */
const char *host_scripts_dir(lua_State *L);

#endif
