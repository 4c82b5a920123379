/*
 * Whether a SQLite database in WAL mode changed, without asking SQLite: the first 96 bytes of its
 * `-shm` file are the two copies of the wal-index header (https://sqlite.org/walformat.html),
 * which every commit of every connection rewrites (its change counter, last frame and checksums).
 * Mapped read-only and compared with the bytes seen last, they answer in nanoseconds what
 * `PRAGMA data_version` answers in microseconds (it opens and closes a read transaction: file
 * locks and a read of the header). online-store.ts keeps rows read before while the generation
 * returned here is the same.
 *
 * Safe only while a connection of this process holds the database open: SQLite truncates the
 * `-shm` file only when its first connection opens it, and a mapped page truncated under us would
 * be a SIGBUS. The store maps it after its connection read, and unmaps it before that closes.
 *
 * The descriptor opened here is never closed. SQLite's locks on the `-shm` (the one saying a
 * connection has it open, and the WAL's read marks) are POSIX record locks, which belong to the
 * process and are all released when any descriptor of the file is closed, this one included: a
 * close would let another process re-initialise the file under this process's connections, and a
 * checkpoint overwrite pages a reader here still reads. One descriptor per watch opened, for the
 * life of the process (a server opens one).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define HEADER_BYTES 96

typedef struct {
  const volatile unsigned char *map;
  unsigned char last[HEADER_BYTES];
  double generation;
} Watch;

static void unmap(Watch *w) {
  if (w->map) munmap((void *)w->map, HEADER_BYTES);
  w->map = NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  unmap((Watch *)data);
  free(data);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static void read_header(const Watch *w, unsigned char *out) {
  __atomic_thread_fence(__ATOMIC_ACQUIRE);
  for (int i = 0; i < HEADER_BYTES; i++) out[i] = w->map[i];
}

/* open(path of the -shm file) -> a handle; throws where the file is missing or shorter than the header */
static napi_value open_watch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return fail(env, "open(path) expects the -shm file's path");
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len >= sizeof path - 1) return fail(env, "open(path): path must be a string");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(env, "cannot open the -shm file");
  /* from here on, fd stays open whatever happens (see the top of this file) */
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < HEADER_BYTES) return fail(env, "the -shm file holds no wal-index header yet");
  void *map = mmap(NULL, HEADER_BYTES, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return fail(env, "cannot map the -shm file");
  Watch *w = calloc(1, sizeof *w);
  if (!w) {
    munmap(map, HEADER_BYTES);
    return fail(env, "out of memory");
  }
  w->map = map;
  read_header(w, w->last);
  napi_value handle;
  if (napi_create_external(env, w, finalize, NULL, &handle) != napi_ok) {
    unmap(w);
    free(w);
    return fail(env, "cannot create the handle");
  }
  return handle;
}

static Watch *watch_of(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) return NULL;
  return (Watch *)data;
}

/* generation(handle) -> a number that changes whenever the header's bytes did since the last call */
static napi_value generation(napi_env env, napi_callback_info info) {
  Watch *w = watch_of(env, info);
  if (!w) return fail(env, "generation(handle) expects a handle from open()");
  if (!w->map) return fail(env, "the watch is closed");
  unsigned char now[HEADER_BYTES];
  read_header(w, now);
  if (memcmp(now, w->last, HEADER_BYTES) != 0) {
    memcpy(w->last, now, HEADER_BYTES);
    w->generation += 1;
  }
  napi_value out;
  napi_create_double(env, w->generation, &out);
  return out;
}

/* close(handle): unmapped now (before the connection that keeps the file whole closes) */
static napi_value close_watch(napi_env env, napi_callback_info info) {
  Watch *w = watch_of(env, info);
  if (!w) return fail(env, "close(handle) expects a handle from open()");
  unmap(w);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"open", NULL, open_watch, NULL, NULL, NULL, napi_default, NULL},
    {"generation", NULL, generation, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, close_watch, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
