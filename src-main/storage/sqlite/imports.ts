/** Data import jobs: the columns a listing shows, the record (steps, report) as JSON. */
import type Database from 'better-sqlite3';
import type { ImportJob, ImportJobStore } from '../types';

type DB = Database.Database;

export const PUT_IMPORT = `INSERT OR REPLACE INTO data_imports (id, created_at, finished_at, source_kind, source_name, status, error, record_json)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

export function importRow(job: ImportJob): unknown[] {
  return [
    job.id,
    job.createdAt ?? '',
    job.finishedAt ?? null,
    job.source?.kind ?? '',
    job.source?.name ?? '',
    job.status ?? '',
    job.error ?? null,
    JSON.stringify(job),
  ];
}

export class SqliteImports implements ImportJobStore {
  constructor(private readonly db: DB) {}
  async put(job: ImportJob): Promise<void> {
    this.db.prepare(PUT_IMPORT).run(...importRow(job));
  }
  async get(id: string): Promise<ImportJob | undefined> {
    const json = this.db.prepare('SELECT record_json FROM data_imports WHERE id = ?').pluck().get(id) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as ImportJob);
  }
  async page(o: { limit: number; before?: string }): Promise<ImportJob[]> {
    const rows =
      o.before === undefined
        ? this.db.prepare('SELECT record_json FROM data_imports ORDER BY id DESC LIMIT ?').pluck().all(o.limit)
        : this.db.prepare('SELECT record_json FROM data_imports WHERE id < ? ORDER BY id DESC LIMIT ?').pluck().all(o.before, o.limit);
    return (rows as string[]).map((j) => JSON.parse(j) as ImportJob);
  }
}
