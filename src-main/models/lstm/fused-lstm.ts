/**
 * The fused LSTM kernel (kernel/lstm.c) behind a typed face: weights in Keras/tfjs layout, a
 * training step per call, and fast inference. Two builds of the one source: a native addon
 * (kernel/native, AVX2 and FMA, built by `npm install` where it can be) and WebAssembly SIMD
 * (committed, runs everywhere). Both expose the same functions over one block of memory, so
 * everything below drives either alike; the native one is taken when it loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LstmShape {
  vocab: number;
  embed: number;
  units: number;
  classes: number;
  seqLen: number;
  /** largest batch a call may pass */
  maxBatch: number;
}

/** Weights in the layout of Keras and tfjs (gate order i, f, c, o). */
export interface LstmWeights {
  embedding: Float32Array; // [vocab, embed]
  kernel: Float32Array; // [embed, 4 units]
  recurrentKernel: Float32Array; // [units, 4 units]
  bias: Float32Array; // [4 units]
  denseKernel: Float32Array; // [units, classes]
  denseBias: Float32Array; // [classes]
}

interface Exports {
  memory: { readonly buffer: ArrayBuffer };
  sp_alloc(bytes: number): number;
  sp_init(V: number, D: number, H: number, C: number, T: number, B: number): number;
  sp_params(): number;
  sp_grads(): number;
  sp_adam_m(): number;
  sp_adam_v(): number;
  sp_probs(): number;
  sp_nparams(): number;
  sp_forward(tokens: number, B: number, xmask: number, hmask: number): void;
  sp_predict(tokens: number, B: number): void;
  sp_backward(tokens: number, labels: number, B: number, xmask: number, hmask: number): number;
  sp_adam(lr: number, b1: number, b2: number, eps: number, step: number): void;
  /** the native build only: each step's products and gates on two threads (2) or one (1) */
  sp_threads?(n: number): number;
}

let compiled: WebAssembly.Module | undefined;

/** the kernel beside this module (the engines run from the sources under tsx, in every shell) */
function wasmPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'kernel', 'lstm.wasm');
}

/** which build of the kernel runs */
export type KernelBuild = 'native' | 'wasm';

interface NativeAddon {
  instance(bytes: number): Exports;
  cpu(): string;
  /** this core's measured single-precision FMA throughput, GFLOP/s, over about `ms` milliseconds */
  peak(ms: number): number;
}

/** the addon `npm install` builds (scripts/build-native.mjs); absent where it could not */
export function nativeAddonPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'kernel', 'native', 'build', 'Release', 'spamops_lstm.node');
}

/** the functions this code calls: a build made before one of them was added is refused as a whole */
const KERNEL_FUNCTIONS = [
  'sp_alloc',
  'sp_init',
  'sp_params',
  'sp_grads',
  'sp_adam_m',
  'sp_adam_v',
  'sp_probs',
  'sp_nparams',
  'sp_forward',
  'sp_predict',
  'sp_backward',
  'sp_adam',
  'sp_threads',
] as const satisfies readonly (keyof Exports)[];

/** the kernel functions an instance lacks (a native addon left from an older checkout lacks the newer ones) */
function kernelLacks(instance: object): string[] {
  return KERNEL_FUNCTIONS.filter((f) => typeof (instance as Record<string, unknown>)[f] !== 'function');
}

let addon: { ok: NativeAddon } | { error: string } | undefined;

/** the native kernel, or why it is not there (not built, or refused by this CPU or runtime) */
export function nativeKernel(): { ok: NativeAddon } | { error: string } {
  if (addon) return addon;
  const path = nativeAddonPath();
  if (!existsSync(path)) addon = { error: "not built (npm install builds it where a C compiler and Node's headers are present)" };
  else
    try {
      const loaded = createRequire(import.meta.url)(path) as NativeAddon;
      const lacks = kernelLacks(loaded.instance(1024));
      addon = lacks.length
        ? { error: `built from older sources (it lacks ${lacks.join(', ')}); npm install or npm run build-native rebuilds it` }
        : { ok: loaded };
    } catch (e) {
      addon = { error: (e as Error).message.split('\n')[0] };
    }
  return addon;
}

