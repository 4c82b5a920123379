/**
 * The embedded backend: one SQLite file (WAL) through better-sqlite3. Synchronous calls
 * wrapped in the async interfaces: each is a few microseconds, so the event loop barely
 * notices, and the interfaces stay the same as for Cassandra. One file per store beside this.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Storage } from '../types';
import { SCHEMA } from './schema';
import { SqliteOnlineStore } from './online-store';
import { SqliteUserData } from './user-data';
import { SqliteLabelled } from './labelled';
import { SqliteCache } from './prediction-cache';
import { SqliteCallLog } from './call-log';
import { SqliteRegistry } from './registry-store';
import { SqliteDocuments } from './documents';
import { SqlitePredictions } from './predictions';

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
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // 32 MB of page cache (the default 2 MB thrashes once a table's index outgrows it: bulk loads of a million rows)
  db.pragma('cache_size = -32768');
  db.exec(SCHEMA);
  return {
    backend: 'sqlite',
    location: path,
    online: new SqliteOnlineStore(db),
    users: new SqliteUserData(db),
    labelled: new SqliteLabelled(db),
    cache: new SqliteCache(db),
    callLog: new SqliteCallLog(db),
    registry: new SqliteRegistry(db),
    documents: new SqliteDocuments(db),
    predictions: new SqlitePredictions(db),
    problems: () => [],
    close: async () => {
      if (db.open) db.close();
    },
  };
}
