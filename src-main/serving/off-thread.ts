/**
 * Predictions that answer no request (the inbox's verdicts, recorded for monitoring) on a helper
 * thread: an LSTM verdict costs about half a millisecond of kernel time per message, which during
 * a burst of ingestion would take the serving thread from storing and pushing. The helper loads
 * each version's weights itself (through its family); models not worth a thread (the forest: no
 * `offThread`), and any failure of the helper, predict in this thread.
 */
import type { Worker } from 'node:worker_threads';
import { tsxWorker } from '../platform';
import type { Prediction, ServedModel } from './models';

export interface PredictRequest {
  id: number;
  /** the version's family (ModelVersion.kind): it opens the predictor */
  kind: string;
  dir: string;
  rows: number;
  tokens: Int32Array;
}
export type PredictReply = { id: number; probs: Float32Array } | { id: number; error: string };

export class OffThreadPredictor {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (p: Float32Array) => void; reject: (e: Error) => void }>();

  async predict(model: ServedModel, rows: number[][]): Promise<Prediction[]> {
    if (!model.offThread || this.broken || rows.length === 0) return model.predict(rows);
    const T = model.featureLength;
    const tokens = new Int32Array(rows.length * T);
    for (const [i, r] of rows.entries()) tokens.set(r, i * T);
    const id = this.nextId++;
    const probs = await new Promise<Float32Array>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.thread().postMessage({ id, kind: model.info.kind, dir: model.info.dir, rows: rows.length, tokens } satisfies PredictRequest, [tokens.buffer]);
    }).catch(() => undefined);
    // the helper failed on this batch: this thread predicts it
    if (!probs) return model.predict(rows);
    return rows.map((_, i) => ({ ham: probs[i * 2], spam: probs[i * 2 + 1] }));
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = tsxWorker(new URL('./predict-worker.ts', import.meta.url));
    w.unref(); // it never keeps the process alive
    w.on('message', (r: PredictReply) => {
      const p = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if ('probs' in r) p?.resolve(r.probs);
      else p?.reject(new Error(r.error));
    });
    const fail = (e: Error) => {
      this.broken = true;
      this.worker = undefined;
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (this.worker === w) fail(new Error(`the prediction helper exited (${code})`));
    });
    this.worker = w;
    return w;
  }
}