/** the build a kernel takes unless told (training's backend fused-wasm tells): the native one when it loads */
export function defaultKernelBuild(): KernelBuild {
  return 'ok' in nativeKernel() ? 'native' : 'wasm';
}

/** for run records: what the native build was made for (x86-64 AVX2+FMA, arm64 NEON) */
export function nativeKernelTarget(): string | undefined {
  const n = nativeKernel();
  return 'ok' in n ? n.ok.cpu() : undefined;
}

/** true when this runtime can run the kernel (WebAssembly with SIMD128) */
export function fusedKernelAvailable(): boolean {
  try {
    compiled ??= new WebAssembly.Module(readFileSync(wasmPath()));
    return true;
  } catch {
    return false;
  }
}

export class FusedLstm {
  private readonly x: Exports;
  private readonly off: { tokens: number; labels: number; xmask: number; hmask: number };
  readonly nparams: number;

  constructor(
    readonly shape: LstmShape,
    readonly build: KernelBuild = defaultKernelBuild(),
  ) {
    if (build === 'native') {
      const n = nativeKernel();
      if (!('ok' in n)) throw new Error(`the native LSTM kernel is not available: ${n.error}; the WebAssembly one runs everywhere (backend fused-wasm)`);
      this.x = n.ok.instance(kernelBytes(shape));
    } else {
      compiled ??= new WebAssembly.Module(readFileSync(wasmPath()));
      this.x = new WebAssembly.Instance(compiled, {}).exports as unknown as Exports;
    }
    const { vocab, embed, units, classes, seqLen, maxBatch } = shape;
    if (!this.x.sp_init(vocab, embed, units, classes, seqLen, maxBatch)) throw new Error('the LSTM kernel could not allocate its memory');
    this.nparams = this.x.sp_nparams();
    this.off = {
      tokens: this.x.sp_alloc(maxBatch * seqLen * 4),
      labels: this.x.sp_alloc(maxBatch * 4),
      xmask: this.x.sp_alloc(maxBatch * embed * 4),
      hmask: this.x.sp_alloc(maxBatch * units * 4),
    };
    if (!this.off.hmask) throw new Error('the LSTM kernel could not allocate its memory');
  }

  private f32(offset: number, n: number): Float32Array {
    return new Float32Array(this.x.memory.buffer, offset, n);
  }

  /** live views of the parameter block, in Keras layout */
  private views(base: number): LstmWeights {
    const { vocab: V, embed: D, units: H, classes: C } = this.shape;
    const G = 4 * H;
    let o = base;
    const take = (n: number) => {
      const v = this.f32(o, n);
      o += n * 4;
      return v;
    };
    return { embedding: take(V * D), kernel: take(D * G), recurrentKernel: take(H * G), bias: take(G), denseKernel: take(H * C), denseBias: take(C) };
  }

  setWeights(w: LstmWeights): void {
    const v = this.views(this.x.sp_params());
    for (const k of Object.keys(v) as (keyof LstmWeights)[]) {
      if (w[k].length !== v[k].length) throw new Error(`weights.${k}: expected ${v[k].length} values, got ${w[k].length}`);
      v[k].set(w[k]);
    }
    this.f32(this.x.sp_adam_m(), this.nparams).fill(0);
    this.f32(this.x.sp_adam_v(), this.nparams).fill(0);
  }

  /** a copy of the weights */
  getWeights(): LstmWeights {
    const v = this.views(this.x.sp_params());
    return Object.fromEntries(Object.entries(v).map(([k, a]) => [k, Float32Array.from(a)])) as unknown as LstmWeights;
  }

  gradients(): LstmWeights {
    const v = this.views(this.x.sp_grads());
    return Object.fromEntries(Object.entries(v).map(([k, a]) => [k, Float32Array.from(a)])) as unknown as LstmWeights;
  }

