/**
 * A helper thread of LstmShardPool: waits for a step, loads the current parameters, runs forward
 * and backward on its shard of the batch, and leaves gradients, loss and probabilities in the
 * shared buffers. Blocks on Atomics between steps (a worker thread may).
 */
import { workerData } from 'node:worker_threads';
import { FusedLstm } from './fused-lstm';
import { CTRL, type ShardWorkerData } from './lstm-shards';

const { shape, build, buffers } = workerData as ShardWorkerData;
const ctrl = new Int32Array(buffers.ctrl);
const params = new Float32Array(buffers.params);
const grads = new Float32Array(buffers.grads);
const tokens = new Int32Array(buffers.tokens);
const labels = new Int32Array(buffers.labels);
const xmask = new Float32Array(buffers.xmask);
const hmask = new Float32Array(buffers.hmask);
const out = new Float32Array(buffers.out);

try {
  const k = new FusedLstm(shape, build);
  let last = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.seq, last);
    const seq = Atomics.load(ctrl, CTRL.seq);
    if (Atomics.load(ctrl, CTRL.stop) === 1) break;
    if (seq === last) continue;
    last = seq;
    const n = Atomics.load(ctrl, CTRL.rows);
    k.paramsFlat().set(params);
    out[0] = k.gradientStep(tokens, labels, n, xmask, Atomics.load(ctrl, CTRL.hmask) === 1 ? hmask : undefined);
    out.set(k.lastProbs(n), 1);
    grads.set(k.gradsFlat());
    Atomics.store(ctrl, CTRL.done, seq);
    Atomics.notify(ctrl, CTRL.done);
  }
} catch (e) {
  Atomics.store(ctrl, CTRL.failed, 1);
  Atomics.notify(ctrl, CTRL.done);
  throw e;
}
