/** Training runs: the columns a query needs, the record (with its history) as JSON. */
import type Database from 'better-sqlite3';
import type { RunRecord } from '../../../src-shared/training';
import type { RunStore } from '../types';

type DB = Database.Database;

export class SqliteRuns implements RunStore {
  constructor(private readonly db: DB) {}
  async put(run: RunRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO training_runs (id, model, status, created_at, owner_pid, owner_host, record_json, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(run.id, run.model, run.status, run.createdAt, run.owner?.pid ?? null, run.owner?.host ?? null, JSON.stringify(run), Date.now());
  }
  async get(id: string): Promise<RunRecord | undefined> {
    const json = this.db.prepare('SELECT record_json FROM training_runs WHERE id = ?').pluck().get(id) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as RunRecord);
  }
  async list(): Promise<RunRecord[]> {
    return (this.db.prepare('SELECT record_json FROM training_runs ORDER BY id').pluck().all() as string[]).map((j) => JSON.parse(j) as RunRecord);
  }
  async changedSince(sinceMs: number): Promise<{ run: RunRecord; updatedAt: number }[]> {
    return (
      this.db.prepare('SELECT record_json, updated_at FROM training_runs WHERE updated_at >= ? ORDER BY updated_at, id').all(sinceMs) as {
        record_json: string;
        updated_at: number;
      }[]
    ).map((r) => ({ run: JSON.parse(r.record_json) as RunRecord, updatedAt: r.updated_at }));
  }
  async delete(id: string): Promise<void> {
    this.db.prepare('DELETE FROM training_runs WHERE id = ?').run(id);
  }
}
