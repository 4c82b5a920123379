/*
 * The fused LSTM kernel (../lstm.c) as a native Node addon (N-API), built by node-gyp at
 * `npm install` where a C compiler and Node's headers are present; the WebAssembly build of the
 * same source is the fallback everywhere else.
 *
 * Each instance mirrors a WebAssembly instance, so that the JavaScript side drives both alike:
 * one arena (the "memory", exposed as an ArrayBuffer without a copy), pointers passed and
 * returned as byte offsets into it (0 = none), and the same sp_* functions.
 */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Instance Instance;
static __thread Instance *sp_inst_now;

#include "../lstm.c"

struct Instance {
  char *base;
  size_t cap, top;
  Model model;
};

static void *sp_alloc(int bytes) {
  Instance *in = sp_inst_now;
  if (bytes < 0) return 0;
  size_t p = (in->top + 63) & ~(size_t)63;
  if (p + (size_t)bytes > in->cap) return 0;
  in->top = p + (size_t)bytes;
  return in->base + p;
}

/* offset 0 is never handed out, so that 0 means "none" as in WebAssembly */
static void sp_reset(void) { sp_inst_now->top = 64; }

static void finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)data;
  Instance *in = hint;
  sp_pool_stop(in->model.pool);
  free(in->base);
  free(in);
}

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "spamops_lstm: " #call " failed"); return NULL; } } while (0)

static Instance *enter(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  void *data;
  if (napi_get_cb_info(env, info, argc, argv, NULL, &data) != napi_ok) return NULL;
  Instance *in = data;
  sp_inst_now = in;
  sp_model_now = &in->model;
  return in;
}

static int arg_int(napi_env env, napi_value v) {
  int32_t x = 0;
  napi_get_value_int32(env, v, &x);
  return x;
}
static double arg_num(napi_env env, napi_value v) {
  double x = 0;
  napi_get_value_double(env, v, &x);
  return x;
}
/* an offset into the arena as a pointer (0 stays NULL); out-of-range offsets become NULL too */
static void *at(Instance *in, int off, size_t bytes) {
  if (off <= 0 || (size_t)off + bytes > in->cap) return NULL;
  return in->base + off;
}
static napi_value num(napi_env env, double x) {
  napi_value r;
  napi_create_double(env, x, &r);
  return r;
}
static napi_value offset_of(napi_env env, Instance *in, const void *p) {
  return num(env, p ? (double)((const char *)p - in->base) : 0);
}

static napi_value f_alloc(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  Instance *in = enter(env, info, &argc, argv);
  if (!in) return NULL;
  return offset_of(env, in, sp_alloc(arg_int(env, argv[0])));
}
static napi_value f_init(napi_env env, napi_callback_info info) {
  size_t argc = 6; napi_value argv[6];
  Instance *in = enter(env, info, &argc, argv);
  if (!in) return NULL;
  int a[6];
  for (int i = 0; i < 6; i++) a[i] = arg_int(env, argv[i]);
  return num(env, sp_init(a[0], a[1], a[2], a[3], a[4], a[5]));
}
#define GETTER(name, expr) \
  static napi_value name(napi_env env, napi_callback_info info) { \
    size_t argc = 0; Instance *in = enter(env, info, &argc, NULL); \
    if (!in) return NULL; \
    return expr; \
  }
GETTER(f_params, offset_of(env, in, sp_params()))
GETTER(f_grads, offset_of(env, in, sp_grads()))
GETTER(f_adam_m, offset_of(env, in, sp_adam_m()))
GETTER(f_adam_v, offset_of(env, in, sp_adam_v()))
GETTER(f_probs, offset_of(env, in, sp_probs()))
GETTER(f_nparams, num(env, sp_nparams()))

/* a batch's arguments checked against the instance: its size, then its tokens and masks as pointers */
typedef struct { int B; const int32_t *tokens; const float *xmask, *hmask; } BatchArgs;

