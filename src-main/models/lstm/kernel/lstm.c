/*
 * SpamOps fused LSTM kernel, compiled to WebAssembly (SIMD128), for the text classifier
 *   Embedding(V, D) -> SpatialDropout1D -> LSTM(H, dropout, recurrent_dropout) -> Dense(C, softmax)
 * with Keras semantics (gate order i, f, c, o; sigmoid recurrent activation; one dropout mask
 * per sample for inputs and one for the recurrent state, fixed across time steps).
 *
 * Why: tfjs spends the training time of this model in per-op overhead (tens of thousands of
 * tiny ops per epoch). Here a whole batch — forward, loss, backward through time — is one call,
 * the big products are GEMMs over all time steps at once, and weights stay in place.
 *
 * Memory is managed by the host (JavaScript): it allocates with `sp_alloc` and passes offsets.
 * Build: see build.sh (clang --target=wasm32 -O3 -msimd128, no libc). The same source builds
 * natively (native/: an N-API addon, AVX2/FMA where the CPU has them), where the host can.
 */
#include <stdint.h>

#ifdef __wasm__
#include <wasm_simd128.h>
#define EXPORT __attribute__((visibility("default")))

extern unsigned char __heap_base;
static uintptr_t heap_top = 0;

EXPORT void *sp_alloc(int bytes) {
  if (heap_top == 0) heap_top = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
  if (bytes < 0) return 0; /* an int overflow in the caller's size */
  uintptr_t p = heap_top;
  uintptr_t end = p + (((uintptr_t)bytes + 15) & ~(uintptr_t)15);
  if (end < p) return 0;
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have) {
    uintptr_t pages = (end - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (uintptr_t)-1) return 0;
  }
  heap_top = end;
  return (void *)p;
}

EXPORT void sp_reset(void) { heap_top = 0; }
#else
/* native (native/lstm-addon.c includes this file): the addon's arena allocator */
#define EXPORT static
static void *sp_alloc(int bytes);
static void sp_reset(void);
#endif

/* ---------- math ---------- */

static inline float fast_exp(float x) {
  /* exp(x) = 2^n * 2^f, f in [-0.5, 0.5]; degree-6 polynomial, rel. error ~2e-7 */
  if (x > 88.0f) x = 88.0f;
  if (x < -87.0f) x = -87.0f;
  float t = x * 1.44269504088896341f;
  float n = __builtin_floorf(t + 0.5f);
  float f = t - n;
  float p = 1.535336188319500e-4f;
  p = p * f + 1.339887440266574e-3f;
  p = p * f + 9.618437357674640e-3f;
  p = p * f + 5.550332471162809e-2f;
  p = p * f + 2.402264791363012e-1f;
  p = p * f + 6.931472028550421e-1f;
  p = p * f + 1.0f;
  union { float f; int32_t i; } u;
  u.i = ((int32_t)n + 127) << 23;
  return p * u.f;
}
static inline float fast_log(float x) {
  /* x = 2^e * m, m in [1, 2): log m = 2 atanh((m-1)/(m+1)), series to r^9; only for reporting loss */
  union { float f; int32_t i; } u;
  u.f = x;
  int e = ((u.i >> 23) & 255) - 127;
  u.i = (u.i & 0x007fffff) | 0x3f800000;
  float r = (u.f - 1.0f) / (u.f + 1.0f), r2 = r * r;
  float s = r * (2.0f + r2 * (2.0f / 3.0f + r2 * (2.0f / 5.0f + r2 * (2.0f / 7.0f + r2 * (2.0f / 9.0f)))));
  return s + (float)e * 0.69314718056f;
}
static inline float sigmoidf(float x) { return 1.0f / (1.0f + fast_exp(-x)); }
static inline float tanhf_(float x) {
  /* tanh(x) = 2 sigmoid(2x) - 1 */
  return 2.0f / (1.0f + fast_exp(-2.0f * x)) - 1.0f;
}

/* ---------- GEMM ----------
 * C[M,N] = (acc ? C : 0) + A * B, row-major, where A(i,k) = A[i*sai + k*sak] (so A or A^T),
 * B is [K,N] row-major. Blocks of 4 rows x 8 columns; columns past the last multiple of 4
 * are done by a scalar loop.
 */
