/* scripts.h: the shipped Lua scripts, compiled into the binary (see cmake/embed.cmake). */
#ifndef SXSFIX_SCRIPTS_H
#define SXSFIX_SCRIPTS_H

#include <stddef.h>

typedef struct sx_script {
  const char *name;   /* relative to lua/, with '/': "sxsfix/cli.lua" */
  const char *data;
  size_t len;
} sx_script;

extern const sx_script sx_scripts[];   /* ends with a {NULL, NULL, 0} entry */

/* The embedded script called name, or NULL. */
const sx_script *sx_script_find(const char *name);

#endif
