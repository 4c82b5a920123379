/** Registry snapshots (one partition, version clustering) and bookkeeping values. */
import type { RegistryStore } from '../types';
import { CassandraError, type Cql, PROJECT, num, str } from './cql';

export class CassandraRegistry implements RegistryStore {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
    private readonly meta: string,
  ) {}
  async latest(): Promise<{ version: number; json: string } | undefined> {
    const rs = await this.cql.run(`SELECT version, "json" FROM ${this.table} WHERE project = ? ORDER BY version DESC LIMIT 1`, [PROJECT]);
    const r = rs.first();
    return r ? { version: num(r, 'version'), json: str(r, 'json') } : undefined;
  }
  async append(json: string): Promise<number> {
    // IF NOT EXISTS claims the version: two concurrent applies cannot both write version n.
    for (let attempt = 0; attempt < 50; attempt++) {
      const v = ((await this.latest())?.version ?? 0) + 1;
      const rs = await this.cql.run(`INSERT INTO ${this.table} (project, version, "json", applied_at) VALUES (?, ?, ?, ?) IF NOT EXISTS`, [
        PROJECT,
        v,
        json,
        new Date(),
      ]);
      if (rs.wasApplied()) return v;
    }
    throw new CassandraError('registry: could not claim a new snapshot version (too many concurrent applies); retry', undefined);
  }
  async history(): Promise<{ version: number; json: string }[]> {
    const out: { version: number; json: string }[] = [];
    for await (const r of this.cql.paged(`SELECT version, "json" FROM ${this.table} WHERE project = ?`, [PROJECT], 100)) {
      out.push({ version: num(r, 'version'), json: str(r, 'json') });
    }
    return out; // clustering order: version ascending
  }
  async getMeta(key: string): Promise<string | undefined> {
    const rs = await this.cql.run(`SELECT "value" FROM ${this.meta} WHERE "key" = ?`, [key]);
    return rs.first()?.get('value') ?? undefined;
  }
  async setMeta(key: string, value: string): Promise<void> {
    await this.cql.run(`INSERT INTO ${this.meta} ("key", "value") VALUES (?, ?)`, [key, value]);
  }
}
