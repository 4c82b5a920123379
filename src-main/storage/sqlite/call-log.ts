/** The call log (the seed's `spam_calls_log`): SQLite has no TTL, so rows carry their expiry. */
import type Database from 'better-sqlite3';
import type { CallLog, CallLogEntry } from '../types';
import type { WriteBehind } from './write-behind';

type DB = Database.Database;

export class SqliteCallLog implements CallLog {
  private seq = 0;
  private lastPurge = 0;
  private readonly insert;
  /** `behind`: the thread that appends for this file (write-behind.ts); absent or stopped, this connection does */
  constructor(
    private readonly db: DB,
    private readonly behind?: WriteBehind,
  ) {
    this.insert = db.prepare('INSERT INTO spam_calls_log (caller_id, called_at, seq, endpoint, version, input_json, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }
  async append(e: CallLogEntry, ttlSeconds: number): Promise<void> {
    // one transaction: a call that meets another connection's lock is tried again whole (busy.ts)
    this.db.transaction(() => {
      this.insert.run(e.caller_id, e.called_at, ++this.seq, e.endpoint, e.version, e.input_json, e.called_at + ttlSeconds * 1000);
      // SQLite has no TTL: expired rows are hidden on read and purged at most once a minute.
      const now = Date.now();
      if (now - this.lastPurge > 60_000) {
        this.db.prepare('DELETE FROM spam_calls_log WHERE expires_at <= ?').run(now);
        this.lastPurge = now;
      }
    })();
  }
  async appendMany(entries: CallLogEntry[], ttlSeconds: number): Promise<void> {
    if (this.behind?.usable)
      return this.behind.write(
        'calls',
        entries.map((e) => [e.caller_id, e.called_at, ++this.seq, e.endpoint, e.version, e.input_json, e.called_at + ttlSeconds * 1000]),
      );
    this.db.transaction(() => {
      for (const e of entries) this.insert.run(e.caller_id, e.called_at, ++this.seq, e.endpoint, e.version, e.input_json, e.called_at + ttlSeconds * 1000);
    })();
  }
  async *recent(callerId: string, sinceMs: number): AsyncIterable<CallLogEntry> {
    const q = this.db.prepare(
      'SELECT caller_id, called_at, endpoint, version, input_json FROM spam_calls_log WHERE caller_id = ? AND called_at > ? AND expires_at > ? ORDER BY called_at DESC, seq DESC',
    );
    for (const row of q.iterate(callerId, sinceMs, Date.now())) yield row as CallLogEntry;
  }
}
