/** The online store: one row per (view, entity), the newer event (then creation) wins. */
import type Database from 'better-sqlite3';
import { preparedOnce } from './statements';
import type { OnlineRow, OnlineStore } from '../types';
import { openWalWatch, type WalWatch } from './wal-watch';
import { frozenRow as frozen, MAX_KEPT_ROWS } from '../kept-row';

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
  /**
   * A read's lookups, as point lookups inside one read transaction: rows[view][key]. Outside a
   * transaction each statement opens and closes its own read of the WAL (two file-lock calls and
   * a stat: most of a lookup's time), and one SELECT with `view IN (…) AND entity_key IN (…)`
   * costs several times the point lookups it replaces; inside one, a point lookup costs about
   * what its row does.
   */
  private readonly readMany: (views: string[], keys: string[]) => { version: number; rows: (OnlineRow | undefined)[][] };
  /**
   * Rows read before, while the database has not changed since: per view, key to the row, or
   * null where there is none. Six point lookups in a read transaction cost a lookup of three
   * entities 14-31 µs. Whether anything changed is read from the file's wal-index header where
   * the native watch is built (wal-watch.ts: every commit of every connection, this one's and
   * another process's included, rewrites it; well under a microsecond); else SQLite is asked
   * (`PRAGMA data_version` changes when another connection commits, `total_changes()` when this
   * one writes: 5-6 µs, a tenth of a hot lookup's time on the serving thread). Any change empties
   * the set, so a read never returns a row older than the file's, and the rows of one read are
   * still of one moment.
   */
  private readonly hot = new Map<string, Map<string, OnlineRow | null>>();
  private hotCount = 0;
  /** keys read once, per view: a row is kept when its key is read a second time */
  private readonly seen = new Map<string, Set<string>>();
  private seenCount = 0;
  private hotVersion = -1;
  private hotChanges = -1;
  private readonly dataVersion;
  private readonly totalChanges;
  /** the file's wal-index header, mapped once the connection has read it (undefined: not tried yet; null: none, `changeCheck` says why) */
  private watch: WalWatch | null | undefined;
  private noWatch: string | undefined;
  /** `watch: false`: SQLite is asked whether the file changed even where the native watch is built (tests compare the two) */
  constructor(
    private readonly db: DB,
    o: { watch?: boolean } = {},
  ) {
    if (o.watch === false) {
      this.watch = null;
      this.noWatch = 'turned off';
    }
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
    const selectOne = db.prepare('SELECT values_json, event_ts, created_ts FROM online_features WHERE view = ? AND entity_key = ?').raw(true);
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.totalChanges = db.prepare('SELECT total_changes()').pluck();
    const dataVersion = this.dataVersion;
    this.readMany = db.transaction((views: string[], keys: string[]) => ({
      // inside the read transaction: the version of what this transaction reads
      version: dataVersion.get() as number,
      rows: views.map((v) => keys.map((k) => toRow(k, selectOne.get(v, k) as StoredRow | undefined))),
    }));
  }

  /** rows[view][key], from the rows read before while nothing changed, else from the file in one read transaction */
  private lookup(views: string[], keys: string[]): (OnlineRow | undefined)[][] {
    // inside a caller's transaction, its own uncommitted writes are read from the file
    if (this.db.inTransaction) return this.readMany(views, keys).rows;
    if (this.watch) return this.lookupWatched(views, keys, this.watch);
    const changes = this.totalChanges.get() as number;
    if (changes !== this.hotChanges) {
      this.forget();
      this.hotChanges = changes;
    }
    // all kept: still the file's rows if no other connection committed since they were read
    // (asked only then: a read that goes to the file learns the version inside its transaction)
    const allKept = this.fromHot(views, keys);
    if (allKept && this.dataVersion.get() === this.hotVersion) return allKept;
    const read = this.readMany(views, keys);
    // another connection committed since the kept rows were read: they may be older
    if (read.version !== this.hotVersion) {
      this.forget();
      this.hotVersion = read.version;
    }
    this.keep(views, keys, read.rows);
    // the connection has read the file: its -shm exists, and the header can be watched from now on
    if (this.watch === undefined) this.startWatch();
    return read.rows;
  }

  /** as `lookup`, with the wal-index header saying whether anything changed */
  private lookupWatched(views: string[], keys: string[], watch: WalWatch): (OnlineRow | undefined)[][] {
    if (!this.db.open) {
      // closed without `unwatch`: the mapping goes first (the file may be truncated once no connection holds it)
      this.unwatch();
      return this.readMany(views, keys).rows;
    }
    const generation = watch.generation();
    // a commit since the kept rows were read, by any connection: they may be older
    if (generation !== this.hotVersion) {
      this.forget();
      this.hotVersion = generation;
    }
    const allKept = this.fromHot(views, keys);
    if (allKept) return allKept;
    // a commit between the generation read above and this read makes the rows newer than it, and
    // the next lookup's generation differs: they are forgotten then
    const read = this.readMany(views, keys);
    this.keep(views, keys, read.rows);
    return read.rows;
  }

  /**
   * the watched header's generation: it changes once any connection committed to the file (rows,
   * registry, anything); undefined before the header is watched or inside this connection's
   * transaction (whose own writes are not committed yet)
   */
  changeMark(): number | undefined {
    const w = this.watch;
    if (!w || !this.db.open || this.db.inTransaction) return undefined;
    return w.generation();
  }

  private startWatch(): void {
    const mode = this.db.name === ':memory:' ? 'memory' : String(this.db.pragma('journal_mode', { simple: true }));
    // the file as SQLite resolved it at open (absolute, links resolved): it names the -shm after it
    const file = (this.db.pragma('database_list') as { name: string; file: string }[]).find((d) => d.name === 'main')?.file ?? '';
    const w = mode !== 'wal' ? { error: `the journal mode is ${mode}, not WAL` } : file ? openWalWatch(file) : { error: 'the database has no file' };
    if ('ok' in w) {
      this.watch = w.ok;
      // the rows kept so far were judged by data_version: judged by the header from now on
      this.forget();
      this.hotVersion = Number.NaN;
    } else {
      this.watch = null;
      this.noWatch = w.error;
    }
  }

  /** the header's mapping released (before the connection closes); SQLite is asked from then on */
  unwatch(): void {
    this.watch?.close();
    if (this.watch) this.noWatch = 'closed';
    this.watch = null;
    this.forget();
    this.hotVersion = -1;
    this.hotChanges = -1;
  }

  /** how this store learns that the file changed: the mapped header, or SQLite and why (for tests) */
  get changeCheck(): { by: 'wal-index header' | 'data_version'; why?: string } {
    return this.watch ? { by: 'wal-index header' } : { by: 'data_version', why: this.watch === undefined ? 'no read yet' : this.noWatch };
  }

  /** rows just read from the file kept for the next reads: a key read a second time is kept */
  private keep(views: string[], keys: string[], read: (OnlineRow | undefined)[][]): void {
    for (let i = 0; i < views.length; i++) {
      let kept = this.hot.get(views[i]);
      if (!kept) {
        kept = new Map();
        this.hot.set(views[i], kept);
      }
      let seen = this.seen.get(views[i]);
      if (!seen) {
        seen = new Set();
        this.seen.set(views[i], seen);
      }
      const rows = read[i];
      for (let j = 0; j < keys.length; j++) {
        const key = keys[j];
        const row = rows[j];
        if (kept.has(key)) kept.set(key, row ? frozen(row) : null);
        else if (seen.has(key)) {
          // read a second time: kept from now on
          if (this.hotCount >= MAX_KEPT_ROWS) {
            this.forget();
            kept = new Map();
            this.hot.set(views[i], kept);
          }
          kept.set(key, row ? frozen(row) : null);
          this.hotCount++;
        } else {
          // read once: only noted (keeping every row read once costs a lookup of keys never asked again a quarter more)
          if (this.seenCount >= MAX_KEPT_ROWS) {
            this.forgetSeen();
            seen = new Set();
            this.seen.set(views[i], seen);
          }
          seen.add(key);
          this.seenCount++;
        }
      }
    }
  }

  private forget(): void {
    this.hot.clear();
    this.hotCount = 0;
  }

  private forgetSeen(): void {
    this.seen.clear();
    this.seenCount = 0;
  }

  /** every row asked for, if all were read before; else undefined */
  private fromHot(views: string[], keys: string[]): (OnlineRow | undefined)[][] | undefined {
    if (this.hotCount === 0) return undefined;
    const out: (OnlineRow | undefined)[][] = [];
    for (const v of views) {
      const kept = this.hot.get(v);
      if (!kept) return undefined;
      const rows: (OnlineRow | undefined)[] = [];
      for (const k of keys) {
        const row = kept.get(k);
        if (row === undefined) return undefined;
        rows.push(row ?? undefined);
      }
      out.push(rows);
    }
    return out;
  }

  /** how many rows are kept from earlier reads (for tests) */
  get hotRows(): number {
    return this.hotCount;
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
    return this.lookup([view], keys)[0];
  }
  /** every view's rows of `keys`, in the order of `keys`, as of one moment */
  async readViews(views: string[], keys: string[]): Promise<Map<string, (OnlineRow | undefined)[]>> {
    const rows = this.lookup(views, keys);
    return new Map(views.map((v, i) => [v, rows[i]]));
  }
  readViewsNow(views: string[], keys: string[]): (OnlineRow | undefined)[][] {
    return this.lookup(views, keys);
  }
  async count(view: string): Promise<number> {
    return (this.stmt('SELECT COUNT(*) AS n FROM online_features WHERE view = ?').get(view) as { n: number }).n;
  }
}