static int batch_args(napi_env env, Instance *in, napi_value tokens, napi_value B, napi_value xmask, napi_value hmask, BatchArgs *out) {
  const Model *m = &in->model;
  out->B = arg_int(env, B);
  if (out->B < 1 || out->B > m->Bmax) {
    napi_throw_range_error(env, NULL, "spamops_lstm: batch out of range");
    return 0;
  }
  out->tokens = at(in, arg_int(env, tokens), (size_t)out->B * m->T * 4);
  if (!out->tokens) {
    napi_throw_range_error(env, NULL, "spamops_lstm: tokens offset out of range");
    return 0;
  }
  /* no masks given (sp_predict takes none): none */
  out->xmask = xmask ? at(in, arg_int(env, xmask), (size_t)out->B * m->D * 4) : NULL;
  out->hmask = hmask ? at(in, arg_int(env, hmask), (size_t)out->B * m->H * 4) : NULL;
  return 1;
}

static napi_value f_forward(napi_env env, napi_callback_info info) {
  size_t argc = 4; napi_value argv[4];
  Instance *in = enter(env, info, &argc, argv);
  BatchArgs a;
  if (!in || !batch_args(env, in, argv[0], argv[1], argv[2], argv[3], &a)) return NULL;
  sp_forward(a.tokens, a.B, a.xmask, a.hmask);
  return NULL;
}
static napi_value f_predict(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  Instance *in = enter(env, info, &argc, argv);
  BatchArgs a;
  if (!in || !batch_args(env, in, argv[0], argv[1], NULL, NULL, &a)) return NULL;
  sp_predict(a.tokens, a.B);
  return NULL;
}
static napi_value f_backward(napi_env env, napi_callback_info info) {
  size_t argc = 5; napi_value argv[5];
  Instance *in = enter(env, info, &argc, argv);
  BatchArgs a;
  if (!in || !batch_args(env, in, argv[0], argv[2], argv[3], argv[4], &a)) return NULL;
  const int32_t *labels = at(in, arg_int(env, argv[1]), (size_t)a.B * 4);
  if (!labels) { napi_throw_range_error(env, NULL, "spamops_lstm: labels offset out of range"); return NULL; }
  for (int s = 0; s < a.B; s++)
    if (labels[s] < 0 || labels[s] >= in->model.C) { napi_throw_range_error(env, NULL, "spamops_lstm: label out of range"); return NULL; }
  return num(env, sp_backward(a.tokens, labels, a.B, a.xmask, a.hmask));
}
static napi_value f_adam(napi_env env, napi_callback_info info) {
  size_t argc = 5; napi_value argv[5];
  Instance *in = enter(env, info, &argc, argv);
  if (!in) return NULL;
  sp_adam((float)arg_num(env, argv[0]), (float)arg_num(env, argv[1]), (float)arg_num(env, argv[2]), (float)arg_num(env, argv[3]), arg_int(env, argv[4]));
  return NULL;
}

/* sp_threads(n): 2 runs each step's products and gates on two threads (a helper of this
   instance), 1 on the caller's alone; returns the threads now used (1 when no thread starts) */
static napi_value f_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  Instance *in = enter(env, info, &argc, argv);
  if (!in) return NULL;
  int n = argc ? arg_int(env, argv[0]) : 1;
  if (n >= 2 && !in->model.pool) in->model.pool = sp_pool_start();
  if (n < 2 && in->model.pool) {
    sp_pool_stop(in->model.pool);
    in->model.pool = NULL;
  }
  return num(env, in->model.pool ? 2 : 1);
}

