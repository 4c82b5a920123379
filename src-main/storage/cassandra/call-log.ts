/** The call log (the seed's `spam_calls_log`, default TTL one hour). */
import cassandra from 'cassandra-driver';
import type { CallLog, CallLogEntry } from '../types';
import { type Cql, ms, str } from './cql';

const { TimeUuid } = cassandra.types;

export class CassandraCallLog implements CallLog {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async append(e: CallLogEntry, ttlSeconds: number): Promise<void> {
    // SQLite expires at called_at + ttl; Cassandra's TTL counts from the write, so pass what remains.
    // A TTL of 0 would mean "forever", so an entry already expired is simply not written.
    const remaining = Math.ceil((e.called_at + ttlSeconds * 1000 - Date.now()) / 1000);
    if (remaining <= 0) return;
    await this.cql.run(`INSERT INTO ${this.table} (caller_id, called_at, call_id, endpoint, version, input_json) VALUES (?, ?, ?, ?, ?, ?) USING TTL ?`, [
      e.caller_id,
      new Date(e.called_at),
      TimeUuid.now(),
      e.endpoint,
      e.version,
      e.input_json,
      Math.min(remaining, 630_720_000),
    ]);
  }
  async appendMany(entries: CallLogEntry[], ttlSeconds: number): Promise<void> {
    for (const e of entries) await this.append(e, ttlSeconds);
  }
  async *recent(callerId: string, sinceMs: number): AsyncIterable<CallLogEntry> {
    // Clustering order is (called_at DESC, call_id DESC): newest first, ties in reverse write order.
    const q = `SELECT caller_id, called_at, endpoint, version, input_json FROM ${this.table} WHERE caller_id = ? AND called_at > ?`;
    for await (const r of this.cql.paged(q, [callerId, new Date(sinceMs)], 100)) {
      yield {
        caller_id: str(r, 'caller_id'),
        called_at: ms(r, 'called_at'),
        endpoint: str(r, 'endpoint'),
        version: str(r, 'version'),
        input_json: str(r, 'input_json'),
      };
    }
  }
}