  private load(tokens: Int32Array, B: number, xmask?: Float32Array, hmask?: Float32Array): [number, number] {
    const { seqLen, maxBatch, embed, units } = this.shape;
    if (B > maxBatch) throw new Error(`batch of ${B} exceeds the kernel's ${maxBatch}`);
    new Int32Array(this.x.memory.buffer, this.off.tokens, B * seqLen).set(tokens.subarray(0, B * seqLen));
    if (xmask) this.f32(this.off.xmask, B * embed).set(xmask.subarray(0, B * embed));
    if (hmask) this.f32(this.off.hmask, B * units).set(hmask.subarray(0, B * units));
    return [xmask ? this.off.xmask : 0, hmask ? this.off.hmask : 0];
  }

  /** class probabilities [B, classes] of B token sequences [B, seqLen] (no dropout; the leading padding is not run through, see sp_predict) */
  predict(tokens: Int32Array, B: number): Float32Array {
    this.load(tokens, B);
    this.x.sp_predict(this.off.tokens, B);
    return Float32Array.from(this.f32(this.x.sp_probs(), B * this.shape.classes));
  }

  /** forward + backward of one batch; gradients stay in the kernel; returns the mean loss */
  gradientStep(tokens: Int32Array, labels: Int32Array, B: number, xmask?: Float32Array, hmask?: Float32Array): number {
    const [xm, hm] = this.load(tokens, B, xmask, hmask);
    new Int32Array(this.x.memory.buffer, this.off.labels, B).set(labels.subarray(0, B));
    return this.x.sp_backward(this.off.tokens, this.off.labels, B, xm, hm);
  }

  /** live view of all parameters, flat (valid until the next call into the kernel allocates) */
  paramsFlat(): Float32Array {
    return this.f32(this.x.sp_params(), this.nparams);
  }

  /** live view of the gradients of the last training step, flat, in the parameters' order */
  gradsFlat(): Float32Array {
    return this.f32(this.x.sp_grads(), this.nparams);
  }

  /** probabilities of the last forward pass (training step or predict) */
  lastProbs(B: number): Float32Array {
    return Float32Array.from(this.f32(this.x.sp_probs(), B * this.shape.classes));
  }

  adam(lr: number, beta1: number, beta2: number, epsilon: number, step: number): void {
    this.x.sp_adam(lr, beta1, beta2, epsilon, step);
  }

  /**
   * Threads inside each call (the native build: 1 or 2; the results are the same bit for bit).
   * Returns the threads now used: always 1 in WebAssembly, or where a thread cannot start.
   */
  setThreads(n: number): number {
    return this.x.sp_threads ? this.x.sp_threads(Math.max(1, Math.min(2, Math.floor(n)))) : 1;
  }
}

/** the kernel's WebAssembly memory ceiling (build.sh: --max-memory) */
export const KERNEL_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * Bytes the kernel allocates for a shape (as sp_init does in lstm.c): parameters, gradients and
 * Adam's two moments, then the activations of a batch over every time step. Checked before a
 * run starts, so an impossible configuration is refused at once instead of failing mid-run.
 */
export function kernelBytes(s: LstmShape): number {
  const { vocab: V, embed: D, units: H, classes: C, seqLen: T, maxBatch: B } = s;
  const G = 4 * H;
  const nparams = V * D + D * G + H * G + G + H * C + C;
  const floats = 4 * nparams + T * B * D * 2 + T * B * G * 2 + (T + 1) * B * H + T * B * H * 2 + B * H * 4 + G * H + G * D + B * C;
  const ints = B * T + B + 3 * T * B + 2 * V; // tokens, labels; the distinct rows' map, tokens, samples; two scratch arrays over the vocabulary
  return (floats + ints + B * D + B * H) * 4 + 2 * 1024 * 1024; // + the 2 MB the module starts with
}
