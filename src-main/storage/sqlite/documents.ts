/** JSON documents by collection and id (runs, model versions, settings, ...). */
import type Database from 'better-sqlite3';
import type { DocumentPage, DocumentStore } from '../types';
import { pageQuery } from '../document-page';

type DB = Database.Database;

export class SqliteDocuments implements DocumentStore {
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
  async page(collection: string, o: DocumentPage): Promise<{ id: string; json: string }[]> {
    const q = pageQuery(collection, o);
    return this.db.prepare(`SELECT id, json FROM documents WHERE ${q.where} ORDER BY id ${q.order} LIMIT ?`).all(...q.args, o.limit) as {
      id: string;
      json: string;
    }[];
  }
  async changedSince(collection: string, sinceMs: number): Promise<{ id: string; json: string; updatedAt: number }[]> {
    return this.db
      .prepare('SELECT id, json, updated_at AS updatedAt FROM documents WHERE collection = ? AND updated_at >= ? ORDER BY updated_at')
      .all(collection, sinceMs) as { id: string; json: string; updatedAt: number }[];
  }
  async delete(collection: string, id: string): Promise<void> {
    this.db.prepare('DELETE FROM documents WHERE collection = ? AND id = ?').run(collection, id);
  }
}