/* instance(bytes): a kernel with an arena of `bytes`, as { memory: { buffer }, sp_* } */
static napi_value f_instance(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  double want = argc ? arg_num(env, argv[0]) : 0;
  if (!(want >= 1024 && want <= 16.0 * 1024 * 1024 * 1024)) { napi_throw_range_error(env, NULL, "spamops_lstm: arena size out of range"); return NULL; }
  Instance *in = calloc(1, sizeof *in);
  size_t cap = ((size_t)want + 63) & ~(size_t)63;
  if (in) in->base = aligned_alloc(64, cap);
  if (!in || !in->base) {
    free(in);
    napi_throw_error(env, NULL, "spamops_lstm: out of memory");
    return NULL;
  }
  memset(in->base, 0, cap);
  in->cap = cap;
  in->top = 64;
  napi_value obj, buffer, memory;
  if (napi_create_external_arraybuffer(env, in->base, cap, finalize, in, &buffer) != napi_ok) {
    free(in->base);
    free(in);
    napi_throw_error(env, NULL, "spamops_lstm: this runtime refuses external buffers");
    return NULL;
  }
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_object(env, &memory));
  CHECK(napi_set_named_property(env, memory, "buffer", buffer));
  CHECK(napi_set_named_property(env, obj, "memory", memory));
  const struct { const char *name; napi_callback fn; } fns[] = {
    {"sp_alloc", f_alloc}, {"sp_init", f_init}, {"sp_params", f_params}, {"sp_grads", f_grads},
    {"sp_adam_m", f_adam_m}, {"sp_adam_v", f_adam_v}, {"sp_probs", f_probs}, {"sp_nparams", f_nparams},
    {"sp_forward", f_forward}, {"sp_predict", f_predict}, {"sp_backward", f_backward}, {"sp_adam", f_adam}, {"sp_threads", f_threads},
  };
  for (unsigned i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    CHECK(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, in, &f));
    CHECK(napi_set_named_property(env, obj, fns[i].name, f));
  }
  return obj;
}

/*
 * peak(ms): this core's single-precision FMA throughput, measured (GFLOP/s): 12 independent
 * chains of 8-wide FMAs in registers for about `ms` milliseconds. The bench sets the kernel's
 * GFLOP/s beside it (a clock read from /proc is the nominal one, not the boosted one).
 */
static napi_value f_peak(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  double ms = argc ? arg_num(env, argv[0]) : 200;
  if (!(ms > 0 && ms <= 10000)) ms = 200;
  vf8 acc[12];
  for (int j = 0; j < 12; j++) acc[j] = vf8_splat(1.0f + (float)j * 1e-3f);
  const vf8 a = vf8_splat(0.999999f), b = vf8_splat(1e-6f);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double flops = 0, elapsed = 0;
  do {
    for (int i = 0; i < 1000000; i++)
      for (int j = 0; j < 12; j++) acc[j] = acc[j] * a + b;
    flops += 1e6 * 12 * 8 * 2;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  } while (elapsed * 1000 < ms);
  float sink = 0;
  for (int j = 0; j < 12; j++) for (int k = 0; k < 8; k++) sink += acc[j][k];
  return num(env, sink == 12345.0f ? 0 : flops / elapsed / 1e9);
}

static napi_value f_cpu(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
#if defined(__x86_64__) && defined(__AVX2__)
  napi_create_string_utf8(env, "x86-64 AVX2+FMA", NAPI_AUTO_LENGTH, &r);
#elif defined(__aarch64__)
  napi_create_string_utf8(env, "arm64 NEON", NAPI_AUTO_LENGTH, &r);
#else
  napi_create_string_utf8(env, "generic", NAPI_AUTO_LENGTH, &r);
#endif
  return r;
}

NAPI_MODULE_INIT() {
#if defined(__x86_64__) && defined(__AVX2__)
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    napi_throw_error(env, NULL, "spamops_lstm: built for AVX2 and FMA, which this CPU lacks");
    return NULL;
  }
#endif
  napi_value f, g, h;
  if (napi_create_function(env, "instance", NAPI_AUTO_LENGTH, f_instance, NULL, &f) != napi_ok) return NULL;
  if (napi_create_function(env, "cpu", NAPI_AUTO_LENGTH, f_cpu, NULL, &g) != napi_ok) return NULL;
  if (napi_create_function(env, "peak", NAPI_AUTO_LENGTH, f_peak, NULL, &h) != napi_ok) return NULL;
  napi_set_named_property(env, exports, "instance", f);
  napi_set_named_property(env, exports, "cpu", g);
  napi_set_named_property(env, exports, "peak", h);
  return exports;
}
