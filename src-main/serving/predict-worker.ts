/**
 * The helper thread of OffThreadPredictor: predictions for batches of encoded rows, with a
 * predictor per model version opened by its family from its directory (the two newest kept).
 */
import { parentPort } from 'node:worker_threads';
import { familyOf, type BatchPredictor } from '../models';
import type { PredictRequest, PredictReply } from './off-thread';

const predictors = new Map<string, BatchPredictor>();

function predictorFor(kind: string, dir: string): BatchPredictor {
  let p = predictors.get(dir);
  if (!p) {
    const family = familyOf(kind);
    if (!family.openPredictor) throw new Error(`model family ${kind} predicts in the serving thread only`);
    p = family.openPredictor(dir);
    predictors.set(dir, p);
    if (predictors.size > 2) predictors.delete(predictors.keys().next().value as string);
  }
  return p;
}

parentPort!.on('message', (req: PredictRequest & { id: number }) => {
  try {
    const p = predictorFor(req.kind, req.dir);
    if (req.tokens.length !== req.rows * p.width) throw new Error(`expected ${req.rows} rows of ${p.width} token ids, got ${req.tokens.length} ids`);
    const probs = p.predict(req.tokens, req.rows);
    parentPort!.postMessage({ id: req.id, value: probs } satisfies PredictReply, [probs.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: (e as Error).message } satisfies PredictReply);
  }
});
