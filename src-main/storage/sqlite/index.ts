/**
 * The embedded backend: one SQLite file (WAL) through better-sqlite3. Synchronous calls
 * wrapped in the async interfaces: each is a few microseconds, so the event loop barely
 * notices, and the interfaces stay the same as for Cassandra.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  CallLog,
  CallLogEntry,
  DocumentStore,
  PredictionRecord,
  PredictionStore,
  LabelledMessage,
  LabelledMessageStore,
  OnlineRow,
  OnlineStore,
  PredictionCache,
  RegistryStore,
  SmsMessage,
  Storage,
  UserDataStore,
} from '../types';
import { DuplicateKeyError } from '../types';
import { timeOfTimeUuid } from '../../platform/timeuuid';

type DB = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS online_features (
  view TEXT NOT NULL, entity_key TEXT NOT NULL, values_json TEXT NOT NULL,
  event_ts INTEGER NOT NULL, created_ts INTEGER NOT NULL,
  PRIMARY KEY (view, entity_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS online_views (view TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS smss_by_users (
  user_id TEXT NOT NULL, sms_id TEXT NOT NULL, sent_at INTEGER NOT NULL,
  sender_id TEXT NOT NULL, sms_text TEXT NOT NULL,
  PRIMARY KEY (user_id, sms_id));
CREATE INDEX IF NOT EXISTS smss_by_users_time ON smss_by_users (user_id, sent_at DESC, sms_id DESC);
CREATE TABLE IF NOT EXISTS labelled_sms (
  sms_id TEXT PRIMARY KEY, text TEXT NOT NULL, label TEXT NOT NULL, origin TEXT NOT NULL,
  seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS model_serving_api_cache (
  endpoint TEXT NOT NULL, version TEXT NOT NULL, input_key TEXT NOT NULL, output TEXT NOT NULL,
  PRIMARY KEY (version, endpoint, input_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spam_calls_log (
  caller_id TEXT NOT NULL, called_at INTEGER NOT NULL, seq INTEGER NOT NULL, endpoint TEXT NOT NULL,
  version TEXT NOT NULL, input_json TEXT NOT NULL, expires_at INTEGER NOT NULL,
  PRIMARY KEY (caller_id, called_at, seq));
CREATE INDEX IF NOT EXISTS spam_calls_log_expiry ON spam_calls_log (expires_at);
CREATE TABLE IF NOT EXISTS registry_snapshots (
  version INTEGER PRIMARY KEY, json TEXT NOT NULL, applied_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS served_predictions (
  id TEXT PRIMARY KEY, at INTEGER NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, endpoint TEXT NOT NULL,
  features TEXT NOT NULL, spam REAL NOT NULL, label TEXT NOT NULL, caller TEXT NOT NULL, sms_id TEXT, oov REAL);
CREATE INDEX IF NOT EXISTS served_predictions_model_at ON served_predictions (model, at DESC);
CREATE INDEX IF NOT EXISTS served_predictions_at ON served_predictions (at);
CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, id)) WITHOUT ROWID;
`;

export function openSqliteStorage(path: string): Storage {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: DB;
  try {
    db = new Database(path);
  } catch (e) {
    throw new Error(`cannot open the SQLite database ${path}: ${(e as Error).message}`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
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
    close: async () => {
      if (db.open) db.close();
    },
  };
}

class SqliteOnlineStore implements OnlineStore {
  private readonly upsert;
  private readonly selectOne;
  constructor(private readonly db: DB) {
    // Keep the newer row: an older event (or same event, older creation) never overwrites.
    this.upsert = db.prepare(`INSERT INTO online_features (view, entity_key, values_json, event_ts, created_ts)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (view, entity_key) DO UPDATE SET values_json = excluded.values_json,
        event_ts = excluded.event_ts, created_ts = excluded.created_ts
      WHERE excluded.event_ts > online_features.event_ts
         OR (excluded.event_ts = online_features.event_ts AND excluded.created_ts >= online_features.created_ts)`);
    this.selectOne = db.prepare('SELECT entity_key, values_json, event_ts, created_ts FROM online_features WHERE view = ? AND entity_key = ?');
  }
  async ensureView(view: string): Promise<void> {
    this.db.prepare('INSERT OR IGNORE INTO online_views (view) VALUES (?)').run(view);
  }
  async dropView(view: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM online_features WHERE view = ?').run(view);
      this.db.prepare('DELETE FROM online_views WHERE view = ?').run(view);
    })();
  }
  async writeBatch(view: string, rows: OnlineRow[]): Promise<void> {
    this.db.transaction(() => {
      for (const r of rows) this.upsert.run(view, r.entityKey, JSON.stringify(r.values), r.eventTs, r.createdTs);
    })();
  }
  async read(view: string, keys: string[]): Promise<(OnlineRow | undefined)[]> {
    return keys.map((k) => {
      const r = this.selectOne.get(view, k) as { entity_key: string; values_json: string; event_ts: number; created_ts: number } | undefined;
      return r && { entityKey: r.entity_key, values: JSON.parse(r.values_json), eventTs: r.event_ts, createdTs: r.created_ts };
    });
  }
  async count(view: string): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM online_features WHERE view = ?').get(view) as { n: number }).n;
  }
}

class SqliteUserData implements UserDataStore {
  constructor(private readonly db: DB) {}
  async insert(m: SmsMessage): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO smss_by_users (user_id, sms_id, sent_at, sender_id, sms_text) VALUES (?, ?, ?, ?, ?)')
        .run(m.user_id, m.sms_id, timeOfTimeUuid(m.sms_id).getTime(), m.sender_id, m.sms_text);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new DuplicateKeyError(`${m.user_id}/${m.sms_id}`);
      throw e;
    }
  }
  async listByUser(userId: string, limit = 1000): Promise<SmsMessage[]> {
    return this.db
      .prepare('SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users WHERE user_id = ? ORDER BY sent_at DESC, sms_id DESC LIMIT ?')
      .all(userId, limit) as SmsMessage[];
  }
  async get(userId: string, smsId: string): Promise<SmsMessage | undefined> {
    return this.db.prepare('SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users WHERE user_id = ? AND sms_id = ?').get(userId, smsId) as
      | SmsMessage
      | undefined;
  }
  async listUsers(): Promise<string[]> {
    return (this.db.prepare('SELECT DISTINCT user_id FROM smss_by_users ORDER BY user_id').all() as { user_id: string }[]).map((r) => r.user_id);
  }
}

class SqliteLabelled implements LabelledMessageStore {
  constructor(private readonly db: DB) {}
  async insertMany(rows: LabelledMessage[]): Promise<{ inserted: number; duplicates: string[] }> {
    const exists = this.db.prepare('SELECT 1 FROM labelled_sms WHERE sms_id = ?');
    const insert = this.db.prepare('INSERT INTO labelled_sms (sms_id, text, label, origin, seq) VALUES (?, ?, ?, ?, ?)');
    return this.db.transaction(() => {
      const duplicates: string[] = [];
      let seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM labelled_sms').get() as { s: number }).s;
      const seen = new Set<string>();
      for (const r of rows) {
        if (seen.has(r.sms_id) || exists.get(r.sms_id)) {
          duplicates.push(r.sms_id);
          continue;
        }
        seen.add(r.sms_id);
        insert.run(r.sms_id, r.text, r.label, r.origin, ++seq);
      }
      return { inserted: seen.size, duplicates };
    })();
  }
  async all(): Promise<LabelledMessage[]> {
    return this.db.prepare('SELECT sms_id, text, label, origin FROM labelled_sms ORDER BY seq').all() as LabelledMessage[];
  }
  async get(ids: string[]): Promise<(LabelledMessage | undefined)[]> {
    const q = this.db.prepare('SELECT sms_id, text, label, origin FROM labelled_sms WHERE sms_id = ?');
    return ids.map((id) => q.get(id) as LabelledMessage | undefined);
  }
  async count(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM labelled_sms').get() as { n: number }).n;
  }
}

class SqliteCache implements PredictionCache {
  private readonly getQ;
  private readonly setQ;
  constructor(private readonly db: DB) {
    this.getQ = db.prepare('SELECT output FROM model_serving_api_cache WHERE version = ? AND endpoint = ? AND input_key = ?').pluck();
    this.setQ = db.prepare('INSERT OR REPLACE INTO model_serving_api_cache (endpoint, version, input_key, output) VALUES (?, ?, ?, ?)');
  }
  async get(endpoint: string, version: string, inputKey: string): Promise<string | undefined> {
    return this.getQ.get(version, endpoint, inputKey) as string | undefined;
  }
  async set(endpoint: string, version: string, inputKey: string, output: string): Promise<void> {
    this.setQ.run(endpoint, version, inputKey, output);
  }
  async invalidateVersion(version: string): Promise<void> {
    this.db.prepare('DELETE FROM model_serving_api_cache WHERE version = ?').run(version);
  }
}

class SqliteCallLog implements CallLog {
  private seq = 0;
  private lastPurge = 0;
  private readonly insert;
  constructor(private readonly db: DB) {
    this.insert = db.prepare(
      'INSERT INTO spam_calls_log (caller_id, called_at, seq, endpoint, version, input_json, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }
  async append(e: CallLogEntry, ttlSeconds: number): Promise<void> {
    this.insert.run(e.caller_id, e.called_at, ++this.seq, e.endpoint, e.version, e.input_json, e.called_at + ttlSeconds * 1000);
    // SQLite has no TTL: expired rows are hidden on read and purged at most once a minute.
    const now = Date.now();
    if (now - this.lastPurge > 60_000) {
      this.lastPurge = now;
      this.db.prepare('DELETE FROM spam_calls_log WHERE expires_at <= ?').run(now);
    }
  }
  async appendMany(entries: CallLogEntry[], ttlSeconds: number): Promise<void> {
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

class SqliteRegistry implements RegistryStore {
  constructor(private readonly db: DB) {}
  async latest(): Promise<{ version: number; json: string } | undefined> {
    return this.db.prepare('SELECT version, json FROM registry_snapshots ORDER BY version DESC LIMIT 1').get() as
      | { version: number; json: string }
      | undefined;
  }
  async append(json: string): Promise<number> {
    return this.db.transaction(() => {
      const v = (this.db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM registry_snapshots').get() as { v: number }).v + 1;
      this.db.prepare('INSERT INTO registry_snapshots (version, json, applied_at) VALUES (?, ?, ?)').run(v, json, Date.now());
      return v;
    })();
  }
  async history(): Promise<{ version: number; json: string }[]> {
    return this.db.prepare('SELECT version, json FROM registry_snapshots ORDER BY version').all() as { version: number; json: string }[];
  }
  async getMeta(key: string): Promise<string | undefined> {
    return this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
  }
  async setMeta(key: string, value: string): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }
}

class SqliteDocuments implements DocumentStore {
  constructor(private readonly db: DB) {}
  async put(collection: string, id: string, json: string): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO documents (collection, id, json, updated_at) VALUES (?, ?, ?, ?)').run(collection, id, json, Date.now());
  }
  async get(collection: string, id: string): Promise<string | undefined> {
    return this.db.prepare('SELECT json FROM documents WHERE collection = ? AND id = ?').pluck().get(collection, id) as string | undefined;
  }
  async list(collection: string): Promise<{ id: string; json: string }[]> {
    return this.db.prepare('SELECT id, json FROM documents WHERE collection = ? ORDER BY id').all(collection) as { id: string; json: string }[];
  }
  async delete(collection: string, id: string): Promise<void> {
    this.db.prepare('DELETE FROM documents WHERE collection = ? AND id = ?').run(collection, id);
  }
}

class SqlitePredictions implements PredictionStore {
  constructor(private readonly db: DB) {}
  async appendMany(rows: PredictionRecord[]): Promise<void> {
    const q = this.db.prepare(
      'INSERT OR IGNORE INTO served_predictions (id, at, model, version, endpoint, features, spam, label, caller, sms_id, oov) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of rows) q.run(r.id, r.at, r.model, r.version, r.endpoint, JSON.stringify(r.features), r.spam, r.label, r.caller, r.sms_id ?? null, r.oov ?? null);
    })();
  }
  async recent(model: string, sinceMs: number, limit: number): Promise<PredictionRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM served_predictions WHERE model = ? AND at > ? ORDER BY at DESC, id DESC LIMIT ?')
      .all(model, sinceMs, limit) as (Omit<PredictionRecord, 'features'> & { features: string; sms_id: string | null; oov: number | null })[];
    return rows.map((r) => ({ ...r, features: JSON.parse(r.features) as number[], sms_id: r.sms_id ?? undefined, oov: r.oov ?? undefined }));
  }
  async count(model?: string): Promise<number> {
    const q = model ? this.db.prepare('SELECT COUNT(*) AS n FROM served_predictions WHERE model = ?').get(model) : this.db.prepare('SELECT COUNT(*) AS n FROM served_predictions').get();
    return (q as { n: number }).n;
  }
  async prune(beforeMs: number, maxRows: number): Promise<number> {
    return this.db.transaction(() => {
      let n = this.db.prepare('DELETE FROM served_predictions WHERE at < ?').run(beforeMs).changes;
      const total = (this.db.prepare('SELECT COUNT(*) AS n FROM served_predictions').get() as { n: number }).n;
      if (total > maxRows)
        n += this.db.prepare('DELETE FROM served_predictions WHERE id IN (SELECT id FROM served_predictions ORDER BY at ASC LIMIT ?)').run(total - maxRows).changes;
      return n;
    })();
  }
}
