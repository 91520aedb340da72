/* testsvc.exe: a service that does nothing but run until it is told to
   stop, for tests of stopping and restoring a service through the Service
   Control Manager (as sxsfix does with TrustedInstaller). The name it
   registers under is the one the SCM starts it as. */
#include <windows.h>

static SERVICE_STATUS_HANDLE status_handle;
static HANDLE stop_event;
static SERVICE_STATUS st;

static void report(DWORD state) {
  st.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  st.dwCurrentState = state;
  st.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
  st.dwWin32ExitCode = NO_ERROR;
  st.dwWaitHint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : 2000;
  SetServiceStatus(status_handle, &st);
}

static DWORD WINAPI handler(DWORD control, DWORD type, void *data, void *ctx) {
  (void)type; (void)data; (void)ctx;
  if (control == SERVICE_CONTROL_STOP) {
    report(SERVICE_STOP_PENDING);
    SetEvent(stop_event);
    return NO_ERROR;
  }
  return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

static void WINAPI service_main(DWORD argc, wchar_t **argv) {
  (void)argc;
  status_handle = RegisterServiceCtrlHandlerExW(argv[0], handler, NULL);
  if (!status_handle) return;
  stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  report(SERVICE_RUNNING);
  WaitForSingleObject(stop_event, INFINITE);
  report(SERVICE_STOPPED);
}

int main(void) {
  SERVICE_TABLE_ENTRYW table[] = { { L"", service_main }, { NULL, NULL } };
  return StartServiceCtrlDispatcherW(table) ? 0 : 1;
}