#ifdef __wasm__
EXPORT void sp_gemm(int M, int Nfull, int K, const float *A, int sai, int sak, const float *B, float *C, int acc) {
  const int N = Nfull; /* row stride */
  const int NV = Nfull & ~3; /* vectorised columns */
  for (int i = 0; i < M; i++)
    for (int j = NV; j < Nfull; j++) {
      float c = acc ? C[i * N + j] : 0.0f;
      for (int k = 0; k < K; k++) c += A[i * sai + k * sak] * B[k * N + j];
      C[i * N + j] = c;
    }
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    int j = 0;
    for (; j + 8 <= NV; j += 8) {
      v128_t c00, c01, c10, c11, c20, c21, c30, c31;
      if (acc) {
        c00 = wasm_v128_load(C + (i + 0) * N + j); c01 = wasm_v128_load(C + (i + 0) * N + j + 4);
        c10 = wasm_v128_load(C + (i + 1) * N + j); c11 = wasm_v128_load(C + (i + 1) * N + j + 4);
        c20 = wasm_v128_load(C + (i + 2) * N + j); c21 = wasm_v128_load(C + (i + 2) * N + j + 4);
        c30 = wasm_v128_load(C + (i + 3) * N + j); c31 = wasm_v128_load(C + (i + 3) * N + j + 4);
      } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0.0f);
      }
      const float *a0 = A + (i + 0) * sai, *a1 = A + (i + 1) * sai, *a2 = A + (i + 2) * sai, *a3 = A + (i + 3) * sai;
      for (int k = 0; k < K; k++) {
        v128_t b0 = wasm_v128_load(B + k * N + j);
        v128_t b1 = wasm_v128_load(B + k * N + j + 4);
        v128_t x0 = wasm_f32x4_splat(a0[k * sak]);
        v128_t x1 = wasm_f32x4_splat(a1[k * sak]);
        v128_t x2 = wasm_f32x4_splat(a2[k * sak]);
        v128_t x3 = wasm_f32x4_splat(a3[k * sak]);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x0, b0)); c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x0, b1));
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x1, b0)); c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x1, b1));
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x2, b0)); c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x2, b1));
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x3, b0)); c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x3, b1));
      }
      wasm_v128_store(C + (i + 0) * N + j, c00); wasm_v128_store(C + (i + 0) * N + j + 4, c01);
      wasm_v128_store(C + (i + 1) * N + j, c10); wasm_v128_store(C + (i + 1) * N + j + 4, c11);
      wasm_v128_store(C + (i + 2) * N + j, c20); wasm_v128_store(C + (i + 2) * N + j + 4, c21);
      wasm_v128_store(C + (i + 3) * N + j, c30); wasm_v128_store(C + (i + 3) * N + j + 4, c31);
    }
    for (; j < NV; j += 4) {
      for (int r = 0; r < 4; r++) {
        v128_t c = acc ? wasm_v128_load(C + (i + r) * N + j) : wasm_f32x4_splat(0.0f);
        const float *a = A + (i + r) * sai;
        for (int k = 0; k < K; k++) c = wasm_f32x4_add(c, wasm_f32x4_mul(wasm_f32x4_splat(a[k * sak]), wasm_v128_load(B + k * N + j)));
        wasm_v128_store(C + (i + r) * N + j, c);
      }
    }
  }
  for (; i < M; i++) {
    const float *a = A + i * sai;
    for (int j = 0; j < NV; j += 4) {
      v128_t c = acc ? wasm_v128_load(C + i * N + j) : wasm_f32x4_splat(0.0f);
      for (int k = 0; k < K; k++) c = wasm_f32x4_add(c, wasm_f32x4_mul(wasm_f32x4_splat(a[k * sak]), wasm_v128_load(B + k * N + j)));
      wasm_v128_store(C + i * N + j, c);
    }
  }
}

#else
#include "native/gemm.h"
#endif

/* ---------- the model ---------- */

/*
 * One sample's gates at one time step, in place: pre-activations z (i, f, c, o) become
 * activations; the new cell state, its tanh and the hidden state are written. Every pointer
 * names a disjoint run of H floats (restrict), so compilers vectorise the loop.
 */
static void gates_forward(int H, float *restrict zi, float *restrict zf, float *restrict zg, float *restrict zo,
                          const float *restrict cprev, float *restrict ccur, float *restrict tc, float *restrict h) {
  for (int j = 0; j < H; j++) {
    float ig = sigmoidf(zi[j]), fg = sigmoidf(zf[j]), gg = tanhf_(zg[j]), og = sigmoidf(zo[j]);
    zi[j] = ig; zf[j] = fg; zg[j] = gg; zo[j] = og;
    float c = fg * cprev[j] + ig * gg;
    ccur[j] = c;
    float th = tanhf_(c);
    tc[j] = th;
    h[j] = og * th;
  }
}

