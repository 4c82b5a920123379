/** The labelled messages of the warehouse; IF NOT EXISTS keeps an existing sms_id. */
import cassandra from 'cassandra-driver';
import type { LabelledInsert, LabelledMessage, LabelledMessageStore } from '../types';
import { type Cql, SCAN_TIMEOUT_MS, num, str } from './cql';

const { Long } = cassandra.types;

export class CassandraLabelled implements LabelledMessageStore {
  private nextSeq = 0;
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async insertMany(rows: LabelledMessage[]): Promise<LabelledInsert> {
    // seq orders all(): microseconds since the epoch, kept increasing in this process; a
    // MAX(seq) query would scan the whole table on every import.
    const base = Math.max(Date.now() * 1000, this.nextSeq);
    const seen = new Set<string>();
    const fresh: { row: LabelledMessage; index: number }[] = [];
    rows.forEach((row, index) => {
      if (!seen.has(row.sms_id)) fresh.push({ row, index });
      seen.add(row.sms_id);
    });
    this.nextSeq = base + fresh.length;
    // IF NOT EXISTS: an existing sms_id is reported, never overwritten.
    const results = await this.cql.many(
      `INSERT INTO ${this.table} (sms_id, "text", label, origin, seq) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS`,
      fresh.map(({ row }, i) => [row.sms_id, row.text, row.label, row.origin, Long.fromNumber(base + i)]),
    );
    const written = new Set<number>();
    // a row not applied: the answer holds the row the id has (IF NOT EXISTS returns it)
    const holds = new Map<string, { text: string; label: string }>();
    for (const [i, rs] of results.entries()) {
      if (rs.wasApplied()) written.add(fresh[i].index);
      else {
        const r = rs.first();
        if (r) holds.set(fresh[i].row.sms_id, { text: str(r, 'text'), label: str(r, 'label') });
      }
    }
    for (const i of written) holds.set(rows[i].sms_id, { text: rows[i].text, label: rows[i].label });
    const duplicates: string[] = [];
    const conflicts: string[] = [];
    for (const [i, r] of rows.entries()) {
      if (written.has(i)) continue;
      const there = holds.get(r.sms_id);
      (there && there.text === r.text && there.label === r.label ? duplicates : conflicts).push(r.sms_id);
    }
    return { inserted: written.size, duplicates, conflicts };
  }
  async all(): Promise<LabelledMessage[]> {
    const rows: (LabelledMessage & { seq: number })[] = [];
    for await (const r of this.cql.paged(`SELECT sms_id, "text", label, origin, seq FROM ${this.table}`, [])) {
      rows.push({ sms_id: str(r, 'sms_id'), text: str(r, 'text'), label: str(r, 'label'), origin: str(r, 'origin'), seq: num(r, 'seq') });
    }
    // Partitions come back in token order; insertion order is seq's.
    return rows.sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...m }) => m);
  }
  async *scan(o: { batchSize?: number; ordered?: boolean } = {}): AsyncGenerator<LabelledMessage[]> {
    const size = o.batchSize ?? 5000;
    if (o.ordered) {
      const all = await this.all();
      for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
      return;
    }
    let batch: LabelledMessage[] = [];
    for await (const r of this.cql.paged(`SELECT sms_id, "text", label, origin FROM ${this.table}`, [])) {
      batch.push({ sms_id: str(r, 'sms_id'), text: str(r, 'text'), label: str(r, 'label'), origin: str(r, 'origin') });
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  async *scanIds(batchSize = 20_000): AsyncGenerator<string[]> {
    let batch: string[] = [];
    for await (const r of this.cql.paged(`SELECT sms_id FROM ${this.table}`, [])) {
      batch.push(str(r, 'sms_id'));
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  async get(ids: string[]): Promise<(LabelledMessage | undefined)[]> {
    const results = await this.cql.many(
      `SELECT sms_id, "text", label, origin FROM ${this.table} WHERE sms_id = ?`,
      ids.map((id) => [id]),
    );
    return results.map((rs) => {
      const r = rs.first();
      return r ? { sms_id: str(r, 'sms_id'), text: str(r, 'text'), label: str(r, 'label'), origin: str(r, 'origin') } : undefined;
    });
  }
  async countByLabel(): Promise<Record<string, number>> {
    // no GROUP BY over partitions in CQL: one paged scan of the labels
    const out: Record<string, number> = {};
    for await (const r of this.cql.paged(`SELECT label FROM ${this.table}`, [])) out[str(r, 'label')] = (out[str(r, 'label')] ?? 0) + 1;
    return out;
  }
  async count(): Promise<number> {
    return num((await this.cql.run(`SELECT COUNT(*) AS n FROM ${this.table}`, [], { readTimeout: SCAN_TIMEOUT_MS })).first(), 'n');
  }
}
