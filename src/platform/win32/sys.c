/* sys.c: process setup, UTF-8/UTF-16 conversion, errors and environment on Windows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "win32.h"

/* msvcrt's own parser of the wide command line (what wmain would get). */
typedef struct { int newmode; } sx_startupinfo;
extern int __wgetmainargs(int *argc, wchar_t ***argv, wchar_t ***env,
                          int glob, sx_startupinfo *si);

wchar_t *w_from_utf8(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  if (n <= 0) return NULL;
  wchar_t *w = malloc((size_t)n * sizeof *w);
  if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
    free(w);
    return NULL;
  }
  return w;
}

char *utf8_from_w(const wchar_t *w) {
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  if (n <= 0) return NULL;
  char *s = malloc((size_t)n);
  if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
    free(s);
    return NULL;
  }
  return s;
}

DWORD w_path_err = ERROR_INVALID_NAME;

/* Fail w_path with code, in GetLastError() and in w_path_err. */
static wchar_t *w_path_fail(DWORD code) {
  w_path_err = code;
  SetLastError(code);
  return NULL;
}

wchar_t *w_path(const char *path) {
  wchar_t *w = w_from_utf8(path);
  if (!w) return w_path_fail(ERROR_INVALID_NAME);
  for (wchar_t *p = w; *p; p++)
    if (*p == L'/') *p = L'\\';
  if (wcsncmp(w, L"\\\\?\\", 4) == 0) {  /* already a verbatim path */
    if (wcslen(w) <= 32767) return w;
    free(w);
    return w_path_fail(ERROR_FILENAME_EXCED_RANGE);
  }
  DWORD n = GetFullPathNameW(w, 0, NULL, NULL);
  wchar_t *full = n ? malloc((n + 8) * sizeof *full) : NULL;
  if (!full || GetFullPathNameW(w, n, full + 8, NULL) == 0) {
    DWORD code = full ? GetLastError() : ERROR_NOT_ENOUGH_MEMORY;
    free(full);
    free(w);
    return w_path_fail(code ? code : ERROR_INVALID_NAME);
  }
  free(w);
  wchar_t *abs = full + 8;  /* room in front for the prefix */
  if (abs[0] == L'\\' && abs[1] == L'\\') {  /* \\server\share -> \\?\UNC\server\share */
    abs += 2;
    abs -= 8;
    memcpy(abs, L"\\\\?\\UNC\\", 8 * sizeof *abs);
  } else {
    abs -= 4;
    memcpy(abs, L"\\\\?\\", 4 * sizeof *abs);
  }
  memmove(full, abs, (wcslen(abs) + 1) * sizeof *abs);
  /* Windows paths end at 32,767 UTF-16 units; past that the length wraps
     in the kernel's 16-bit counts (Wine then opens another file). */
  if (wcslen(full) > 32767) {
    free(full);
    return w_path_fail(ERROR_FILENAME_EXCED_RANGE);
  }
  return full;
}

int plat_init(int *argc, char ***argv) {
  SetConsoleOutputCP(CP_UTF8);
  SetConsoleCP(CP_UTF8);
  int wargc = 0;
  wchar_t **wargv = NULL, **wenv = NULL;
  sx_startupinfo si = {0};
  if (__wgetmainargs(&wargc, &wargv, &wenv, 0, &si) != 0 || !wargv) return -1;
  char **out = calloc((size_t)wargc + 1, sizeof *out);
  if (!out) return -1;
  for (int i = 0; i < wargc; i++)
    if (!(out[i] = utf8_from_w(wargv[i]))) return -1;
  *argc = wargc;
  *argv = out;  /* lives until exit, as the C runtime's argv does */
  return 0;
}

const char *plat_name(void) { return "win32"; }

int plat_isatty(int fd) {
  DWORD which = fd == 0 ? STD_INPUT_HANDLE : fd == 1 ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE;
  DWORD mode;
  return GetConsoleMode(GetStdHandle(which), &mode) != 0;
}

char plat_sep(void) { return '\\'; }

void *plat_to_native(const char *utf8) { return w_from_utf8(utf8); }

char *plat_from_native(const void *native) { return utf8_from_w(native); }

const char *plat_wine_version(void) {
  typedef const char *(*wine_version_fn)(void);
  HMODULE nt = GetModuleHandleW(L"ntdll.dll");
  FARPROC f = nt ? GetProcAddress(nt, "wine_get_version") : NULL;
  return f ? ((wine_version_fn)(void (*)(void))f)() : NULL;
}

void plat_strerror(int code, char *buf, size_t len) {
  wchar_t *w = NULL;
  DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                           FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)code,
                           MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), (LPWSTR)&w, 0, NULL);
  char *s = n ? utf8_from_w(w) : NULL;
  if (w) LocalFree(w);
  if (!s) {
    snprintf(buf, len, "Windows error %d", code);
    return;
  }
  size_t k = strlen(s);  /* drop the trailing ".\r\n" */
  while (k > 0 && (s[k - 1] == '\n' || s[k - 1] == '\r' || s[k - 1] == ' ' || s[k - 1] == '.'))
    s[--k] = '\0';
  snprintf(buf, len, "%s (%d)", s, code);
  free(s);
}

int w_fail(plat_err *e, const char *what) {
  return plat_fail(e, what, (int)GetLastError());
}

char *plat_getenv(const char *name) {
  wchar_t *wn = w_from_utf8(name);
  if (!wn) return NULL;
  DWORD n = GetEnvironmentVariableW(wn, NULL, 0);
  wchar_t *wv = n ? malloc(n * sizeof *wv) : NULL;
  char *v = NULL;
  if (wv && GetEnvironmentVariableW(wn, wv, n) < n) v = utf8_from_w(wv);
  free(wv);
  free(wn);
  return v;
}

int plat_computer_name(char *buf, size_t len, plat_err *e) {
  wchar_t w[MAX_COMPUTERNAME_LENGTH + 64];
  DWORD n = sizeof w / sizeof w[0];
  if (!GetComputerNameExW(ComputerNamePhysicalNetBIOS, w, &n)) return w_fail(e, "GetComputerNameExW");
  char *s = utf8_from_w(w);
  if (!s) return plat_fail(e, "GetComputerNameExW", ERROR_NOT_ENOUGH_MEMORY);
  snprintf(buf, len, "%s", s);
  free(s);
  return 0;
}

uint64_t plat_clock_ms(void) {
  return GetTickCount64();
}
