/**
 * The prediction cache (the seed's `model_serving_api_cache`). Every computed answer is written
 * here (serving's memory layer answers hot inputs first): on the serving thread that insert was
 * 16 % of an uncached route's time, and it met the write-behind thread's lock (an error thrown and
 * retried). Where the write-behind thread runs, writes are gathered for 20 ms and go to it as one
 * transaction; a version's invalidation follows them in its queue, so no earlier write lands after
 * it. Reads stay on this connection (a write not yet committed is a miss: the answer is computed).
 */
import type Database from 'better-sqlite3';
import type { PredictionCache } from '../types';
import type { WriteBehind } from './write-behind';

type DB = Database.Database;

const GATHER_MS = 20;

export class SqliteCache implements PredictionCache {
  private readonly getQ;
  private readonly setQ;
  private pending: unknown[][] = [];
  private flushing: Promise<void> | undefined;
  /** versions whose invalidation the thread has not committed yet: their stored answers are stale */
  private readonly invalidating = new Map<string, number>();
  constructor(
    private readonly db: DB,
    private readonly behind?: WriteBehind,
  ) {
    this.getQ = db.prepare('SELECT output FROM model_serving_api_cache WHERE version = ? AND endpoint = ? AND input_key = ?').pluck();
    this.setQ = db.prepare('INSERT OR REPLACE INTO model_serving_api_cache (endpoint, version, input_key, output) VALUES (?, ?, ?, ?)');
  }
  async get(endpoint: string, version: string, inputKey: string): Promise<string | undefined> {
    // a promoted version answers at once: the old one's rows may not be deleted yet
    if (this.invalidating.has(version)) return undefined;
    return this.getQ.get(version, endpoint, inputKey) as string | undefined;
  }
  async set(endpoint: string, version: string, inputKey: string, output: string): Promise<void> {
    if (!this.behind?.usable) {
      this.setQ.run(endpoint, version, inputKey, output);
      return;
    }
    this.pending.push([endpoint, version, inputKey, output]);
    this.flushing ??= new Promise((r) => setTimeout(r, GATHER_MS)).then(() => this.flush());
    return this.flushing;
  }
  /** the gathered writes, handed to the thread now (resolves once committed) */
  private flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    this.flushing = undefined;
    return rows.length && this.behind?.usable ? this.behind.write('cache', rows) : Promise.resolve(this.writeHere(rows));
  }
  private writeHere(rows: unknown[][]): void {
    if (!rows.length) return;
    this.db.transaction(() => {
      for (const r of rows) this.setQ.run(...r);
    })();
  }
  async invalidateVersion(version: string): Promise<void> {
    if (this.behind?.usable) {
      this.invalidating.set(version, (this.invalidating.get(version) ?? 0) + 1);
      try {
        // in the thread's queue after every write gathered so far
        const before = this.pending.length ? this.flush() : undefined;
        await Promise.all([before, this.behind.invalidateCache(version)]);
      } finally {
        const n = (this.invalidating.get(version) ?? 1) - 1;
        if (n > 0) this.invalidating.set(version, n);
        else this.invalidating.delete(version);
      }
      return;
    }
    this.db.prepare('DELETE FROM model_serving_api_cache WHERE version = ?').run(version);
  }
}
