/* safename.c: refuse archive entry names that could leave the destination
   or that Windows would read as something other than a plain file name. */
#include <ctype.h>
#include <string.h>

#include "core/safename.h"

/* CON, PRN, AUX, NUL, COM1-9, LPT1-9, alone or with any extension, any case. */
static int reserved_device(const char *c, size_t n) {
  size_t stem = 0;
  while (stem < n && c[stem] != '.') stem++;
  while (stem > 0 && c[stem - 1] == ' ') stem--;   /* "CON .txt" is CON too */
  char u[5] = {0};
  if (stem != 3 && stem != 4) return 0;
  for (size_t i = 0; i < stem; i++) u[i] = (char)toupper((unsigned char)c[i]);
  if (stem == 3)
    return !strcmp(u, "CON") || !strcmp(u, "PRN") || !strcmp(u, "AUX") || !strcmp(u, "NUL");
  return (!strncmp(u, "COM", 3) || !strncmp(u, "LPT", 3)) && u[3] >= '1' && u[3] <= '9';
}

/* Reason component c[0..n) is unsafe, or NULL. */
static const char *check_component(const char *c, size_t n) {
  if (n == 0) return "an empty path component (expected a relative name)";
  if (n > 255) return "a name component longer than 255 bytes (expected a Windows file name)";
  if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
    return "a '.' or '..' component (expected a name inside the destination)";
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)c[i];
    if (ch < 0x20 || ch == 0x7f) return "a control character in the name";
    if (ch == ':') return "a ':' (drive letter or alternate data stream) in the name";
    if (strchr("<>\"|?*", ch)) return "a character Windows does not allow in file names";
  }
  if (c[n - 1] == '.' || c[n - 1] == ' ')
    return "a name ending in a dot or space (Windows would change it)";
  if (reserved_device(c, n)) return "a reserved device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)";
  return NULL;
}

const char *sx_safename(const char *name, char *out, size_t outlen) {
  size_t len = strlen(name);
  if (len == 0) return "an empty name";
  if (name[0] == '/' || name[0] == '\\') return "an absolute path (expected a relative name)";
  if (len > 1 && (name[len - 1] == '/' || name[len - 1] == '\\')) len--;  /* folder entry */
  if (len + 1 > outlen) return "a name too long for this system";
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || name[i] == '/' || name[i] == '\\') {
      const char *why = check_component(name + start, i - start);
      if (why) return why;
      start = i + 1;
    }
  }
  for (size_t i = 0; i < len; i++) out[i] = name[i] == '\\' ? '/' : name[i];
  out[len] = '\0';
  return NULL;
}
