/** The labelled messages of the warehouse; an existing sms_id is never overwritten. */
import type Database from 'better-sqlite3';
import type { LabelledInsert, LabelledMessage, LabelledMessageStore } from '../types';

type DB = Database.Database;

export class SqliteLabelled implements LabelledMessageStore {
  constructor(private readonly db: DB) {}
  async insertMany(rows: LabelledMessage[]): Promise<LabelledInsert> {
    const held = this.db.prepare('SELECT text, label FROM labelled_sms WHERE sms_id = ?');
    const insert = this.db.prepare('INSERT INTO labelled_sms (sms_id, text, label, origin, seq) VALUES (?, ?, ?, ?, ?)');
    return this.db.transaction(() => {
      const duplicates: string[] = [];
      const conflicts: string[] = [];
      let seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM labelled_sms').get() as { s: number }).s;
      let inserted = 0;
      for (const r of rows) {
        // an id written earlier in this batch is read back here too (same transaction)
        const there = held.get(r.sms_id) as { text: string; label: string } | undefined;
        if (there) {
          (there.text === r.text && there.label === r.label ? duplicates : conflicts).push(r.sms_id);
          continue;
        }
        insert.run(r.sms_id, r.text, r.label, r.origin, ++seq);
        inserted += 1;
      }
      return { inserted, duplicates, conflicts };
    })();
  }
  async all(): Promise<LabelledMessage[]> {
    return this.db.prepare('SELECT sms_id, text, label, origin FROM labelled_sms ORDER BY seq').all() as LabelledMessage[];
  }
  async *scan(o: { batchSize?: number } = {}): AsyncGenerator<LabelledMessage[]> {
    const q = this.db.prepare('SELECT sms_id, text, label, origin, seq FROM labelled_sms WHERE seq > ? ORDER BY seq LIMIT ?');
    const size = o.batchSize ?? 5000;
    for (let after = 0; ; ) {
      const rows = q.all(after, size) as (LabelledMessage & { seq: number })[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].seq;
      yield rows.map(({ seq: _seq, ...m }) => m);
      if (rows.length < size) return;
    }
  }
  async *scanIds(batchSize = 20_000): AsyncGenerator<string[]> {
    const q = this.db.prepare('SELECT sms_id, seq FROM labelled_sms WHERE seq > ? ORDER BY seq LIMIT ?');
    for (let after = 0; ; ) {
      const rows = q.all(after, batchSize) as { sms_id: string; seq: number }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].seq;
      yield rows.map((r) => r.sms_id);
      if (rows.length < batchSize) return;
    }
  }
  async get(ids: string[]): Promise<(LabelledMessage | undefined)[]> {
    const q = this.db.prepare('SELECT sms_id, text, label, origin FROM labelled_sms WHERE sms_id = ?');
    return ids.map((id) => q.get(id) as LabelledMessage | undefined);
  }
  async countByLabel(): Promise<Record<string, number>> {
    const rows = this.db.prepare('SELECT label, COUNT(*) AS n FROM labelled_sms GROUP BY label').all() as { label: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.label, r.n]));
  }
  async count(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM labelled_sms').get() as { n: number }).n;
  }
}
