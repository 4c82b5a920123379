/**
 * The call log (the seed's `spam_calls_log`). Serving logs its calls in batches (every 20 ms under
 * load), and here each caller's part of a batch is one row: its entries as one JSON array, with
 * the batch's first and last call time and its expiry (SQLite has no TTL; a row goes once its last
 * entry has expired, and an entry past its own time to live is hidden on read). A row per call,
 * with its primary key's and its expiry's B-trees, cost 3.1 µs of CPU a call; a row per batch 1.0
 * with its JSON (200 calls a batch, on a file of 400,000 calls). The Cassandra table keeps the
 * seed's row per call.
 */
import type Database from 'better-sqlite3';
import type { CallLog, CallLogEntry } from '../types';
import type { WriteBehind } from './write-behind';

type DB = Database.Database;

/** one caller's part of a batch, as inserted: [caller_id, first_at, last_at, ttl_ms, expires_at, entries] */
export type CallBatchRow = [string, number, number, number, number, string];

/** an entry as kept in a batch's JSON: [called_at, endpoint, version, input_json] */
type KeptEntry = [number, string, string, string];

export const INSERT_CALL_BATCH = 'INSERT INTO spam_calls_log_batches (caller_id, first_at, last_at, ttl_ms, expires_at, entries) VALUES (?, ?, ?, ?, ?, ?)';
/** expired batches, `limit` at a time (the engines' connection waits for this one's write lock) */
export const DELETE_EXPIRED_CALL_BATCHES =
  'DELETE FROM spam_calls_log_batches WHERE rowid IN (SELECT rowid FROM spam_calls_log_batches WHERE expires_at <= ? LIMIT ?)';

/** `entries` as rows of one batch: one per caller, its entries in the order given */
export function callBatchRows(entries: CallLogEntry[], ttlSeconds: number): CallBatchRow[] {
  const ttl = ttlSeconds * 1000;
  const byCaller = new Map<string, CallLogEntry[]>();
  for (const e of entries) {
    const mine = byCaller.get(e.caller_id);
    if (mine) mine.push(e);
    else byCaller.set(e.caller_id, [e]);
  }
  const rows: CallBatchRow[] = [];
  for (const [caller, mine] of byCaller) {
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    const kept: KeptEntry[] = [];
    for (const e of mine) {
      if (e.called_at < first) first = e.called_at;
      if (e.called_at > last) last = e.called_at;
      kept.push([e.called_at, e.endpoint, e.version, e.input_json]);
    }
    rows.push([caller, first, last, ttl, last + ttl, JSON.stringify(kept)]);
  }
  return rows;
}

/** a batch read back: its rowid orders batches of the same time */
interface StoredBatch {
  rowid: number;
  caller_id: string;
  last_at: number;
  ttl_ms: number;
  entries: string;
}

/** an entry read back, with where it came from (the order of entries of the same millisecond: the later appended first) */
interface ReadEntry {
  entry: CallLogEntry;
  batch: number;
  at: number;
}

const newestFirst = (a: ReadEntry, b: ReadEntry) => b.entry.called_at - a.entry.called_at || b.batch - a.batch || b.at - a.at;

export class SqliteCallLog implements CallLog {
  private lastPurge = 0;
  private readonly insert;
  /** `behind`: the thread that appends for this file (write-behind.ts); absent or stopped, this connection does */
  constructor(
    private readonly db: DB,
    private readonly behind?: WriteBehind,
  ) {
    this.insert = db.prepare(INSERT_CALL_BATCH);
  }

  append(e: CallLogEntry, ttlSeconds: number): Promise<void> {
    return this.appendMany([e], ttlSeconds);
  }

  async appendMany(entries: CallLogEntry[], ttlSeconds: number): Promise<void> {
    if (entries.length === 0) return;
    const rows = callBatchRows(entries, ttlSeconds);
    if (this.behind?.usable) return this.behind.write('calls', rows);
    // one transaction: a call that meets another connection's lock is tried again whole (busy.ts)
    this.db.transaction(() => {
      for (const r of rows) this.insert.run(r);
      // expired batches (hidden on read) are purged at most once a minute
      const now = Date.now();
      if (now - this.lastPurge > 60_000) {
        this.db.prepare(DELETE_EXPIRED_CALL_BATCHES).run(now, -1);
        this.lastPurge = now;
      }
    })();
  }

  /**
   * The caller's entries, newest first: batches are read newest last call first, and an entry is
   * given once no batch still to read can hold a newer one (batches of two processes, or of the
   * same millisecond, may overlap), so only the batches of the entries given are read.
   */
  async *recent(callerId: string, sinceMs: number): AsyncIterable<CallLogEntry> {
    const now = Date.now();
    const q = this.db.prepare(
      'SELECT rowid, caller_id, last_at, ttl_ms, entries FROM spam_calls_log_batches WHERE caller_id = ? AND last_at > ? AND expires_at > ? ORDER BY last_at DESC, rowid DESC',
    );
    let pending: ReadEntry[] = [];
    for (const b of q.iterate(callerId, sinceMs, now) as Iterable<StoredBatch>) {
      // what is newer than this batch's last call is newer than anything left to read
      let given = 0;
      while (given < pending.length && pending[given].entry.called_at > b.last_at) yield pending[given++].entry;
      if (given > 0) pending = pending.slice(given);
      const kept = JSON.parse(b.entries) as KeptEntry[];
      for (let i = 0; i < kept.length; i++) {
        const [at, endpoint, version, input_json] = kept[i];
        if (at <= sinceMs || at + b.ttl_ms <= now) continue;
        pending.push({ entry: { caller_id: b.caller_id, called_at: at, endpoint, version, input_json }, batch: b.rowid, at: i });
      }
      pending.sort(newestFirst);
    }
    for (const p of pending) yield p.entry;
  }
}

/**
 * A data dir written before calls were kept in batches has `spam_calls_log`, a row per call: on
 * open, its calls not yet expired move into batches (one per caller, minute and time to live, in
 * call order) and the table goes, in one transaction. Returns how many calls moved.
 */
export function migrateCallRows(db: DB): number {
  const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spam_calls_log'").pluck().get();
  if (!old) return 0;
  const now = Date.now();
  return db.transaction(() => {
    const calls = db.prepare('SELECT count(*) FROM spam_calls_log WHERE expires_at > ?').pluck().get(now) as number;
    db.prepare(
      `INSERT INTO spam_calls_log_batches (caller_id, first_at, last_at, ttl_ms, expires_at, entries)
       SELECT caller_id, min(called_at), max(called_at), ttl, max(expires_at), json_group_array(json_array(called_at, endpoint, version, input_json))
       FROM (SELECT caller_id, called_at, endpoint, version, input_json, expires_at, expires_at - called_at AS ttl
             FROM spam_calls_log WHERE expires_at > ? ORDER BY caller_id, called_at, seq)
       GROUP BY caller_id, called_at / 60000, ttl`,
    ).run(now);
    db.exec('DROP TABLE spam_calls_log');
    return calls;
  })();
}
