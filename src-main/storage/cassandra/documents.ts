/** JSON documents by collection (partition) and id. */
import type { DocumentPage, DocumentStore } from '../types';
import { pageQuery } from '../document-page';
import { type Cql, str } from './cql';

export class CassandraDocuments implements DocumentStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
  ) {}
  async put(collection: string, id: string, json: string): Promise<void> {
    await this.cql.run(`INSERT INTO ${this.table} (collection, id, "json", updated_at) VALUES (?, ?, ?, ?)`, [collection, id, json, new Date()]);
  }
  async get(collection: string, id: string): Promise<string | undefined> {
    const rs = await this.cql.run(`SELECT "json" FROM ${this.table} WHERE collection = ? AND id = ?`, [collection, id]);
    return rs.first()?.get('json') ?? undefined;
  }
  async list(collection: string): Promise<{ id: string; json: string }[]> {
    const out: { id: string; json: string }[] = [];
    for await (const r of this.cql.paged(`SELECT id, "json" FROM ${this.table} WHERE collection = ?`, [collection]))
      out.push({ id: str(r, 'id'), json: str(r, 'json') });
    return out; // clustering order: id ascending, as SQLite's ORDER BY id
  }
  async page(collection: string, o: DocumentPage): Promise<{ id: string; json: string }[]> {
    const q = pageQuery(collection, o);
    // one partition per collection, clustered by id: ORDER BY and LIMIT are served by the cluster
    const rs = await this.cql.run(`SELECT id, "json" FROM ${this.table} WHERE ${q.where} ORDER BY id ${q.order} LIMIT ?`, [...q.args, o.limit]);
    return rs.rows.map((r) => ({ id: str(r, 'id'), json: str(r, 'json') }));
  }
  async changedSince(collection: string, sinceMs: number): Promise<{ id: string; json: string; updatedAt: number }[]> {
    // updated_at is not a clustering column: the collection's partition is read and filtered here
    const out: { id: string; json: string; updatedAt: number }[] = [];
    for await (const r of this.cql.paged(`SELECT id, "json", updated_at FROM ${this.table} WHERE collection = ?`, [collection])) {
      const at = (r.get('updated_at') as Date | null)?.getTime() ?? 0;
      if (at >= sinceMs) out.push({ id: str(r, 'id'), json: str(r, 'json'), updatedAt: at });
    }
    return out.sort((a, b) => a.updatedAt - b.updatedAt);
  }
  async delete(collection: string, id: string): Promise<void> {
    await this.cql.run(`DELETE FROM ${this.table} WHERE collection = ? AND id = ?`, [collection, id]);
  }
}
