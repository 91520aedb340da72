/* reg.h: registry keys from the live registry or an offline hive file.
** Keys are written as reg.exe writes them: HKLM\SOFTWARE\... or
** HKEY_LOCAL_MACHINE\SOFTWARE\...; names compare case-insensitively.
** Offline hives are read through hivex where it is built in (POSIX), else
** through the OS (RegLoadAppKeyW on Windows). */
#ifndef SXSFIX_REG_H
#define SXSFIX_REG_H

#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

enum {
  SX_REG_NONE = 0, SX_REG_SZ = 1, SX_REG_EXPAND_SZ = 2, SX_REG_BINARY = 3, SX_REG_DWORD = 4,
  SX_REG_DWORD_BIG_ENDIAN = 5, SX_REG_LINK = 6, SX_REG_MULTI_SZ = 7, SX_REG_QWORD = 11
};

/* "REG_SZ", ... or "REG_0x<n>" for an unknown type (static or buf). */
const char *sx_reg_typename(uint32_t type, char *buf, size_t len);

/* Split key into its root, normalised to "HKLM", "HKCU", "HKCR", "HKU" or
   "HKCC", and the rest (after the first separator, "" when none).
   Returns NULL for an unknown root. */
const char *sx_reg_splitkey(const char *key, const char **rest);

/* Long name of a normalised root ("HKLM" -> "HKEY_LOCAL_MACHINE"). */
const char *sx_reg_longroot(const char *root);

/* The hive file (below C:\Windows\System32\config) that holds HKLM\<name>
   offline, for key's rest; *sub is the path inside that hive. NULL when
   the key has no offline hive (HKCU, HKLM\HARDWARE, ...). */
const char *sx_reg_offline_hive(const char *root, const char *rest, const char **sub);

/* Registry names compare case-insensitively (Unicode simple folding). */
int sx_reg_name_eq(const char *a, const char *b);

/* UTF-16LE bytes (up to the first NUL pair, or len) as malloc'd UTF-8;
   unpaired surrogates become U+FFFD. *outlen gets the length. */
char *sx_utf16le_to_utf8(const unsigned char *d, size_t len, size_t *outlen);

/* Read the key sub of an open hive (plat_hive_*): 1, 0 absent, -1 error.
   Names that are not ASCII are matched with Unicode folding, a subkey
   list at a time, since hivex folds ASCII only. */
int sx_hive_read(plat_hive *h, const char *sub, plat_regkey *k, plat_err *e);

#endif