/* The same step backwards: the pre-activation gradients dz from dh and the running dc (updated). */
static void gates_backward(int H, const float *restrict ai, const float *restrict af, const float *restrict ag,
                           const float *restrict ao, const float *restrict tc, const float *restrict cprev,
                           const float *restrict dh, float *restrict dcr, float *restrict dzi, float *restrict dzf,
                           float *restrict dzg, float *restrict dzo) {
  for (int j = 0; j < H; j++) {
    float ig = ai[j], fg = af[j], gg = ag[j], og = ao[j];
    float th = tc[j], dhq = dh[j];
    float dc = dcr[j] + dhq * og * (1.0f - th * th);
    float dog = dhq * th;
    dzi[j] = dc * gg * ig * (1.0f - ig);
    dzf[j] = dc * cprev[j] * fg * (1.0f - fg);
    dzg[j] = dc * ig * (1.0f - gg * gg);
    dzo[j] = dog * og * (1.0f - og);
    dcr[j] = dc * fg;
  }
}


typedef struct {
  int V, D, H, C, T, Bmax;
  /* parameters, contiguous: E[V*D] W[D*4H] U[H*4H] b[4H] Wd[H*C] bd[C] */
  float *params, *grads, *adam_m, *adam_v;
  int nparams;
  float *E, *W, *U, *b, *Wd, *bd;
  float *gE, *gW, *gU, *gb, *gWd, *gbd;
  /* work buffers, time-major rows r = t*B + b */
  float *X;      /* [T*B, D]  masked embeddings of the distinct rows (U of them) */
  float *Z;      /* [T*B, 4H] pre-activations, then activations i f g o */
  float *Cs;     /* [(T+1)*B, H] cell states, Cs[0] = 0 */
  float *Hm;     /* [T*B, H] masked previous hidden state fed to step t */
  float *Hs;     /* [B, H] last hidden state */
  float *TC;     /* [T*B, H] tanh(c_t) */
  float *dZ;     /* [T*B, 4H] */
  float *dX;     /* [T*B, D] */
  float *UT;     /* [4H, H] */
  float *WT;     /* [4H, D] */
  float *dh, *dc, *dtmp; /* [B, H] */
  float *probs;  /* [B, C] */
  int lastB;
  /* the distinct (sample, token) rows of the last forward pass: padding repeats token 0 through
     most of a message, and a row's input projection depends on its token and sample only */
  int nU;        /* how many */
  int *rowmap;   /* [T*B] row r = t*B + s -> its distinct row */
  int *u_tok, *u_s; /* [T*B] token and sample of each distinct row */
  int *stamp, *uidx; /* [V] scratch: which sample last met a token, and its distinct row */
  int *byLead;   /* [T+1] sp_predict's counting sort: samples per length of leading padding */
  /* sp_predict's padding states: row k the state after k + 1 padding tokens, the first padKnown
     rows computed with the present parameters (0 again whenever they may change) */
  float *padH, *padC; /* [T, H] */
  int padKnown;
  struct SpPool *pool; /* native builds: the helper thread of a two-thread step, or none */
} Model;

#ifdef __wasm__
static Model M_; /* one model per WebAssembly instance */
#define SP_MODEL (&M_)
#else
/* one model per addon instance: the one the calling thread works on (set by the addon per call) */
static __thread Model *sp_model_now;
#define SP_MODEL sp_model_now
#endif

/* ---------- ranges of work, on one thread or two ---------- */

typedef void (*sp_range_fn)(void *arg, int lo, int hi);

#ifdef __wasm__
/* WebAssembly runs every range itself */
static void sp_parallel(Model *m, sp_range_fn fn, void *arg, int n, int align, long work) {
  (void)m; (void)align; (void)work;
  fn(arg, 0, n);
}
#else
#include "native/threads.h"
#endif

typedef struct { int M, N, K; const float *A; int sai, sak; const float *B; float *C; int acc; } GemmJob;

