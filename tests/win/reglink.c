/* reglink.exe: a test helper that plants registry symbolic links below
   HKLM, as an attacker would to redirect a privileged write.
     reglink link KEY TARGET READY STOP
         KEY becomes a volatile link to TARGET (an NT registry path:
         \Registry\Machine\SOFTWARE\x); creates the file READY, holds the
         link until the file STOP exists (or 300 s pass, a watchdog), then
         deletes it. (Wine's server keeps volatile keys only while a Wine
         process runs: this one keeps it running.)
     reglink show KEY     prints KEY's target, read back from the link
                          itself (opened with REG_OPTION_OPEN_LINK)
     reglink unlink KEY   deletes the link KEY (never its target)
   Exit 0 done, 1 KEY is not a link (left alone), 2 on an error, 3 usage. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ntdll: the only way to delete a link key itself. */
__declspec(dllimport) LONG WINAPI NtDeleteKey(HANDLE key);

static wchar_t *wide(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
  wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
  if (w) MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
  return w;
}

static int fail(const char *what, const char *key, LONG rc) {
  fprintf(stderr, "reglink: %s %s: error %ld\n", what, key, rc);
  return 2;
}

int main(int argc, char **argv) {
  int link = argc > 1 && strcmp(argv[1], "link") == 0;
  if (argc < 3 || argc != (link ? 6 : 3)) {
    fprintf(stderr, "usage: reglink link KEY TARGET READY STOP | show KEY | unlink KEY\n");
    return 3;
  }
  wchar_t *key = wide(argv[2]);
  HKEY h;
  LONG rc;
  if (link) {
    wchar_t *target = wide(argv[3]), *ready = wide(argv[4]), *stop = wide(argv[5]);
    rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, REG_OPTION_CREATE_LINK | REG_OPTION_VOLATILE,
                         KEY_ALL_ACCESS | KEY_CREATE_LINK | KEY_WOW64_64KEY, NULL, &h, NULL);
    if (rc != ERROR_SUCCESS) return fail("create link", argv[2], rc);
    /* The target's length without its terminating NUL, as the kernel wants. */
    rc = RegSetValueExW(h, L"SymbolicLinkValue", 0, REG_LINK, (const BYTE *)target,
                        (DWORD)(wcslen(target) * sizeof *target));
    if (rc != ERROR_SUCCESS) { NtDeleteKey(h); RegCloseKey(h); return fail("set SymbolicLinkValue of", argv[2], rc); }
    HANDLE r = CreateFileW(ready, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (r != INVALID_HANDLE_VALUE) CloseHandle(r);
    for (int i = 0; i < 3000 && GetFileAttributesW(stop) == INVALID_FILE_ATTRIBUTES; i++) Sleep(100);
    rc = NtDeleteKey(h);
    RegCloseKey(h);
    return rc == 0 ? 0 : fail("delete", argv[2], rc);
  }
  int unlink = strcmp(argv[1], "unlink") == 0;
  rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, REG_OPTION_OPEN_LINK,
                     KEY_QUERY_VALUE | (unlink ? DELETE : 0) | KEY_WOW64_64KEY, &h);
  if (rc != ERROR_SUCCESS) return fail("open", argv[2], rc);
  wchar_t buf[512];
  DWORD type = 0, len = sizeof buf - sizeof buf[0];
  rc = RegQueryValueExW(h, L"SymbolicLinkValue", NULL, &type, (BYTE *)buf, &len);
  if (rc != ERROR_SUCCESS || type != REG_LINK) { RegCloseKey(h); return 1; }  /* not a link: left alone */
  if (unlink) {
    rc = NtDeleteKey(h);
    RegCloseKey(h);
    return rc == 0 ? 0 : fail("delete", argv[2], rc);
  }
  RegCloseKey(h);
  buf[len / sizeof buf[0]] = L'\0';
  char out[1024];
  if (!WideCharToMultiByte(CP_UTF8, 0, buf, -1, out, sizeof out, NULL, NULL)) return fail("show", argv[2], 0);
  printf("%s\n", out);
  return 0;
}
