/** The prediction cache (the seed's `model_serving_api_cache`), with a key table for invalidation. */
import type { PredictionCache } from '../types';
import { type Cql, str } from './cql';

export class CassandraCache implements PredictionCache {
  constructor(
    private readonly cql: Cql,
    private readonly table: string,
    private readonly keys: string,
  ) {}
  async get(endpoint: string, version: string, inputKey: string): Promise<string | undefined> {
    const rs = await this.cql.run(`SELECT output FROM ${this.table} WHERE version = ? AND endpoint = ? AND input_key = ?`, [version, endpoint, inputKey]);
    return rs.first()?.get('output') ?? undefined;
  }
  async set(endpoint: string, version: string, inputKey: string, output: string): Promise<void> {
    // Logged batch: an entry never exists without the (version, endpoint) row invalidation needs.
    try {
      await this.cql.client.batch(
        [
          { query: `INSERT INTO ${this.keys} (version, endpoint) VALUES (?, ?)`, params: [version, endpoint] },
          { query: `INSERT INTO ${this.table} (version, endpoint, input_key, output) VALUES (?, ?, ?, ?)`, params: [version, endpoint, inputKey, output] },
        ],
        { prepare: true, logged: true },
      );
    } catch (e) {
      throw this.cql.fail(e);
    }
  }
  async invalidateVersion(version: string): Promise<void> {
    const rs = await this.cql.run(`SELECT endpoint FROM ${this.keys} WHERE version = ?`, [version]);
    const endpoints = rs.rows.map((r) => str(r, 'endpoint'));
    // Drop each endpoint's partition, then its key row (not the whole version: a concurrent set keeps its row).
    await this.cql.many(
      `DELETE FROM ${this.table} WHERE version = ? AND endpoint = ?`,
      endpoints.map((e) => [version, e]),
    );
    await this.cql.many(
      `DELETE FROM ${this.keys} WHERE version = ? AND endpoint = ?`,
      endpoints.map((e) => [version, e]),
    );
  }
}