static void gemm_range(void *p, int j0, int j1) {
  const GemmJob *g = p;
#ifdef __wasm__
  (void)j0; (void)j1; /* always the whole width */
  sp_gemm(g->M, g->N, g->K, g->A, g->sai, g->sak, g->B, g->C, g->acc);
#else
  sp_gemm_cols(g->M, j0, j1, g->N, g->K, g->A, g->sai, g->sak, g->B, g->C, g->acc);
#endif
}

/* sp_gemm's product, its columns shared between the step's threads */
static void gemm(Model *m, int M, int N, int K, const float *A, int sai, int sak, const float *B, float *C, int acc) {
  GemmJob g = {M, N, K, A, sai, sak, B, C, acc};
  sp_parallel(m, gemm_range, &g, N, 16, (long)M * N * K);
}

/* the host writes the parameters through this address only: the padding's states are computed anew */
EXPORT float *sp_params(void) {
  SP_MODEL->padKnown = 0;
  return SP_MODEL->params;
}
EXPORT float *sp_adam_m(void) { return SP_MODEL->adam_m; }
EXPORT float *sp_adam_v(void) { return SP_MODEL->adam_v; }
EXPORT float *sp_grads(void) { return SP_MODEL->grads; }
EXPORT float *sp_probs(void) { return SP_MODEL->probs; }
EXPORT int sp_nparams(void) { return SP_MODEL->nparams; }

static float *falloc(int n) { return (float *)sp_alloc(n * 4); }

/* Allocates parameters and work space; returns 0 when memory cannot grow. H*4 and D must be multiples of 4. */
EXPORT int sp_init(int V, int D, int H, int C, int T, int Bmax) {
  sp_reset();
  Model *m = SP_MODEL;
  m->V = V; m->D = D; m->H = H; m->C = C; m->T = T; m->Bmax = Bmax;
  int G = 4 * H;
  m->nparams = V * D + D * G + H * G + G + H * C + C;
  m->params = falloc(m->nparams); m->grads = falloc(m->nparams);
  m->adam_m = falloc(m->nparams); m->adam_v = falloc(m->nparams);
  m->X = falloc(T * Bmax * D); m->Z = falloc(T * Bmax * G); m->Cs = falloc((T + 1) * Bmax * H);
  m->Hm = falloc(T * Bmax * H); m->Hs = falloc(Bmax * H); m->TC = falloc(T * Bmax * H);
  m->dZ = falloc(T * Bmax * G); m->dX = falloc(T * Bmax * D); m->UT = falloc(G * H); m->WT = falloc(G * D);
  m->dh = falloc(Bmax * H); m->dc = falloc(Bmax * H); m->dtmp = falloc(Bmax * H); m->probs = falloc(Bmax * C);
  m->rowmap = (int *)sp_alloc(T * Bmax * 4); m->u_tok = (int *)sp_alloc(T * Bmax * 4); m->u_s = (int *)sp_alloc(T * Bmax * 4);
  m->stamp = (int *)sp_alloc(V * 4); m->uidx = (int *)sp_alloc(V * 4); m->byLead = (int *)sp_alloc((T + 1) * 4);
  m->padH = falloc(T * H); m->padC = falloc(T * H); m->padKnown = 0;
  /* every buffer: a large one may fail while a later, smaller one still fits */
  void *all[] = {m->params, m->grads, m->adam_m, m->adam_v, m->X, m->Z, m->Cs, m->Hm, m->Hs, m->TC,
                 m->dZ, m->dX, m->UT, m->WT, m->dh, m->dc, m->dtmp, m->probs,
                 m->rowmap, m->u_tok, m->u_s, m->stamp, m->uidx, m->byLead, m->padH, m->padC};
  for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) if (!all[i]) return 0;
  float *p = m->params, *g = m->grads;
  m->E = p; m->gE = g; p += V * D; g += V * D;
  m->W = p; m->gW = g; p += D * G; g += D * G;
  m->U = p; m->gU = g; p += H * G; g += H * G;
  m->b = p; m->gb = g; p += G; g += G;
  m->Wd = p; m->gWd = g; p += H * C; g += H * C;
  m->bd = p; m->gbd = g;
  for (int i = 0; i < m->nparams; i++) m->adam_m[i] = m->adam_v[i] = m->grads[i] = 0.0f;
  return 1;
}

/*
 * The recurrence of samples lo..hi (rows t*B + s, s in [lo, hi)): forward through the 30 steps
 * (the recurrent product of their rows, their gates, their masked state for the next step), or
 * backward through them (their gates' gradients, then dh of the step before). Every row is
 * computed the same way whichever range holds it.
 */
