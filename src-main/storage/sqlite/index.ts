/**
 * The embedded backend: one SQLite file (WAL) through better-sqlite3. Synchronous calls
 * wrapped in the async interfaces: each is a few microseconds, so the event loop barely
 * notices, and the interfaces stay the same as for Cassandra. One file per store beside this.
 * A call that meets another connection's write lock waits asynchronously (busy.ts).
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Storage } from '../types';
import { damagedRemedy, isDatabaseDamaged } from '../../platform';
import { SCHEMA } from './schema';
import { SqliteOnlineStore } from './online-store';
import { SqliteUserData } from './user-data';
import { SqliteLabelled } from './labelled';
import { SqliteCache } from './prediction-cache';
import { migrateCallRows, SqliteCallLog } from './call-log';
import { SqliteRegistry } from './registry-store';
import { SqliteDocuments } from './documents';
import { SqlitePredictions } from './predictions';
import { BusyWaits } from './busy';
import { SqliteRuns } from './runs';
import { SqliteModelVersions } from './model-versions';
import { SqliteFeedback } from './feedback';
import { SqliteImports } from './imports';
import { SqliteAlerts, SqliteDecisions, SqliteDriftReports } from './monitoring';
import { migrateLegacyDocuments } from './migrate';
import { startCheckpointer } from './checkpointer';
import { WriteBehind } from './write-behind';

/** The embedded backend's settings: where its file is. */
export interface SqliteSettings {
  /** the database file, or ':memory:' */
  path: string;
}

export function openSqliteStorage(settings: SqliteSettings | string): Storage {
  const path = typeof settings === 'string' ? settings : settings.path;
  if (path !== ':memory:') {
    // the database holds users' messages: readable by its owner only (SQLite gives its -wal and
    // -shm files the database's mode)
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  }
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (e) {
    throw new Error(`cannot open the SQLite database ${path}: ${(e as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // opening may wait for a lock (once, before anything is served); calls after it never block (busy.ts)
    db.pragma('busy_timeout = 5000');
    // 32 MB of page cache (the default 2 MB thrashes once a table's index outgrows it: bulk loads of a million rows)
    db.pragma('cache_size = -32768');
    db.exec(SCHEMA);
    // runs, versions, aliases and feedback an older version kept as documents move to their tables (once)
    migrateLegacyDocuments(db);
    // calls logged a row each by an older version move into batches (once)
    migrateCallRows(db);
  } catch (e) {
    db.close();
    // "file is not a database", "database disk image is malformed" named neither the file nor what to do
    if (isDatabaseDamaged(e)) throw new Error(`the SQLite database ${path} is damaged (${(e as Error).message}): ${damagedRemedy(path)}`);
    throw e;
  }
  db.pragma('busy_timeout = 0');
  // WAL checkpoints on a thread of their own, not inside a request's commit (checkpointer.ts)
  const checkpointer = path === ':memory:' ? undefined : startCheckpointer(db, path);
  // served predictions, the call log and the prediction cache written on a thread of their own (write-behind.ts)
  const behind = path === ':memory:' ? undefined : WriteBehind.start(path);
  const waits = new BusyWaits(db, path);
  const online = new SqliteOnlineStore(db);
  return {
    backend: 'sqlite',
    location: path,
    online: waits.wrap(online),
    users: waits.wrap(new SqliteUserData(db)),
    labelled: waits.wrap(new SqliteLabelled(db)),
    cache: waits.wrap(new SqliteCache(db, behind)),
    callLog: waits.wrap(new SqliteCallLog(db, behind)),
    registry: waits.wrap(new SqliteRegistry(db)),
    runs: waits.wrap(new SqliteRuns(db)),
    models: waits.wrap(new SqliteModelVersions(db)),
    feedback: waits.wrap(new SqliteFeedback(db)),
    imports: waits.wrap(new SqliteImports(db)),
    reports: waits.wrap(new SqliteDriftReports(db)),
    alerts: waits.wrap(new SqliteAlerts(db)),
    decisions: waits.wrap(new SqliteDecisions(db)),
    documents: waits.wrap(new SqliteDocuments(db)),
    predictions: waits.wrap(new SqlitePredictions(db, behind)),
    busy: () => waits.state(),
    problems: () => [],
    close: async () => {
      await behind?.close();
      await checkpointer?.close();
      // the mapped wal-index header first: once no connection holds the file, its -shm may be truncated
      online.unwatch();
      if (db.open) db.close();
    },
  };
}
