/* win32.h: helpers shared by the Win32 platform files (not part of platform.h). */
#ifndef SXSFIX_WIN32_H
#define SXSFIX_WIN32_H

#include <windows.h>

#include "platform/platform.h"

/* UTF-8 -> UTF-16, malloc'd; NULL on invalid input or no memory. */
wchar_t *w_from_utf8(const char *s);

/* UTF-16 -> UTF-8, malloc'd; NULL on no memory. */
char *utf8_from_w(const wchar_t *w);

/* A UTF-8 path as a wide path for CreateFileW and friends: '/' becomes '\',
   the path is made absolute, and \\?\ (or \\?\UNC\) is prefixed so that
   paths longer than MAX_PATH work. malloc'd; NULL on failure, with the
   reason in GetLastError() and in w_path_err (a path past 32,767 UTF-16
   units is ERROR_FILENAME_EXCED_RANGE). */
wchar_t *w_path(const char *path);
extern DWORD w_path_err;

struct plat_file {
  HANDLE h;
  char *path;  /* for error messages */
};

/* plat_fail with GetLastError(). */
int w_fail(plat_err *e, const char *what);

#endif
