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
 *
 * With a helper thread (`offThread`, serving's own OffThreadPredictor), a batch of two or more rows
 * of a model worth one (the LSTM) runs there when it would hold this thread for `offThreadFromMs`
 * or more (the model's time per row, measured on the batches run here), so the serving thread goes
 * on reading, parsing and answering while the kernel multiplies; up to three batches per model are
 * in flight at a time, and the requests that arrive while three are out are gathered into the next,
 * sent when one returns. Shorter batches, and a lone request, run here, at once: the thread's
 * round trip and the two threads' competing for the cores cost more than they save. (v3 on the
 * dataset's texts takes 14-20 µs a row, about 0.15 ms a batch of 8: with every batch on the helper
 * thread, 16 connections got 10-22 % fewer answers and a p99 1.3-3.3 times as long, wrk, alternated.)
 */
import type { Prediction, ServedModel } from './models';

export interface MicroBatchSettings {
  /** how long concurrent requests may be gathered, at most, after the first of them (0: one event-loop turn) */
  maxWaitMs: number;
  /** a batch is run as soon as it holds this many rows (1: no batching) */
  maxBatch: number;
  /** a batch expected to take this long or longer here runs on the helper thread, if there is one (0: every batch of two or more) */
  offThreadFromMs: number;
}

/**
 * batches of one model on the helper thread at once: with three, the thread computes one while the
 * serving thread reads the next (measured with wrk, 16 connections: one in flight left both threads
 * half idle, the requests arriving in lockstep with the answers)
 */
const MAX_IN_FLIGHT = 3;
/**
 * After this many batches in a row on the helper thread, one runs here and its time per row
 * replaces the estimate. Measured only here, one slow batch (the thread preempted on a busy
 * machine, a long GC) would otherwise send every batch to the thread for as long as the load
 * lasts, whatever the model's real cost.
 */
const REMEASURE_EVERY = 32;

export const DEFAULT_MICRO_BATCH: MicroBatchSettings = { maxWaitMs: 1, maxBatch: 8, offThreadFromMs: 1 };

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
  /** batches of this model on the helper thread: at MAX_IN_FLIGHT, the waiting ones go when one returns */
  inFlight: number;
  /** the model's time per row in the batches run here (ms, a moving average; 0 before the first) */
  rowMs: number;
  /** batches sent to the helper thread since the last one run here (see REMEASURE_EVERY) */
  offSinceHere: number;
}

/** predictions of a batch on a helper thread (OffThreadPredictor.predict) */
export type OffThreadRun = (model: ServedModel, rows: number[][]) => Promise<Prediction[]>;

export class MicroBatcher {
  private readonly settings: MicroBatchSettings;
  /** per model object: a version replaced while requests wait keeps its own queue, then is forgotten */
  private readonly queues = new WeakMap<ServedModel, Queue>();
  /** predict calls made for batchable models, and the rows they answered (rows / calls: the mean batch) */
  readonly counts = { calls: 0, rows: 0, largest: 0 };

  constructor(
    settings: Partial<MicroBatchSettings> = {},
    private readonly offThread?: OffThreadRun,
  ) {
    this.settings = { ...DEFAULT_MICRO_BATCH, ...settings };
  }

  /** the counts so far and the settings, as /serving/stats shows them */
  snapshot(): { calls: number; rows: number; largest: number; max_wait_ms: number; max_batch: number } {
    return { ...this.counts, max_wait_ms: this.settings.maxWaitMs, max_batch: this.settings.maxBatch };
  }

  /** true when a row of this model is predicted at once, not gathered into a batch */
  predictsAtOnce(model: ServedModel): boolean {
    return !model.batchable || this.settings.maxBatch <= 1;
  }

  /** the prediction for one row, answered within a batch when the model gains from it */
  predict(model: ServedModel, row: number[]): Promise<Prediction> {
    if (this.predictsAtOnce(model)) return new Promise((resolve) => resolve(model.predict([row])[0]));
    let q = this.queues.get(model);
    if (!q) {
      q = { waiting: [], since: 0, seen: 0, scheduled: false, inFlight: 0, rowMs: 0, offSinceHere: 0 };
      this.queues.set(model, q);
    }
    const queue = q;
    return new Promise<Prediction>((resolve, reject) => {
      queue.waiting.push({ row, resolve, reject });
      if (queue.waiting.length === 1) {
        queue.since = performance.now();
        queue.seen = 1;
      }
      if (queue.inFlight >= MAX_IN_FLIGHT) return;
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
    if (n === 0 || q.inFlight >= MAX_IN_FLIGHT) return;
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
    const heavy = batch.length * q.rowMs >= this.settings.offThreadFromMs;
    if (this.offThread && model.offThread && batch.length > 1 && heavy && q.offSinceHere < REMEASURE_EVERY) {
      q.offSinceHere++;
      q.inFlight++;
      this.offThread(
        model,
        batch.map((w) => w.row),
      ).then(
        (predictions) => {
          for (const [i, w] of batch.entries()) w.resolve(predictions[i]);
          this.landed(model, q);
        },
        () => {
          this.oneByOne(model, batch);
          this.landed(model, q);
        },
      );
      return;
    }
    let predictions: Prediction[];
    const t0 = performance.now();
    try {
      predictions = model.predict(batch.map((w) => w.row));
    } catch {
      this.oneByOne(model, batch);
      return;
    }
    const rowMs = (performance.now() - t0) / batch.length;
    // a batch run here to measure again (the thread had them all) replaces the estimate
    q.rowMs = q.rowMs === 0 || q.offSinceHere >= REMEASURE_EVERY ? rowMs : 0.8 * q.rowMs + 0.2 * rowMs;
    q.offSinceHere = 0;
    for (const [i, w] of batch.entries()) w.resolve(predictions[i]);
  }

  /** one row the model refuses must not fail the others: each is answered (or refused) alone, here */
  private oneByOne(model: ServedModel, batch: Waiting[]): void {
    for (const w of batch) {
      try {
        w.resolve(model.predict([w.row])[0]);
      } catch (e) {
        w.reject(e);
      }
    }
  }

  /** a batch came back from the helper thread: what gathered meanwhile goes at once, as one batch */
  private landed(model: ServedModel, q: Queue): void {
    q.inFlight--;
    if (q.waiting.length > 0) this.flush(model, q);
  }
}
