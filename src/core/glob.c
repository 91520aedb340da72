/* glob.c: case-insensitive Windows wildcard matching (see glob.h). */
#include <stdint.h>
#include <string.h>

#include "core/glob.h"

/* Decode one UTF-8 character at *s and advance; an invalid byte decodes
   as itself (0x80..0xFF) so that every input has a meaning. */
static uint32_t next_cp(const unsigned char **s) {
  const unsigned char *p = *s;
  uint32_t c = p[0];
  int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
  if (n > 0) {
    uint32_t v = c & (0x3F >> n);
    int i;
    for (i = 1; i <= n && (p[i] & 0xC0) == 0x80; i++) v = (v << 6) | (p[i] & 0x3F);
    if (i > n) { *s = p + n + 1; return v; }
  }
  *s = p + 1;
  return c;
}

/* Simple case folding for the scripts Windows file names use most. */
static uint32_t fold(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;                 /* Latin-1 */
  if (c >= 0x100 && c <= 0x177 && c != 0x130 && c != 0x131 && c != 0x138) {  /* Latin Extended-A */
    int odd_upper = (c >= 0x139 && c <= 0x148);  /* there the capital is the odd one */
    if ((c & 1) == (uint32_t)odd_upper) return c + 1;
    return c;
  }
  if (c == 0x178) return 0xFF;                                                /* Ÿ -> ÿ */
  if (c >= 0x179 && c <= 0x17E && (c & 1)) return c + 1;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;               /* Greek */
  if (c >= 0x410 && c <= 0x42F) return c + 32;                              /* Cyrillic */
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

int sx_glob_has_wildcard(const char *pattern) {
  return strpbrk(pattern, "*?") != NULL;
}

int sx_glob_match(const char *pattern, const char *name) {
  const unsigned char *p = (const unsigned char *)pattern, *n = (const unsigned char *)name;
  const unsigned char *star_p = NULL, *star_n = NULL;  /* backtrack point of the last '*' */
  while (*n) {
    const unsigned char *pp = p, *nn = n;
    if (*p == '*') {
      while (*p == '*') p++;
      if (!*p) return 1;  /* a trailing '*' matches the rest */
      star_p = p;
      star_n = n;
      continue;
    }
    if (*p) {
      uint32_t pc = next_cp(&pp), nc = next_cp(&nn);
      if (pc == '?' || fold(pc) == fold(nc)) {
        p = pp;
        n = nn;
        continue;
      }
    }
    if (!star_p) return 0;
    p = star_p;  /* let the last '*' swallow one more character */
    next_cp(&star_n);
    n = star_n;
  }
  while (*p == '*') p++;
  return *p == '\0';
}
