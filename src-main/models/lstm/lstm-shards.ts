/**
 * Data-parallel training steps for the fused LSTM kernel: a batch is cut into contiguous shards,
 * the first computed by the caller's kernel, each other by a helper thread with a kernel of its
 * own; the gradients are averaged (weighted by shard size) into the caller's kernel, which then
 * takes the Adam step as before. Parameters, rows and gradients travel through
 * SharedArrayBuffers, steps are signalled with Atomics: per step it costs a few copies of the
 * parameter block (~0.3 MB for v3), against tens of milliseconds of arithmetic.
 *
 * For a given number of threads the result is deterministic; across thread counts it differs in
 * the last bits (the sum of the shards' gradients is taken in another order).
 */
import type { Worker } from 'node:worker_threads';
import { tsxWorker } from '../../platform';
import { availableParallelism } from 'node:os';
import type { FusedLstm, KernelBuild, LstmShape } from './fused-lstm';

/** far above a step's time (tens of ms), short enough that a lost helper fails the run */
const STEP_TIMEOUT_MS = 60_000;

/** control words of a helper */
export const CTRL = { seq: 0, done: 1, rows: 2, hmask: 3, stop: 4, failed: 5 } as const;

export interface ShardBuffers {
  ctrl: SharedArrayBuffer; // Int32Array(8)
  params: SharedArrayBuffer; // Float32Array(nparams), shared by all helpers
  grads: SharedArrayBuffer; // Float32Array(nparams)
  tokens: SharedArrayBuffer; // Int32Array(maxBatch * seqLen)
  labels: SharedArrayBuffer; // Int32Array(maxBatch)
  xmask: SharedArrayBuffer; // Float32Array(maxBatch * embed)
  hmask: SharedArrayBuffer; // Float32Array(maxBatch * units)
  out: SharedArrayBuffer; // Float32Array(1 + maxBatch * classes): loss, then probabilities
}

export interface ShardWorkerData {
  shape: LstmShape;
  /** the caller's kernel build: every shard runs the same one */
  build: KernelBuild;
  buffers: ShardBuffers;
}

/**
 * Threads for LSTM training: the configured number when set (SPAMOPS_TRAIN_THREADS; 1 = no
 * helpers), else one per core but one, at most 4, so that a laptop keeps a core for serving.
 */
export function trainThreads(configured?: number): number {
  return configured ?? Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** rows of a batch of n cut into k contiguous shards, the larger ones first */
export function shardSizes(n: number, k: number): number[] {
  const base = Math.floor(n / k);
  return Array.from({ length: k }, (_, i) => base + (i < n % k ? 1 : 0));
}

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  grads: Float32Array;
  tokens: Int32Array;
  labels: Int32Array;
  xmask: Float32Array;
  hmask: Float32Array;
  out: Float32Array;
}

export class LstmShardPool {
  private readonly helpers: Helper[] = [];
  private readonly params: Float32Array;
  private seq = 0;

  private constructor(
    private readonly shape: LstmShape,
    nparams: number,
    helpers: number,
    build: KernelBuild,
  ) {
    this.params = new Float32Array(new SharedArrayBuffer(nparams * 4));
    const { maxBatch: B, seqLen: T, embed: D, units: H, classes: C } = shape;
    for (let i = 0; i < helpers; i++) {
      const sab = (n: number) => new SharedArrayBuffer(n * 4);
      const buffers: ShardBuffers = {
        ctrl: sab(8),
        params: this.params.buffer as SharedArrayBuffer,
        grads: sab(nparams),
        tokens: sab(B * T),
        labels: sab(B),
        xmask: sab(B * D),
        hmask: sab(B * H),
        out: sab(1 + B * C),
      };
      const worker = spawnShardWorker({ shape, build, buffers });
      // reported when this thread's event loop turns again (after the run): for the log
      worker.on('error', (e) => process.stderr.write(`LSTM training thread: ${e.stack ?? e.message}\n`));
      worker.unref();
      this.helpers.push({
        worker,
        ctrl: new Int32Array(buffers.ctrl),
        grads: new Float32Array(buffers.grads),
        tokens: new Int32Array(buffers.tokens),
        labels: new Int32Array(buffers.labels),
        xmask: new Float32Array(buffers.xmask),
        hmask: new Float32Array(buffers.hmask),
        out: new Float32Array(buffers.out),
      });
    }
  }

