/*
 * The native GEMM of the LSTM kernel (included by ../lstm.c when it is not built for
 * WebAssembly): the same contract as the WebAssembly one,
 *   C[M,N] = (acc ? C : 0) + A * B, A(i,k) = A[i*sai + k*sak], B [K,N] row-major,
 * in GCC vector extensions of 8 floats, which the compiler turns into AVX2 and FMA (binding.gyp
 * builds with -mavx2 -mfma on x86-64; NEON pairs on arm64). A call may compute a range of C's
 * columns only (sp_gemm_cols: B and C keep their full row stride), which is how two threads
 * share one product; every element is computed the same way in either case. Blocks of
 * 4 rows x 16 columns keep 8 accumulators in registers; the rest of the columns go 8, then 1;
 * the last rows (fewer than 4) one at a time, 32 columns at once.
 */
typedef float vf8 __attribute__((vector_size(32), aligned(4))); /* aligned(4): rows need not be 32-byte aligned */

static inline vf8 vf8_splat(float x) { return (vf8){x, x, x, x, x, x, x, x}; }

/* N columns of C computed, ld the row stride of B and C */
static void sp_gemm_panel(int M, int N, int ld, int K, const float *A, int sai, int sak, const float *B, float *C, int acc) {
  const int N16 = N & ~15, N8 = N & ~7;
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    const float *a0 = A + (i + 0) * sai, *a1 = A + (i + 1) * sai, *a2 = A + (i + 2) * sai, *a3 = A + (i + 3) * sai;
    float *c0 = C + (i + 0) * ld, *c1 = C + (i + 1) * ld, *c2 = C + (i + 2) * ld, *c3 = C + (i + 3) * ld;
    int j = 0;
    for (; j < N16; j += 16) {
      vf8 z = vf8_splat(0.0f);
      vf8 r00 = acc ? *(const vf8 *)(c0 + j) : z, r01 = acc ? *(const vf8 *)(c0 + j + 8) : z;
      vf8 r10 = acc ? *(const vf8 *)(c1 + j) : z, r11 = acc ? *(const vf8 *)(c1 + j + 8) : z;
      vf8 r20 = acc ? *(const vf8 *)(c2 + j) : z, r21 = acc ? *(const vf8 *)(c2 + j + 8) : z;
      vf8 r30 = acc ? *(const vf8 *)(c3 + j) : z, r31 = acc ? *(const vf8 *)(c3 + j + 8) : z;
      for (int k = 0; k < K; k++) {
        const vf8 b0 = *(const vf8 *)(B + k * ld + j), b1 = *(const vf8 *)(B + k * ld + j + 8);
        const vf8 x0 = vf8_splat(a0[k * sak]), x1 = vf8_splat(a1[k * sak]);
        const vf8 x2 = vf8_splat(a2[k * sak]), x3 = vf8_splat(a3[k * sak]);
        r00 += x0 * b0; r01 += x0 * b1;
        r10 += x1 * b0; r11 += x1 * b1;
        r20 += x2 * b0; r21 += x2 * b1;
        r30 += x3 * b0; r31 += x3 * b1;
      }
      *(vf8 *)(c0 + j) = r00; *(vf8 *)(c0 + j + 8) = r01;
      *(vf8 *)(c1 + j) = r10; *(vf8 *)(c1 + j + 8) = r11;
      *(vf8 *)(c2 + j) = r20; *(vf8 *)(c2 + j + 8) = r21;
      *(vf8 *)(c3 + j) = r30; *(vf8 *)(c3 + j + 8) = r31;
    }
    for (; j < N8; j += 8) {
      float *cr[4] = {c0, c1, c2, c3};
      const float *ar[4] = {a0, a1, a2, a3};
      for (int r = 0; r < 4; r++) {
        vf8 c = acc ? *(const vf8 *)(cr[r] + j) : vf8_splat(0.0f);
        for (int k = 0; k < K; k++) c += vf8_splat(ar[r][k * sak]) * *(const vf8 *)(B + k * ld + j);
        *(vf8 *)(cr[r] + j) = c;
      }
    }
  }
  /* the last rows one at a time (a lone message's recurrent step is one row): 32 columns at once,
     so that four independent FMA chains hide each other's latency */
  const int N32 = N & ~31;
  for (; i < M; i++) {
    const float *a = A + i * sai;
    float *c = C + i * ld;
    int j = 0;
    for (; j < N32; j += 32) {
      vf8 z = vf8_splat(0.0f);
      vf8 r0 = acc ? *(const vf8 *)(c + j) : z, r1 = acc ? *(const vf8 *)(c + j + 8) : z;
      vf8 r2 = acc ? *(const vf8 *)(c + j + 16) : z, r3 = acc ? *(const vf8 *)(c + j + 24) : z;
      for (int k = 0; k < K; k++) {
        const vf8 x = vf8_splat(a[k * sak]);
        const float *b = B + k * ld + j;
        r0 += x * *(const vf8 *)b; r1 += x * *(const vf8 *)(b + 8);
        r2 += x * *(const vf8 *)(b + 16); r3 += x * *(const vf8 *)(b + 24);
      }
      *(vf8 *)(c + j) = r0; *(vf8 *)(c + j + 8) = r1; *(vf8 *)(c + j + 16) = r2; *(vf8 *)(c + j + 24) = r3;
    }
    for (; j < N8; j += 8) {
      vf8 r = acc ? *(const vf8 *)(c + j) : vf8_splat(0.0f);
      for (int k = 0; k < K; k++) r += vf8_splat(a[k * sak]) * *(const vf8 *)(B + k * ld + j);
      *(vf8 *)(c + j) = r;
    }
  }
  /* columns past the last multiple of 8, every row */
  for (int r = 0; r < M; r++)
    for (int j = N8; j < N; j++) {
      float c = acc ? C[r * ld + j] : 0.0f;
      for (int k = 0; k < K; k++) c += A[r * sai + k * sak] * B[k * ld + j];
      C[r * ld + j] = c;
    }
}

/*
 * K in panels of 64: the weight-gradient products (K = time steps x batch, ~1,000) would
 * otherwise stream all of B through the cache once per 4 rows of C; a panel of B stays in L2.
 * Columns j0..j1 of C only (N: the full width, the stride of B and C).
 */
static void sp_gemm_cols(int M, int j0, int j1, int N, int K, const float *A, int sai, int sak, const float *B, float *C, int acc) {
  const int KB = 64;
  if (K <= 2 * KB) {
    sp_gemm_panel(M, j1 - j0, N, K, A, sai, sak, B + j0, C + j0, acc);
    return;
  }
  for (int k0 = 0; k0 < K; k0 += KB) {
    const int kn = K - k0 < KB ? K - k0 : KB;
    sp_gemm_panel(M, j1 - j0, N, kn, A + k0 * sak, sai, sak, B + k0 * N + j0, C + j0, acc || k0 > 0);
  }
}

static void sp_gemm(int M, int N, int K, const float *A, int sai, int sak, const float *B, float *C, int acc) {
  sp_gemm_cols(M, 0, N, N, K, A, sai, sak, B, C, acc);
}
