/** Model versions (key columns, the record as JSON), aliases, and every move of an alias. */
import type Database from 'better-sqlite3';
import { type AliasMove, AliasMovedError, type AliasMoveOptions, type ModelAlias, type ModelVersionStore, type StoredModelVersion } from '../types';

type DB = Database.Database;
type MoveRow = { name: string; alias: string; at: number; from_version: string | null; to_version: string | null; note: string | null };

export const versionNumber = (version: string): number => (/^\d{1,15}$/.test(version) ? Number(version) : 0);

export function moveOf(r: MoveRow): AliasMove {
  return {
    name: r.name,
    alias: r.alias,
    at: r.at,
    ...(r.from_version !== null ? { from: r.from_version } : {}),
    ...(r.to_version !== null ? { to: r.to_version } : {}),
    ...(r.note !== null ? { note: r.note } : {}),
  };
}

export class SqliteModelVersions implements ModelVersionStore {
  constructor(private readonly db: DB) {}
  async put(v: StoredModelVersion): Promise<void> {
    const { aliases: _, ...record } = v as StoredModelVersion & { aliases?: unknown };
    this.db
      .prepare(
        `INSERT OR REPLACE INTO model_versions (name, version, version_num, base, kind, run_id, created_at, dir, record_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(v.name, v.version, versionNumber(v.version), v.base ?? '', v.kind ?? '', v.runId ?? '', v.createdAt ?? '', v.dir ?? '', JSON.stringify(record));
  }
  async get(name: string, version: string): Promise<StoredModelVersion | undefined> {
    // a number names the version whatever its leading zeros ('01' is version 1), as the documents' padded keys did
    const json = (
      /^\d{1,15}$/.test(version)
        ? this.db
            .prepare('SELECT record_json FROM model_versions WHERE name = ? AND version_num = ? ORDER BY version LIMIT 1')
            .pluck()
            .get(name, Number(version))
        : this.db.prepare('SELECT record_json FROM model_versions WHERE name = ? AND version = ?').pluck().get(name, version)
    ) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as StoredModelVersion);
  }
  async list(name?: string): Promise<StoredModelVersion[]> {
    const rows = (
      name === undefined
        ? this.db.prepare('SELECT record_json FROM model_versions ORDER BY name, version_num, version').pluck().all()
        : this.db.prepare('SELECT record_json FROM model_versions WHERE name = ? ORDER BY version_num, version').pluck().all(name)
    ) as string[];
    return rows.map((j) => JSON.parse(j) as StoredModelVersion);
  }
  async delete(name: string, version: string): Promise<void> {
    this.db.prepare('DELETE FROM model_versions WHERE name = ? AND version = ?').run(name, version);
  }
  async alias(name: string, alias: string): Promise<string | undefined> {
    return this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').pluck().get(name, alias) as string | undefined;
  }
  async aliases(name?: string): Promise<ModelAlias[]> {
    return (
      name === undefined
        ? this.db.prepare('SELECT name, alias, version FROM model_aliases ORDER BY name, alias').all()
        : this.db.prepare('SELECT name, alias, version FROM model_aliases WHERE name = ? ORDER BY alias').all(name)
    ) as ModelAlias[];
  }
  async moveAlias(name: string, alias: string, to: string | undefined, o: AliasMoveOptions = {}): Promise<AliasMove | undefined> {
    // IMMEDIATE: the write lock first, so that no other connection moves the alias between the read and the write
    return this.db
      .transaction(() => {
        const from = this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').pluck().get(name, alias) as string | undefined;
        if (o.expect !== undefined && (from ?? null) !== o.expect) throw new AliasMovedError(name, alias, o.expect, from ?? null);
        if (from === undefined && to === undefined) return undefined;
        if (to === undefined) this.db.prepare('DELETE FROM model_aliases WHERE name = ? AND alias = ?').run(name, alias);
        else this.db.prepare('INSERT OR REPLACE INTO model_aliases (name, alias, version) VALUES (?, ?, ?)').run(name, alias, to);
        const at = o.at ?? Date.now();
        this.db
          .prepare('INSERT INTO model_alias_moves (name, alias, at, from_version, to_version, note) VALUES (?, ?, ?, ?, ?, ?)')
          .run(name, alias, at, from ?? null, to ?? null, o.note ?? null);
        return moveOf({ name, alias, at, from_version: from ?? null, to_version: to ?? null, note: o.note ?? null });
      })
      .immediate();
  }
  async aliasHistory(name: string, alias?: string): Promise<AliasMove[]> {
    const cols = 'name, alias, at, from_version, to_version, note';
    const rows = (
      alias === undefined
        ? this.db.prepare(`SELECT ${cols} FROM model_alias_moves WHERE name = ? ORDER BY seq`).all(name)
        : this.db.prepare(`SELECT ${cols} FROM model_alias_moves WHERE name = ? AND alias = ? ORDER BY seq`).all(name, alias)
    ) as MoveRow[];
    return rows.map(moveOf);
  }
}