typedef struct { Model *m; int B; const float *hmask; } RecurJob;

/* columns k0..k1 of the bias's gradient and of the distinct rows' summed dZ (rows in order, as on one thread) */
typedef struct { Model *m; int B; } ColSumJob;

static void column_sums(void *p, int k0, int k1) {
  const ColSumJob *j = p;
  Model *m = j->m;
  const int R = m->T * j->B, G = 4 * m->H;
  float *dZu = m->Z;
  for (int u = 0; u < m->nU; u++)
    for (int k = k0; k < k1; k++) dZu[u * G + k] = 0.0f;
  for (int r = 0; r < R; r++) {
    const float *dz = m->dZ + r * G;
    float *du = dZu + m->rowmap[r] * G;
    for (int k = k0; k < k1; k++) {
      m->gb[k] += dz[k];
      du[k] += dz[k];
    }
  }
}

static void forward_recurrence(void *p, int lo, int hi) {
  const RecurJob *j = p;
  Model *m = j->m;
  const int B = j->B, T = m->T, H = m->H, G = 4 * H, n = hi - lo;
  const float *hmask = j->hmask;
  /* each row's pre-activation from its distinct row's projection (in dZ) and the bias */
  for (int t = 0; t < T; t++)
    for (int s = lo; s < hi; s++) {
      float *z = m->Z + (t * B + s) * G;
      const float *xw = m->dZ + m->rowmap[t * B + s] * G;
      for (int k = 0; k < G; k++) z[k] = xw[k] + m->b[k];
    }
  for (int i = lo * H; i < hi * H; i++) m->Cs[i] = 0.0f;
  for (int t = 0; t < T; t++) {
    float *Zt = m->Z + (t * B + lo) * G;
    float *Hmt = m->Hm + (t * B + lo) * H;
    if (t > 0) sp_gemm(n, G, H, Hmt, H, 1, m->U, Zt, 1); /* h_0 = 0: no recurrent term at t = 0 */
    else for (int i = 0; i < n * H; i++) Hmt[i] = 0.0f;
    float *cprev = m->Cs + (t * B + lo) * H, *ccur = m->Cs + ((t + 1) * B + lo) * H, *tc = m->TC + (t * B + lo) * H;
    float *h = m->Hs + lo * H;
    for (int s = 0; s < n; s++) {
      float *z = Zt + s * G;
      gates_forward(H, z, z + H, z + 2 * H, z + 3 * H, cprev + s * H, ccur + s * H, tc + s * H, h + s * H);
    }
    /* the (masked) state the next step multiplies with U */
    if (t + 1 < T) {
      float *Hmn = m->Hm + ((t + 1) * B + lo) * H;
      const float *hm = hmask ? hmask + lo * H : 0;
      for (int i = 0; i < n * H; i++) Hmn[i] = hm ? h[i] * hm[i] : h[i];
    }
  }
}

static void backward_recurrence(void *p, int lo, int hi) {
  const RecurJob *j = p;
  Model *m = j->m;
  const int B = j->B, T = m->T, H = m->H, G = 4 * H, n = hi - lo;
  const float *hmask = j->hmask;
  float *dh = m->dh + lo * H, *dcr = m->dc + lo * H;
  for (int i = 0; i < n * H; i++) dcr[i] = 0.0f;
  for (int t = T - 1; t >= 0; t--) {
    const float *A = m->Z + (t * B + lo) * G;
    float *dZt = m->dZ + (t * B + lo) * G;
    const float *cprev = m->Cs + (t * B + lo) * H, *tc = m->TC + (t * B + lo) * H;
    for (int s = 0; s < n; s++) {
      const float *a = A + s * G;
      float *dz = dZt + s * G;
      gates_backward(H, a, a + H, a + 2 * H, a + 3 * H, tc + s * H, cprev + s * H, dh + s * H, dcr + s * H, dz, dz + H, dz + 2 * H, dz + 3 * H);
    }
    if (t > 0) {
      sp_gemm(n, H, G, dZt, G, 1, m->UT, dh, 0);
      if (hmask) for (int i = 0; i < n * H; i++) dh[i] *= hmask[lo * H + i];
    }
  }
}

