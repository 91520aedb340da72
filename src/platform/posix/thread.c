/* thread.c (POSIX): a small worker pool on pthreads (see platform.h). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "platform/platform.h"

typedef struct job {
  size_t n, next;
  pthread_mutex_t mu;
  void (*fn)(void *ud, size_t i);
  void *ud;
} job;

static void *worker(void *arg) {
  job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->mu);
    size_t i = j->next++;
    pthread_mutex_unlock(&j->mu);
    if (i >= j->n) return NULL;
    j->fn(j->ud, i);
  }
}

int plat_cpu_count(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef CPU_COUNT
  cpu_set_t set;  /* the processors this process may run on (taskset, cpusets) */
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) n = CPU_COUNT(&set);
#endif
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

void plat_parallel(size_t n, int threads, void (*fn)(void *ud, size_t i), void *ud) {
  job j = { n, 0, PTHREAD_MUTEX_INITIALIZER, fn, ud };
  pthread_t t[PLAT_MAX_THREADS];
  int k = 0;
  if (threads > PLAT_MAX_THREADS) threads = PLAT_MAX_THREADS;
  for (; k < threads - 1 && (size_t)k + 1 < n; k++)  /* a thread that cannot start is no error: fewer work */
    if (pthread_create(&t[k], NULL, worker, &j) != 0) break;
  worker(&j);
  for (int i = 0; i < k; i++) pthread_join(t[i], NULL);
  pthread_mutex_destroy(&j.mu);
}
