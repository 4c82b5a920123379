/** The online store: one row per (view, entity), the newer event (then creation) wins. */
import type Database from 'better-sqlite3';
import { preparedOnce } from './statements';
import type { OnlineRow, OnlineStore } from '../types';

type DB = Database.Database;

/** rows per INSERT statement of a batch (one statement per row costs a third more on a bulk load) */
const ROWS_PER_STATEMENT = 50;
/** a stored row as the point lookup returns it: values_json, event_ts, created_ts (an array: no object per row) */
type StoredRow = [string, number, number];

const toRow = (key: string, r: StoredRow | undefined): OnlineRow | undefined =>
  r && { entityKey: key, values: JSON.parse(r[0]), eventTs: r[1], createdTs: r[2] };

export class SqliteOnlineStore implements OnlineStore {
  /** statements prepared once (statements.ts) */
  private readonly stmt: ReturnType<typeof preparedOnce>;

  private readonly upsert;
  private readonly upsertMany;
  private readonly selectOne;
  /**
   * A read's lookups, as point lookups inside one read transaction: rows[view][key]. Outside a
   * transaction each statement opens and closes its own read of the WAL (two file-lock calls and
   * a stat: most of a lookup's time), and one SELECT with `view IN (…) AND entity_key IN (…)`
   * costs several times the point lookups it replaces; inside one, a point lookup costs about
   * what its row does.
   */
  private readonly readMany: (views: string[], keys: string[]) => (OnlineRow | undefined)[][];
  constructor(private readonly db: DB) {
    this.stmt = preparedOnce(db);
    // Keep the newer row: an older event (or same event, older creation) never overwrites.
    const upsert = (rows: number) =>
      db.prepare(`INSERT INTO online_features (view, entity_key, values_json, event_ts, created_ts)
      VALUES ${Array(rows).fill('(?, ?, ?, ?, ?)').join(', ')}
      ON CONFLICT (view, entity_key) DO UPDATE SET values_json = excluded.values_json,
        event_ts = excluded.event_ts, created_ts = excluded.created_ts
      WHERE excluded.event_ts > online_features.event_ts
         OR (excluded.event_ts = online_features.event_ts AND excluded.created_ts >= online_features.created_ts)`);
    this.upsert = upsert(1);
    this.upsertMany = upsert(ROWS_PER_STATEMENT);
    this.selectOne = db.prepare('SELECT values_json, event_ts, created_ts FROM online_features WHERE view = ? AND entity_key = ?').raw(true);
    const selectOne = this.selectOne;
    this.readMany = db.transaction((views: string[], keys: string[]) =>
      views.map((v) => keys.map((k) => toRow(k, selectOne.get(v, k) as StoredRow | undefined))),
    );
  }
  async ensureView(view: string): Promise<void> {
    this.stmt('INSERT OR IGNORE INTO online_views (view) VALUES (?)').run(view);
  }
  async dropView(view: string): Promise<void> {
    this.db.transaction(() => {
      this.stmt('DELETE FROM online_features WHERE view = ?').run(view);
      this.stmt('DELETE FROM online_views WHERE view = ?').run(view);
    })();
  }
  async writeBatch(view: string, rows: OnlineRow[]): Promise<void> {
    // SQLite applies the upsert row by row, a key repeated inside one statement included
    this.db.transaction(() => {
      let i = 0;
      const args: unknown[] = [];
      for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
        args.length = 0;
        for (let j = i; j < i + ROWS_PER_STATEMENT; j++) {
          const r = rows[j];
          args.push(view, r.entityKey, JSON.stringify(r.values), r.eventTs, r.createdTs);
        }
        this.upsertMany.run(...args);
      }
      for (; i < rows.length; i++) {
        const r = rows[i];
        this.upsert.run(view, r.entityKey, JSON.stringify(r.values), r.eventTs, r.createdTs);
      }
    })();
  }
  async read(view: string, keys: string[]): Promise<(OnlineRow | undefined)[]> {
    if (keys.length === 1) return [toRow(keys[0], this.selectOne.get(view, keys[0]) as StoredRow | undefined)];
    return this.readMany([view], keys)[0];
  }
  /** every view's rows of `keys`, in the order of `keys`, as of one moment */
  async readViews(views: string[], keys: string[]): Promise<Map<string, (OnlineRow | undefined)[]>> {
    const rows = this.readMany(views, keys);
    return new Map(views.map((v, i) => [v, rows[i]]));
  }
  async count(view: string): Promise<number> {
    return (this.stmt('SELECT COUNT(*) AS n FROM online_features WHERE view = ?').get(view) as { n: number }).n;
  }
}
