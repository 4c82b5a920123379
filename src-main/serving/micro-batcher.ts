/**
 * Micro-batched inference for the request path: concurrent uncached requests for the same served
 * version are answered by one `predict(rows)` call, so a model whose kernel multiplies a whole batch
 * at once (the LSTM: one GEMM over every row and time step, results independent of the batch) pays
 * one pass for many messages instead of one each.
 *
 * No timer is ever set. A request that finds its version's queue empty schedules a flush on
 * setImmediate, i.e. right after the I/O of the current event-loop turn: requests read in the same
 * turn join it, and a lone request is answered in that same turn (its latency does not grow; one
 * arriving from an immediate callback itself waits one turn: immediates queued then run next turn). When
 * a turn brought more than one request, gathering goes on turn by turn for as long as each turn
 * brings more, at most `maxWaitMs` after the first; a queue reaching `maxBatch` is flushed at once.
 * Models that say they gain nothing from batches (`batchable` false: the forest) predict at once.
 */
import type { Prediction, ServedModel } from './models';

export interface MicroBatchSettings {
  /** how long concurrent requests may be gathered, at most, after the first of them (0: one event-loop turn) */
  maxWaitMs: number;
  /** a batch is run as soon as it holds this many rows (1: no batching) */
  maxBatch: number;
}

export const DEFAULT_MICRO_BATCH: MicroBatchSettings = { maxWaitMs: 1, maxBatch: 32 };

interface Waiting {
  row: number[];
  resolve: (p: Prediction) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  waiting: Waiting[];
  /** when the first waiting request arrived (performance.now()) */
  since: number;
  /** how many were waiting at the last look: gathering goes on while this grows */
  seen: number;
  scheduled: boolean;
}

export class MicroBatcher {
  private readonly settings: MicroBatchSettings;
  /** per model object: a version replaced while requests wait keeps its own queue, then is forgotten */
  private readonly queues = new WeakMap<ServedModel, Queue>();
  /** predict calls made for batchable models, and the rows they answered (rows / calls: the mean batch) */
  readonly counts = { calls: 0, rows: 0, largest: 0 };

  constructor(settings: Partial<MicroBatchSettings> = {}) {
    this.settings = { ...DEFAULT_MICRO_BATCH, ...settings };
  }

  /** the counts so far and the settings, as /serving/stats shows them */
  snapshot(): { calls: number; rows: number; largest: number; max_wait_ms: number; max_batch: number } {
    return { ...this.counts, max_wait_ms: this.settings.maxWaitMs, max_batch: this.settings.maxBatch };
  }

  /** the prediction for one row, answered within a batch when the model gains from it */
  predict(model: ServedModel, row: number[]): Promise<Prediction> {
    if (!model.batchable || this.settings.maxBatch <= 1) return new Promise((resolve) => resolve(model.predict([row])[0]));
    let q = this.queues.get(model);
    if (!q) {
      q = { waiting: [], since: 0, seen: 0, scheduled: false };
      this.queues.set(model, q);
    }
    const queue = q;
    return new Promise<Prediction>((resolve, reject) => {
      queue.waiting.push({ row, resolve, reject });
      if (queue.waiting.length === 1) {
        queue.since = performance.now();
        queue.seen = 1;
      }
      if (queue.waiting.length >= this.settings.maxBatch) this.flush(model, queue);
      else if (!queue.scheduled) {
        queue.scheduled = true;
        setImmediate(() => this.look(model, queue));
      }
    });
  }

  /** after an event-loop turn: run the batch, unless the turn brought more requests and there is time to wait for others */
  private look(model: ServedModel, q: Queue): void {
    q.scheduled = false;
    const n = q.waiting.length;
    if (n === 0) return;
    const growing = n > q.seen;
    q.seen = n;
    if (n > 1 && growing && performance.now() - q.since < this.settings.maxWaitMs) {
      q.scheduled = true;
      setImmediate(() => this.look(model, q));
      return;
    }
    this.flush(model, q);
  }

  private flush(model: ServedModel, q: Queue): void {
    const batch = q.waiting;
    q.waiting = [];
    q.seen = 0;
    this.counts.calls++;
    this.counts.rows += batch.length;
    this.counts.largest = Math.max(this.counts.largest, batch.length);
    let predictions: Prediction[];
    try {
      predictions = model.predict(batch.map((w) => w.row));
    } catch {
      // one row the model refuses must not fail the others: each is answered (or refused) alone
      for (const w of batch) {
        try {
          w.resolve(model.predict([w.row])[0]);
        } catch (e) {
          w.reject(e);
        }
      }
      return;
    }
    for (const [i, w] of batch.entries()) w.resolve(predictions[i]);
  }
}
