/* service.c: a service's state, stop and start through the Service
   Control Manager, with bounded waits (the pattern of Microsoft's
   "Stopping a Service" sample: poll at a tenth of dwWaitHint). */
#include <stdlib.h>

#include "win32.h"

/* The service name, opened with access; NULL and *absent = 1 when there
   is no such service, NULL and e filled on another error. */
static SC_HANDLE open_service(const char *name, DWORD access, SC_HANDLE *scm, int *absent, plat_err *e) {
  *absent = 0;
  *scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
  if (!*scm) { w_fail(e, "Service Control Manager"); return NULL; }
  wchar_t *w = w_from_utf8(name);
  SC_HANDLE s = w ? OpenServiceW(*scm, w, access) : NULL;
  DWORD code = w ? GetLastError() : ERROR_INVALID_NAME;
  free(w);
  if (!s) {
    CloseServiceHandle(*scm);
    *scm = NULL;
    if (code == ERROR_SERVICE_DOES_NOT_EXIST || code == ERROR_INVALID_NAME) *absent = 1;
    else plat_fail(e, name, (int)code);
  }
  return s;
}

static void close_service(SC_HANDLE s, SC_HANDLE scm) {
  if (s) CloseServiceHandle(s);
  if (scm) CloseServiceHandle(scm);
}

static int query(SC_HANDLE s, const char *name, SERVICE_STATUS_PROCESS *st, plat_err *e) {
  DWORD need;
  if (QueryServiceStatusEx(s, SC_STATUS_PROCESS_INFO, (BYTE *)st, sizeof *st, &need)) return 0;
  return w_fail(e, name);
}

static plat_svc_state kind(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED: return PLAT_SVC_STOPPED;
    case SERVICE_RUNNING: return PLAT_SVC_RUNNING;
    case SERVICE_PAUSED: return PLAT_SVC_PAUSED;
    default: return PLAT_SVC_PENDING;
  }
}

int plat_service_state(const char *name, plat_svc_state *state, plat_err *e) {
  SC_HANDLE scm;
  int absent;
  SC_HANDLE s = open_service(name, SERVICE_QUERY_STATUS, &scm, &absent, e);
  *state = PLAT_SVC_ABSENT;
  if (!s) return absent ? 0 : -1;
  SERVICE_STATUS_PROCESS st;
  int rc = query(s, name, &st, e);
  if (!rc) *state = kind(st.dwCurrentState);
  close_service(s, scm);
  return rc;
}

/* Wait until the service is in state want (SERVICE_STOPPED or
   SERVICE_RUNNING): while it is pending, sleep a tenth of its wait hint
   (0.1 to 1 s), for at most max_ms in all. */
static int wait_for(SC_HANDLE s, const char *name, DWORD want, unsigned max_ms, plat_err *e) {
  ULONGLONG start = GetTickCount64();
  for (;;) {
    SERVICE_STATUS_PROCESS st;
    if (query(s, name, &st, e) != 0) return -1;
    if (st.dwCurrentState == want) return 0;
    if (kind(st.dwCurrentState) != PLAT_SVC_PENDING)
      return plat_failf(e, ERROR_SERVICE_NOT_ACTIVE, "%s: the service is %s, not %s", name,
                        st.dwCurrentState == SERVICE_STOPPED ? "stopped" : st.dwCurrentState == SERVICE_RUNNING ? "running" : "paused",
                        want == SERVICE_STOPPED ? "stopped" : "running");
    if (GetTickCount64() - start >= max_ms)
      return plat_failf(e, ERROR_SERVICE_REQUEST_TIMEOUT, "%s: the service did not %s within %u s", name,
                        want == SERVICE_STOPPED ? "stop" : "start", max_ms / 1000);
    DWORD wait = st.dwWaitHint / 10;
    Sleep(wait < 100 ? 100 : wait > 1000 ? 1000 : wait);
  }
}

int plat_service_stop(const char *name, unsigned max_ms, plat_err *e) {
  SC_HANDLE scm;
  int absent;
  SC_HANDLE s = open_service(name, SERVICE_STOP | SERVICE_QUERY_STATUS, &scm, &absent, e);
  if (!s) return absent ? plat_fail(e, name, ERROR_SERVICE_DOES_NOT_EXIST) : -1;
  SERVICE_STATUS ss;
  int rc = 0;
  if (!ControlService(s, SERVICE_CONTROL_STOP, &ss)) {
    DWORD code = GetLastError();  /* stopped already, or busy starting/stopping: wait */
    if (code != ERROR_SERVICE_NOT_ACTIVE && code != ERROR_SERVICE_CANNOT_ACCEPT_CTRL) rc = w_fail(e, name);
  }
  if (!rc) rc = wait_for(s, name, SERVICE_STOPPED, max_ms, e);
  close_service(s, scm);
  return rc;
}

int plat_service_start(const char *name, unsigned max_ms, plat_err *e) {
  SC_HANDLE scm;
  int absent;
  SC_HANDLE s = open_service(name, SERVICE_START | SERVICE_QUERY_STATUS, &scm, &absent, e);
  if (!s) return absent ? plat_fail(e, name, ERROR_SERVICE_DOES_NOT_EXIST) : -1;
  int rc = 0;
  if (!StartServiceW(s, 0, NULL) && GetLastError() != ERROR_SERVICE_ALREADY_RUNNING)
    rc = w_fail(e, name);
  if (!rc) rc = wait_for(s, name, SERVICE_RUNNING, max_ms, e);
  close_service(s, scm);
  return rc;
}
