/**
 * Batch predictions on a helper thread: the inbox's verdicts (recorded for monitoring), and with an
 * instance of its own serving's micro-batches. An LSTM verdict costs a fraction of a millisecond of
 * kernel time per message, which during a burst of ingestion, or under load, would take the
 * serving thread from storing, pushing and answering. The helper loads
 * each version's weights itself (through its family); models not worth a thread (the forest: no
 * `offThread`), and any failure of the helper, predict in this thread.
 */
import { ThreadCalls, tsxWorker } from '../platform';
import type { Prediction, ServedModel } from './models';

export interface PredictRequest {
  /** the version's family (ModelVersion.kind): it opens the predictor */
  kind: string;
  dir: string;
  rows: number;
  tokens: Int32Array;
}
export type PredictReply = { id: number; value: Float32Array } | { id: number; error: string };

export class OffThreadPredictor {
  private readonly calls = new ThreadCalls<PredictRequest, Float32Array>(
    () => tsxWorker(new URL('./predict-worker.ts', import.meta.url)),
    'the prediction helper',
  );

  async predict(model: ServedModel, rows: number[][]): Promise<Prediction[]> {
    if (!model.offThread || !this.calls.usable || rows.length === 0) return model.predict(rows);
    const T = model.featureLength;
    const tokens = new Int32Array(rows.length * T);
    for (const [i, r] of rows.entries()) tokens.set(r, i * T);
    const probs = await this.calls.call({ kind: model.info.kind, dir: model.info.dir, rows: rows.length, tokens }, [tokens.buffer]).catch(() => undefined);
    // the helper failed on this batch: this thread predicts it
    if (!probs) return model.predict(rows);
    return rows.map((_, i) => ({ ham: probs[i * 2], spam: probs[i * 2 + 1] }));
  }

  close(): void {
    this.calls.close();
  }
}