  /** a pool of `threads - 1` helpers beside the caller (undefined for one thread) */
  static open(shape: LstmShape, nparams: number, threads: number, build: KernelBuild): LstmShardPool | undefined {
    return threads > 1 ? new LstmShardPool(shape, nparams, threads - 1, build) : undefined;
  }

  get threads(): number {
    return this.helpers.length + 1;
  }

  /**
   * One training step over n rows: forward and backward on every shard at once, the averaged
   * gradients left in `main` (ready for its Adam step). Returns the mean loss and the class
   * probabilities of all n rows, in row order.
   */
  step(
    main: FusedLstm,
    tokens: Int32Array,
    labels: Int32Array,
    n: number,
    xmask: Float32Array,
    hmask: Float32Array | undefined,
  ): { loss: number; probs: Float32Array } {
    const { seqLen: T, embed: D, units: H, classes: C } = this.shape;
    const sizes = shardSizes(n, this.threads);
    this.params.set(main.paramsFlat());
    const seq = ++this.seq;
    let from = sizes[0];
    this.helpers.forEach((h, i) => {
      const m = sizes[i + 1];
      if (m === 0) return; // fewer rows than threads (a ragged last batch): this helper sits out
      h.tokens.set(tokens.subarray(from * T, (from + m) * T));
      h.labels.set(labels.subarray(from, from + m));
      h.xmask.set(xmask.subarray(from * D, (from + m) * D));
      if (hmask) h.hmask.set(hmask.subarray(from * H, (from + m) * H));
      Atomics.store(h.ctrl, CTRL.rows, m);
      Atomics.store(h.ctrl, CTRL.hmask, hmask ? 1 : 0);
      Atomics.store(h.ctrl, CTRL.seq, seq);
      Atomics.notify(h.ctrl, CTRL.seq);
      from += m;
    });
    // the caller's shard, meanwhile
    const n0 = sizes[0];
    let loss = main.gradientStep(tokens, labels, n0, xmask, hmask) * n0;
    const probs = new Float32Array(n * C);
    probs.set(main.lastProbs(n0));
    const g = main.gradsFlat();
    const w0 = n0 / n;
    for (let j = 0; j < g.length; j++) g[j] *= w0;
    from = n0;
    this.helpers.forEach((h, i) => {
      const m = sizes[i + 1];
      if (m === 0) return;
      // this thread does not turn its event loop while training: a helper's failure arrives
      // through the shared control words (set by the helper, or by its boot on a load error),
      // and a helper that stops answering (killed) is given up on after STEP_TIMEOUT_MS
      const since = performance.now();
      for (;;) {
        const done = Atomics.load(h.ctrl, CTRL.done);
        if (done === seq) break;
        if (Atomics.load(h.ctrl, CTRL.failed) !== 0)
          throw new Error('an LSTM training thread failed (its error is in the log); rerun with SPAMOPS_TRAIN_THREADS=1 to train on one thread');
        if (performance.now() - since > STEP_TIMEOUT_MS)
          throw new Error(
            `an LSTM training thread did not answer within ${STEP_TIMEOUT_MS / 1000} s; rerun with SPAMOPS_TRAIN_THREADS=1 to train on one thread`,
          );
        Atomics.wait(h.ctrl, CTRL.done, done, 500);
      }
      const w = m / n;
      const hg = h.grads;
      for (let j = 0; j < g.length; j++) g[j] += w * hg[j];
      loss += h.out[0] * m;
      probs.set(h.out.subarray(1, 1 + m * C), from * C);
      from += m;
    });
    return { loss: loss / n, probs };
  }

  close(): void {
    for (const h of this.helpers) {
      Atomics.store(h.ctrl, CTRL.stop, 1);
      Atomics.store(h.ctrl, CTRL.seq, -1);
      Atomics.notify(h.ctrl, CTRL.seq);
      void h.worker.terminate();
    }
    this.helpers.length = 0;
  }
}

/**
 * The helper thread, under tsx like every engine thread (the sources are TypeScript). A failure
 * to load it is flagged in its control words, since the waiting thread cannot hear events.
 */
function spawnShardWorker(data: ShardWorkerData): Worker {
  const flagFailed = `(e) => import('node:worker_threads').then(({ workerData }) => {
    const c = new Int32Array(workerData.buffers.ctrl);
    Atomics.store(c, ${CTRL.failed}, 1);
    Atomics.notify(c, ${CTRL.done});
    throw e;
  })`;
  return tsxWorker(new URL('./lstm-shard-worker.ts', import.meta.url), { workerData: data }, flagFailed);
}