/* dense + softmax of the last hidden states Hs; row i of Hs is sample order[i] (order 0: sample i) */
static void dense_softmax(Model *m, int B, const int *order) {
  const int H = m->H, C = m->C;
  for (int i = 0; i < B; i++) {
    float mx = -1e30f;
    float *p = m->probs + (order ? order[i] : i) * C;
    for (int c = 0; c < C; c++) {
      float a = m->bd[c];
      for (int j = 0; j < H; j++) a += m->Hs[i * H + j] * m->Wd[j * C + c];
      p[c] = a;
      if (a > mx) mx = a;
    }
    float sum = 0.0f;
    for (int c = 0; c < C; c++) { p[c] = fast_exp(p[c] - mx); sum += p[c]; }
    for (int c = 0; c < C; c++) p[c] /= sum;
  }
}

/*
 * Forward pass for B samples. tokens: [B, T] ids; xmask: [B, D] input mask (spatial dropout x
 * input dropout, already scaled) or 0; hmask: [B, H] recurrent mask or 0. Leaves probs [B, C].
 */
EXPORT void sp_forward(const int32_t *tokens, int B, const float *xmask, const float *hmask) {
  Model *m = SP_MODEL;
  const int T = m->T, D = m->D, H = m->H, G = 4 * H;
  m->lastB = B;
  /* the distinct rows: X holds one masked embedding per (sample, token), projected once */
  for (int v = 0; v < m->V; v++) m->stamp[v] = 0;
  int U = 0;
  for (int s = 0; s < B; s++)
    for (int t = 0; t < T; t++) {
      int tok = tokens[s * T + t];
      if (tok < 0 || tok >= m->V) tok = 0;
      if (m->stamp[tok] != s + 1) {
        m->stamp[tok] = s + 1;
        m->uidx[tok] = U;
        m->u_tok[U] = tok;
        m->u_s[U] = s;
        const float *e = m->E + tok * D;
        float *x = m->X + U * D;
        if (xmask) for (int d = 0; d < D; d++) x[d] = e[d] * xmask[s * D + d];
        else for (int d = 0; d < D; d++) x[d] = e[d];
        U++;
      }
      m->rowmap[t * B + s] = m->uidx[tok];
    }
  m->nU = U;
  /* input projections of the distinct rows (into dZ, free until the backward pass), then every
     row's pre-activation from its distinct row's */
  gemm(m, U, G, D, m->X, D, 1, m->W, m->dZ, 0);
  /* the recurrence: samples are independent through it, so two threads take half the samples
     each for all 30 steps (one hand-over per pass, each thread's rows stay in its own cache) */
  RecurJob rj = {m, B, hmask};
  sp_parallel(m, forward_recurrence, &rj, B, 4, (long)B * T * H * G);
  dense_softmax(m, B, 0);
}

/*
 * Class probabilities of B samples [B, T] without dropout (inference): sp_forward's numbers,
 * without running the recurrence through each sample's leading padding. Texts are padded in
 * front with token 0, and every sample's state after k padding tokens is the same (it starts at
 * h = c = 0 and meets the same input each step), so that state is computed once, on one row, kept
 * while the parameters stay, and a sample starts from it at its first real token. A short message
 * costs its own tokens only: an SMS of 7 tokens (the dataset's median) in the 30-step window takes
 * 7 steps, not 30.
 *
 * The samples are taken in order of their padding (longest text first, a counting sort), so the
 * rows still running at a step are a prefix of each thread's range and each step's recurrent
 * product is one GEMM over them. Leaves probs [B, C] in the samples' own order.
 */
typedef struct { Model *m; const int32_t *tokens; const int *order, *lead; float *c0, *c1; } PredictJob;

static int token_at(const Model *m, const int32_t *tokens, int s, int t) {
  int tok = tokens[s * m->T + t];
  return tok < 0 || tok >= m->V ? 0 : tok;
}

/* the projection (in dZ, one row per distinct token) and bias: a row's pre-activation before its recurrent term */
static void input_term(const Model *m, int tok, float *z) {
  const int G = 4 * m->H;
  const float *xw = m->dZ + m->uidx[tok] * G;
  for (int k = 0; k < G; k++) z[k] = xw[k] + m->b[k];
}

