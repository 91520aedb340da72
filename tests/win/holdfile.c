/* holdfile.exe FILE READY STOP [map]: a test helper that plays another
   process holding a file, as a running TrustedInstaller.exe holds its own
   image. Opens FILE with no sharing at all (with "map": shared for reading
   and writing, and mapped into memory, as a program maps a data file),
   creates READY, then waits until STOP exists (or 300 s pass, a watchdog)
   and exits. Exit 0 when it held the file, 2 when FILE could not be
   opened or mapped. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static wchar_t *wide(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
  wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
  if (w) MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
  return w;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) { fprintf(stderr, "usage: holdfile FILE READY STOP [map]\n"); return 3; }
  wchar_t *file = wide(argv[1]), *ready = wide(argv[2]), *stop = wide(argv[3]);
  int map = argc == 5 && strcmp(argv[4], "map") == 0;
  HANDLE h = CreateFileW(file, GENERIC_READ, map ? FILE_SHARE_READ | FILE_SHARE_WRITE : 0, NULL,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  HANDLE m = h != INVALID_HANDLE_VALUE && map ? CreateFileMappingW(h, NULL, PAGE_READONLY, 0, 0, NULL) : NULL;
  void *view = m ? MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0) : NULL;
  if (h == INVALID_HANDLE_VALUE || (map && !view)) {
    fprintf(stderr, "holdfile: %s: error %lu\n", argv[1], GetLastError());
    return 2;
  }
  HANDLE r = CreateFileW(ready, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (r != INVALID_HANDLE_VALUE) CloseHandle(r);
  for (int i = 0; i < 3000 && GetFileAttributesW(stop) == INVALID_FILE_ATTRIBUTES; i++) Sleep(100);
  if (view) UnmapViewOfFile(view);
  if (m) CloseHandle(m);
  CloseHandle(h);
  return 0;
}
