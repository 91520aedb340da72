/* testsvc.exe [FILE]: a service that runs until it is told to stop, for
   tests of stopping and restoring a service through the Service Control
   Manager (as sxsfix does with TrustedInstaller). With FILE (in its
   binPath), it holds FILE open with no sharing while it runs, as
   TrustedInstaller.exe holds its own image. */
#include <windows.h>
#include <shellapi.h>   /* CommandLineToArgvW */

static SERVICE_STATUS_HANDLE status_handle;
static HANDLE stop_event;
static SERVICE_STATUS st;
static wchar_t *held;  /* FILE, or NULL */

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
  HANDLE h = held ? CreateFileW(held, GENERIC_READ, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL)
                  : INVALID_HANDLE_VALUE;
  report(SERVICE_RUNNING);
  WaitForSingleObject(stop_event, INFINITE);
  if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
  report(SERVICE_STOPPED);
}

int main(void) {
  int argc;
  wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (argv && argc > 1) held = argv[1];
  SERVICE_TABLE_ENTRYW table[] = { { L"", service_main }, { NULL, NULL } };
  return StartServiceCtrlDispatcherW(table) ? 0 : 1;
}