static void predict_recurrence(void *p, int lo, int hi) {
  const PredictJob *j = p;
  Model *m = j->m;
  const int T = m->T, H = m->H, G = 4 * H;
  const float *padH = m->padH, *padC = m->padC; /* the padding's state after k + 1 tokens, row k */
  float *h = m->Hs, *c = j->c0, *cn = j->c1, *tc = m->dtmp, *z = m->Z;
  int act = lo;
  for (int t = j->lead[j->order[lo]]; t < T; t++) {
    /* samples whose text starts now join, in the padding's state after t tokens */
    for (; act < hi && j->lead[j->order[act]] <= t; act++)
      for (int k = 0; k < H; k++) {
        h[act * H + k] = t > 0 ? padH[(t - 1) * H + k] : 0.0f;
        c[act * H + k] = t > 0 ? padC[(t - 1) * H + k] : 0.0f;
      }
    const int n = act - lo;
    for (int i = lo; i < act; i++) input_term(m, token_at(m, j->tokens, j->order[i], t), z + i * G);
    if (t > 0) sp_gemm(n, G, H, h + lo * H, H, 1, m->U, z + lo * G, 1); /* h = 0 at t = 0 */
    for (int i = lo; i < act; i++) {
      float *zi = z + i * G;
      gates_forward(H, zi, zi + H, zi + 2 * H, zi + 3 * H, c + i * H, cn + i * H, tc + i * H, h + i * H);
    }
    float *swap = c; c = cn; cn = swap;
  }
  /* samples of padding only end in the padding's state after T tokens */
  for (; act < hi; act++)
    for (int k = 0; k < H; k++) h[act * H + k] = padH[(T - 1) * H + k];
}

EXPORT void sp_predict(const int32_t *tokens, int B) {
  Model *m = SP_MODEL;
  const int T = m->T, D = m->D, H = m->H, G = 4 * H;
  m->lastB = B;
  /* each sample's leading padding, then the samples ordered by it (counting sort) */
  int *lead = m->u_s, *order = m->rowmap, *count = m->byLead, maxLead = 0;
  for (int k = 0; k <= T; k++) count[k] = 0;
  for (int s = 0; s < B; s++) {
    int t = 0;
    while (t < T && token_at(m, tokens, s, t) == 0) t++;
    lead[s] = t;
    count[t]++;
    if (t > maxLead) maxLead = t;
  }
  for (int k = 0, at = 0; k <= T; k++) { int n = count[k]; count[k] = at; at += n; }
  for (int s = 0; s < B; s++) order[count[lead[s]]++] = s;
  /* the distinct tokens met (the padding's token if any sample has padding), projected once */
  for (int v = 0; v < m->V; v++) m->stamp[v] = 0;
  int U = 0;
  for (int s = 0; s < B; s++)
    for (int t = lead[s] > 0 ? lead[s] - 1 : 0; t < T; t++) {
      const int tok = token_at(m, tokens, s, t);
      if (m->stamp[tok]) continue;
      m->stamp[tok] = 1;
      m->uidx[tok] = U;
      const float *e = m->E + tok * D;
      float *x = m->X + U * D;
      for (int d = 0; d < D; d++) x[d] = e[d];
      U++;
    }
  gemm(m, U, G, D, m->X, D, 1, m->W, m->dZ, 0);
  /* the padding's states not known yet, one row, as sp_forward computes each padded sample's; they
     stay known until the parameters may change (sp_params, sp_adam, sp_init) */
  float *padH = m->padH, *padC = m->padC, *z = m->Z, *zero = m->dc;
  for (int k = 0; k < H; k++) zero[k] = 0.0f;
  for (int t = m->padKnown; t < maxLead; t++) {
    input_term(m, 0, z);
    if (t > 0) sp_gemm(1, G, H, padH + (t - 1) * H, H, 1, m->U, z, 1);
    gates_forward(H, z, z + H, z + 2 * H, z + 3 * H, t > 0 ? padC + (t - 1) * H : zero, padC + t * H, m->dtmp, padH + t * H);
  }
  if (maxLead > m->padKnown) m->padKnown = maxLead;
  /* the texts, from their first token; the cell states alternate between two halves of Cs */
  PredictJob pj = {m, tokens, order, lead, m->Cs, m->Cs + m->Bmax * H};
  sp_parallel(m, predict_recurrence, &pj, B, 4, (long)B * T * H * G);
  dense_softmax(m, B, order);
}

/*
 * One training step's gradients: forward, mean categorical cross-entropy against labels
 * [B] (class index), backward through time. Gradients are written (not accumulated) to
 * grads. Returns the loss.
 */
