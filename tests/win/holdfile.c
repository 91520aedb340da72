/* holdfile.exe FILE READY STOP: a test helper that plays another process
   holding a file, as a running TrustedInstaller.exe holds its own image.
   Opens FILE with no sharing at all, creates READY, then waits until STOP
   exists (or 300 s pass, a watchdog) and exits. Exit 0 when it held the
   file, 2 when FILE could not be opened. */
#include <windows.h>
#include <stdio.h>

static wchar_t *wide(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
  wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
  if (w) MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
  return w;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: holdfile FILE READY STOP\n"); return 3; }
  wchar_t *file = wide(argv[1]), *ready = wide(argv[2]), *stop = wide(argv[3]);
  HANDLE h = CreateFileW(file, GENERIC_READ, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    fprintf(stderr, "holdfile: %s: error %lu\n", argv[1], GetLastError());
    return 2;
  }
  HANDLE r = CreateFileW(ready, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (r != INVALID_HANDLE_VALUE) CloseHandle(r);
  for (int i = 0; i < 3000 && GetFileAttributesW(stop) == INVALID_FILE_ATTRIBUTES; i++) Sleep(100);
  CloseHandle(h);
  return 0;
}
