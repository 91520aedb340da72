/* safename.h: validation of entry names read from archives. An archive
   entry name becomes a relative path inside the destination only when
   every component is an ordinary Windows file name. */
#ifndef SXSFIX_SAFENAME_H
#define SXSFIX_SAFENAME_H

#include <stddef.h>

/* Check name (components separated by '\' or '/') and write it to out with
   '/' separators. Returns NULL when safe, otherwise the reason (a static
   string saying what was expected). A single trailing separator (a folder
   entry) is allowed and dropped. */
const char *sx_safename(const char *name, char *out, size_t outlen);

#endif
