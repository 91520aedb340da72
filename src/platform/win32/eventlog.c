/* eventlog.c: one event to the Application log (ReportEventW), registering
   the event source on first use when the process may write HKLM. */
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "win32.h"

#define APP_LOG L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\"

/* EventCreate.exe's message table maps every id 1..1000 to "%1", so the
   event's one string shows as its text in Event Viewer with no message DLL
   of our own. */
static const wchar_t MESSAGE_FILE[] = L"%SystemRoot%\\System32\\EventCreate.exe";

/* Create the source's key when it is absent: 1 created, 0 present or not
   allowed (an unregistered source still logs; its text is then shown after
   Event Viewer's "description cannot be found" note). */
static int register_source(const wchar_t *source) {
  wchar_t key[300];
  if (_snwprintf(key, 300, L"%ls%ls", APP_LOG, source) < 0) return 0;
  key[299] = L'\0';
  HKEY h;
  if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_QUERY_VALUE, &h) == ERROR_SUCCESS) {
    RegCloseKey(h);
    return 0;
  }
  DWORD disp = 0;
  if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, REG_OPTION_NON_VOLATILE,
                      KEY_SET_VALUE, NULL, &h, &disp) != ERROR_SUCCESS)
    return 0;  /* not elevated: log unregistered */
  DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
  LONG rc = RegSetValueExW(h, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)MESSAGE_FILE,
                           sizeof MESSAGE_FILE);
  if (rc == ERROR_SUCCESS)
    rc = RegSetValueExW(h, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types, sizeof types);
  RegCloseKey(h);
  return rc == ERROR_SUCCESS && disp == REG_CREATED_NEW_KEY;
}

int plat_event_write(const char *source, int level, unsigned id, const char *text,
                     int *registered, plat_err *e) {
  static const WORD types[] = {EVENTLOG_INFORMATION_TYPE, EVENTLOG_WARNING_TYPE, EVENTLOG_ERROR_TYPE};
  if (registered) *registered = 0;
  wchar_t *ws = w_from_utf8(source), *wt = w_from_utf8(text);
  if (!ws || !wt) {
    free(ws);
    free(wt);
    return plat_fail(e, "event text", ERROR_NO_UNICODE_TRANSLATION);
  }
  int created = register_source(ws);
  HANDLE h = RegisterEventSourceW(NULL, ws);
  int rc = -1;
  if (!h) {
    w_fail(e, "RegisterEventSourceW");
  } else {
    LPCWSTR strings[1] = {wt};
    WORD type = types[level >= 0 && level <= 2 ? level : 0];
    if (ReportEventW(h, type, 0, id, NULL, 1, 0, strings, NULL)) rc = 1;
    else w_fail(e, "ReportEventW");
    DeregisterEventSource(h);
  }
  if (registered) *registered = created;
  free(ws);
  free(wt);
  return rc;
}
