/* glob.h: Windows-style wildcard matching of one name (no folders):
   '*' matches any run of characters, '?' exactly one character, everything
   else itself. Matching is case-insensitive as on Windows (Unicode simple
   case folding for Latin, Greek and Cyrillic letters; other characters
   compare exactly). Names and patterns are UTF-8; invalid bytes compare
   as themselves. */
#ifndef SXSFIX_GLOB_H
#define SXSFIX_GLOB_H

/* 1 when name matches pattern, else 0. */
int sx_glob_match(const char *pattern, const char *name);

/* 1 when pattern contains a wildcard ('*' or '?'). */
int sx_glob_has_wildcard(const char *pattern);

#endif
