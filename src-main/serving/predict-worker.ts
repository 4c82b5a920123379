/**
 * The helper thread of OffThreadPredictor: LSTM predictions for batches of token ids, with a
 * kernel per model version (loaded once from its directory, the two newest kept).
 */
import { parentPort } from 'node:worker_threads';
import { FusedLstm, readLstmArtifacts } from '../training';
import type { PredictRequest, PredictReply } from './off-thread';

const MAX_BATCH = 256;
const kernels = new Map<string, { k: FusedLstm; T: number }>();

function kernelFor(dir: string): { k: FusedLstm; T: number } {
  let entry = kernels.get(dir);
  if (!entry) {
    const a = readLstmArtifacts(dir);
    const k = new FusedLstm({ ...a.shape, maxBatch: MAX_BATCH });
    k.setWeights(a.weights);
    entry = { k, T: a.shape.seqLen };
    kernels.set(dir, entry);
    if (kernels.size > 2) kernels.delete(kernels.keys().next().value as string);
  }
  return entry;
}

parentPort!.on('message', (req: PredictRequest) => {
  try {
    const { k, T } = kernelFor(req.dir);
    if (req.tokens.length !== req.rows * T) throw new Error(`expected ${req.rows} rows of ${T} token ids, got ${req.tokens.length} ids`);
    const probs = new Float32Array(req.rows * 2);
    for (let i = 0; i < req.rows; i += MAX_BATCH) {
      const n = Math.min(MAX_BATCH, req.rows - i);
      probs.set(k.predict(req.tokens.subarray(i * T, (i + n) * T), n).subarray(0, n * 2), i * 2);
    }
    parentPort!.postMessage({ id: req.id, probs } satisfies PredictReply, [probs.buffer]);
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: (e as Error).message } satisfies PredictReply);
  }
});
