/* thread.c (Windows): a small worker pool on Windows threads (see
   platform.h). */
#include "platform/win32/win32.h"

typedef struct job {
  volatile LONG64 next;
  size_t n;
  void (*fn)(void *ud, size_t i);
  void *ud;
} job;

static DWORD WINAPI worker(LPVOID arg) {
  job *j = arg;
  for (;;) {
    size_t i = (size_t)(InterlockedIncrement64(&j->next) - 1);
    if (i >= j->n) return 0;
    j->fn(j->ud, i);
  }
}

int plat_cpu_count(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  DWORD n = si.dwNumberOfProcessors;
  DWORD_PTR mine, sys;  /* the processors this process may run on (start /affinity) */
  if (GetProcessAffinityMask(GetCurrentProcess(), &mine, &sys) && mine) n = (DWORD)__builtin_popcountll((unsigned long long)mine);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

void plat_parallel(size_t n, int threads, void (*fn)(void *ud, size_t i), void *ud) {
  job j = { 0, n, fn, ud };
  HANDLE t[PLAT_MAX_THREADS];
  int k = 0;
  if (threads > PLAT_MAX_THREADS) threads = PLAT_MAX_THREADS;
  for (; k < threads - 1 && (size_t)k + 1 < n; k++)  /* a thread that cannot start is no error: fewer work */
    if (!(t[k] = CreateThread(NULL, 0, worker, &j, 0, NULL))) break;
  worker(&j);
  for (int i = 0; i < k; i++) { WaitForSingleObject(t[i], INFINITE); CloseHandle(t[i]); }
}
