/** Registry snapshots in apply order, and small bookkeeping values (watermarks). */
import type Database from 'better-sqlite3';
import type { RegistryStore } from '../types';

type DB = Database.Database;

export class SqliteRegistry implements RegistryStore {
  constructor(private readonly db: DB) {}
  async latest(): Promise<{ version: number; json: string } | undefined> {
    return this.db.prepare('SELECT version, json FROM registry_snapshots ORDER BY version DESC LIMIT 1').get() as { version: number; json: string } | undefined;
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