EXPORT float sp_backward(const int32_t *tokens, const int32_t *labels, int B, const float *xmask, const float *hmask) {
  Model *m = SP_MODEL;
  const int T = m->T, D = m->D, H = m->H, G = 4 * H, C = m->C;
  sp_forward(tokens, B, xmask, hmask);
  for (int i = 0; i < m->nparams; i++) m->grads[i] = 0.0f;
  float loss = 0.0f;
  /* dense */
  float *dlog = m->dtmp; /* reuse: [B, C] fits in [B, H] when C <= H */
  for (int s = 0; s < B; s++) {
    float *p = m->probs + s * C;
    int y = labels[s];
    float py = p[y] < 1e-7f ? 1e-7f : p[y];
    loss -= fast_log(py);
    for (int c = 0; c < C; c++) dlog[s * C + c] = (p[c] - (c == y ? 1.0f : 0.0f)) / (float)B;
  }
  loss /= (float)B;
  for (int s = 0; s < B; s++)
    for (int c = 0; c < C; c++) {
      float g = dlog[s * C + c];
      m->gbd[c] += g;
      for (int j = 0; j < H; j++) m->gWd[j * C + c] += m->Hs[s * H + j] * g;
    }
  for (int s = 0; s < B; s++)
    for (int j = 0; j < H; j++) {
      float a = 0.0f;
      for (int c = 0; c < C; c++) a += dlog[s * C + c] * m->Wd[j * C + c];
      m->dh[s * H + j] = a;
    }
  /* U^T once per batch: dh_prev = dZ_t U^T becomes a plain GEMM */
  for (int j = 0; j < H; j++)
    for (int k = 0; k < G; k++) m->UT[k * H + j] = m->U[j * G + k];
  RecurJob rj = {m, B, hmask};
  sp_parallel(m, backward_recurrence, &rj, B, 4, (long)B * T * H * G);
  /* weight gradients over all time steps at once; h_0 = 0, so the first step adds nothing to U's */
  gemm(m, H, G, (T - 1) * B, m->Hm + B * H, 1, H, m->dZ + B * G, m->gU, 0);
  /* the bias's gradient, and (W and the embeddings see the distinct rows only) each distinct
     row's summed dZ rows, into Z (free now): one pass over dZ, its columns shared by the threads */
  const int U = m->nU;
  float *dZu = m->Z;
  ColSumJob cj = {m, B};
  sp_parallel(m, column_sums, &cj, G, 16, (long)T * B * G);
  gemm(m, D, G, U, m->X, 1, D, dZu, m->gW, 0);
  for (int d = 0; d < D; d++)
    for (int k = 0; k < G; k++) m->WT[k * D + d] = m->W[d * G + k];
  gemm(m, U, D, G, dZu, G, 1, m->WT, m->dX, 0);
  for (int u = 0; u < U; u++) {
    float *ge = m->gE + m->u_tok[u] * D;
    const float *dx = m->dX + u * D;
    const int s = m->u_s[u];
    if (xmask) for (int d = 0; d < D; d++) ge[d] += dx[d] * xmask[s * D + d];
    else for (int d = 0; d < D; d++) ge[d] += dx[d];
  }
  return loss;
}

/* Adam with Keras' defaults for epsilon placement (epsilon-hat), bias-corrected step size. */
typedef struct { Model *m; float alpha, beta1, beta2, eps; } AdamJob;

static void adam_range(void *p, int lo, int hi) {
  const AdamJob *j = p;
  Model *m = j->m;
  const float beta1 = j->beta1, beta2 = j->beta2, alpha = j->alpha, eps = j->eps;
  for (int i = lo; i < hi; i++) {
    float g = m->grads[i];
    float mm = beta1 * m->adam_m[i] + (1.0f - beta1) * g;
    float vv = beta2 * m->adam_v[i] + (1.0f - beta2) * g * g;
    m->adam_m[i] = mm; m->adam_v[i] = vv;
    m->params[i] -= alpha * mm / (__builtin_sqrtf(vv) + eps);
  }
}

EXPORT void sp_adam(float lr, float beta1, float beta2, float eps, int step) {
  Model *m = SP_MODEL;
  m->padKnown = 0;
  float b1t = 1.0f, b2t = 1.0f;
  for (int i = 0; i < step; i++) { b1t *= beta1; b2t *= beta2; }
  float alpha = lr * __builtin_sqrtf(1.0f - b2t) / (1.0f - b1t);
  AdamJob j = {m, alpha, beta1, beta2, eps};
  sp_parallel(m, adam_range, &j, m->nparams, 16, (long)m->nparams * 8);
}
