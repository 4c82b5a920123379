/*
 * Two threads per training step (native builds; included by ../lstm.c after its Model): a helper
 * thread of the instance takes the upper half of a range (a product's columns, a step's samples)
 * while the caller computes the lower half. Each element is computed exactly as on one thread,
 * so the results do not depend on the number of threads.
 *
 * The helper spins between the many short calls of a step (a recurrent product is ~10 us) and
 * sleeps on a condition variable after about a millisecond without work, so an idle instance
 * costs no CPU.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* below this many multiply-adds a range is not worth the hand-over */
#define SP_MIN_WORK 65536L

static inline void sp_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

typedef struct SpPool {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  atomic_int gen;      /* ranges handed over */
  atomic_int done;     /* ranges finished */
  atomic_int sleeping; /* the helper waits on cv */
  atomic_int quit;
  sp_range_fn fn;
  void *arg;
  int lo, hi;
} SpPool;

static void *sp_pool_main(void *p) {
  SpPool *h = p;
  int seen = 0;
  for (;;) {
    for (int spins = 0; atomic_load(&h->gen) == seen && !atomic_load(&h->quit);) {
      if (++spins < 20000) {
        sp_cpu_relax();
        continue;
      }
      pthread_mutex_lock(&h->mu);
      atomic_store(&h->sleeping, 1);
      while (atomic_load(&h->gen) == seen && !atomic_load(&h->quit)) pthread_cond_wait(&h->cv, &h->mu);
      atomic_store(&h->sleeping, 0);
      pthread_mutex_unlock(&h->mu);
      spins = 0;
    }
    if (atomic_load(&h->quit)) return NULL;
    seen = atomic_load(&h->gen);
    h->fn(h->arg, h->lo, h->hi);
    atomic_store(&h->done, seen);
  }
}

/* a started helper, or NULL when the thread cannot start (the caller then runs everything) */
static SpPool *sp_pool_start(void) {
  SpPool *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  pthread_mutex_init(&h->mu, NULL);
  pthread_cond_init(&h->cv, NULL);
  if (pthread_create(&h->thread, NULL, sp_pool_main, h) != 0) {
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
    return NULL;
  }
  return h;
}

static void sp_pool_stop(SpPool *h) {
  if (!h) return;
  pthread_mutex_lock(&h->mu);
  atomic_store(&h->quit, 1);
  pthread_cond_signal(&h->cv);
  pthread_mutex_unlock(&h->mu);
  pthread_join(h->thread, NULL);
  pthread_mutex_destroy(&h->mu);
  pthread_cond_destroy(&h->cv);
  free(h);
}

/* fn over [0, n): the helper takes [split, n), split a multiple of align, when the work is worth it */
static void sp_parallel(Model *m, sp_range_fn fn, void *arg, int n, int align, long work) {
  SpPool *h = m->pool;
  int split = ((n / 2 + align - 1) / align) * align;
  if (!h || work < SP_MIN_WORK || split <= 0 || split >= n) {
    fn(arg, 0, n);
    return;
  }
  h->fn = fn;
  h->arg = arg;
  h->lo = split;
  h->hi = n;
  const int g = atomic_load(&h->gen) + 1;
  atomic_store(&h->gen, g);
  if (atomic_load(&h->sleeping)) {
    pthread_mutex_lock(&h->mu);
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
  }
  fn(arg, 0, split);
  for (int spins = 0; atomic_load(&h->done) != g;)
    if (++spins > 4096) sched_yield();
    else sp_cpu_relax();
}
