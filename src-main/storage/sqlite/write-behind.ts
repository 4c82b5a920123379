/**
 * Appends nobody waits for, off the event loop. Every served prediction is recorded for monitoring
 * and every call logged (the seed's `spam_calls_log`): written on the serving thread, those two
 * inserts cost a cached route 40 % of its throughput and most of its p99 (wrk, 16 connections:
 * 8.3-9.3k req/s, p99 7-14 ms with them; 12.7-16.7k, p99 2.8-3.9 ms without). A worker thread with
 * its own connection to the same file writes them instead; the caller's promise resolves once they
 * are committed, so a read after it sees them. Where the worker cannot start or stops, the store
 * writes on its own connection, as before. The prediction cache's writes go the same way
 * (prediction-cache.ts), and pruning the predictions and purging expired calls.
 */
import { Worker } from 'node:worker_threads';

/** the worker's script (a plain module: the thread needs no TypeScript loader) */
const SCRIPT = new URL('./write-behind-worker.mjs', import.meta.url);

export type WriteBehindTable = 'predictions' | 'calls' | 'cache';

/** an error the worker met, with SQLite's code (busy.ts retries SQLITE_BUSY as for the engines' own calls) */
class WriteBehindError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export class WriteBehind {
  private readonly waiting = new Map<number, { resolve: (result: unknown) => void; reject: (e: Error) => void }>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private next = 0;
  private stopped = false;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (m: { id: number; error?: string; code?: string; result?: unknown }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (m.error !== undefined) w.reject(new WriteBehindError(m.error, m.code));
      else w.resolve(m.result);
    });
    const gone = (e?: Error) => {
      this.stopped = true;
      for (const w of this.waiting.values()) w.reject(e ?? new Error('the write-behind thread stopped'));
      this.waiting.clear();
    };
    worker.on('error', gone);
    worker.on('exit', () => gone());
  }

  /** a worker for the database file, or undefined where none can start (the store then writes itself) */
  static start(path: string): WriteBehind | undefined {
    try {
      return new WriteBehind(new Worker(SCRIPT, { workerData: { path } }));
    } catch {
      return undefined;
    }
  }

  /** false once the worker stopped: the store writes on its own connection */
  get usable(): boolean {
    return !this.stopped;
  }

  /** rows as the table's insert takes its parameters; resolves once committed */
  write(table: WriteBehindTable, rows: unknown[][]): Promise<void> {
    return this.ask(table, rows).then(() => undefined);
  }

  /**
   * Served predictions older than `beforeMs`, then the oldest beyond `maxRows`, deleted on the
   * thread in chunks (on the serving thread, a prune of a table past its limit held every request
   * for seconds); resolves with how many went.
   */
  prunePredictions(beforeMs: number, maxRows: number): Promise<number> {
    return this.ask('prune', { before: beforeMs, maxRows }).then(Number);
  }

  /** a version's cached answers deleted, after every write asked before */
  invalidateCache(version: string): Promise<void> {
    return this.ask('invalidateCache', version).then(() => undefined);
  }

  private ask(job: WriteBehindTable | 'prune' | 'invalidateCache', payload: unknown): Promise<unknown> {
    const id = ++this.next;
    const p = new Promise<unknown>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref(); // the process waits for what it asked to be written
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, table: job, rows: payload });
    });
    this.inFlight.add(p);
    const done = () => void this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    // what was asked is written first (the worker handles its messages in order)
    await Promise.allSettled(this.inFlight);
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.worker.postMessage('close');
    await done;
  }
}
