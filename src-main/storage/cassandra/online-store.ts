/** The online store: one table per feature view, as Feast's Cassandra store; the newer row wins by lightweight transactions. */
import type { OnlineRow, OnlineStore } from '../types';
import { onlineTableName } from './schema';
import { CONCURRENCY, CassandraError, type Cql, SCAN_TIMEOUT_MS, forEachLimit, isMissingTable, ms, num, str } from './cql';

/** the SQLite rule: newer event wins; on equal events, the same-or-newer creation wins */
const isNewer = (ev: number, cr: number, oldEv: number, oldCr: number): boolean => ev > oldEv || (ev === oldEv && cr >= oldCr);

export class CassandraOnlineStore implements OnlineStore {
  constructor(
    private readonly cql: Cql,
    private readonly t: (name: string) => string,
  ) {}
  async ensureView(view: string): Promise<void> {
    await this.cql.ddl(`CREATE TABLE IF NOT EXISTS ${this.t(onlineTableName(view))}
      (entity_key text PRIMARY KEY, values_json text, event_ts timestamp, created_ts timestamp)`);
  }
  async dropView(view: string): Promise<void> {
    await this.cql.ddl(`DROP TABLE IF EXISTS ${this.t(onlineTableName(view))}`);
  }
  async writeBatch(view: string, rows: OnlineRow[]): Promise<void> {
    // Collapse repeats of a key first (later wins ties, as in SQLite's sequential upserts).
    const winners = new Map<string, OnlineRow>();
    for (const r of rows) {
      const w = winners.get(r.entityKey);
      const ev = new Date(r.eventTs).getTime(),
        cr = new Date(r.createdTs).getTime();
      if (!w || isNewer(ev, cr, w.eventTs, w.createdTs)) winners.set(r.entityKey, { ...r, eventTs: ev, createdTs: cr });
    }
    const table = this.t(onlineTableName(view));
    const write = () => forEachLimit([...winners.values()], CONCURRENCY, (r) => this.upsertNewer(table, r));
    try {
      await write();
    } catch (e) {
      // SQLite accepts writes to a view never ensured; match it by creating the table once.
      if (!isMissingTable(e)) throw e;
      await this.ensureView(view);
      await write();
    }
  }
  /** compare-and-set loop: insert if absent, else overwrite only while what we saw is still there */
  private async upsertNewer(table: string, r: OnlineRow): Promise<void> {
    const values = [JSON.stringify(r.values), new Date(r.eventTs), new Date(r.createdTs)];
    const insert = () =>
      this.cql.run(`INSERT INTO ${table} (values_json, event_ts, created_ts, entity_key) VALUES (?, ?, ?, ?) IF NOT EXISTS`, [...values, r.entityKey]);
    let rs = await insert();
    for (let attempt = 0; attempt < 50; attempt++) {
      if (rs.wasApplied()) return;
      // A refused LWT returns the current values; none means the row vanished meanwhile.
      const cur = rs.first();
      if (!cur || cur.get('event_ts') == null) {
        rs = await insert();
        continue;
      }
      const oldEv = ms(cur, 'event_ts'),
        oldCr = ms(cur, 'created_ts');
      if (!isNewer(r.eventTs, r.createdTs, oldEv, oldCr)) return; // stored row is newer: ignore ours
      rs = await this.cql.run(`UPDATE ${table} SET values_json = ?, event_ts = ?, created_ts = ? WHERE entity_key = ? IF event_ts = ? AND created_ts = ?`, [
        ...values,
        r.entityKey,
        new Date(oldEv),
        new Date(oldCr),
      ]);
    }
    throw new CassandraError(`online store: too much contention writing ${r.entityKey} in ${table}; retry the push`, undefined);
  }
  async read(view: string, keys: string[]): Promise<(OnlineRow | undefined)[]> {
    try {
      const q = `SELECT entity_key, values_json, event_ts, created_ts FROM ${this.t(onlineTableName(view))} WHERE entity_key = ?`;
      const results = await this.cql.many(
        q,
        keys.map((k) => [k]),
      );
      return results.map((rs) => {
        const r = rs.first();
        return r
          ? { entityKey: str(r, 'entity_key'), values: JSON.parse(str(r, 'values_json')), eventTs: ms(r, 'event_ts'), createdTs: ms(r, 'created_ts') }
          : undefined;
      });
    } catch (e) {
      if (isMissingTable(e)) return keys.map(() => undefined);
      throw e;
    }
  }
  async count(view: string): Promise<number> {
    try {
      const rs = await this.cql.run(`SELECT COUNT(*) AS n FROM ${this.t(onlineTableName(view))}`, [], { readTimeout: SCAN_TIMEOUT_MS });
      return num(rs.first(), 'n');
    } catch (e) {
      if (isMissingTable(e)) return 0;
      throw e;
    }
  }
}
