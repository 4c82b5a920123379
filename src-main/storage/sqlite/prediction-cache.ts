/** The prediction cache (the seed's `model_serving_api_cache`). */
import type Database from 'better-sqlite3';
import type { PredictionCache } from '../types';

type DB = Database.Database;

export class SqliteCache implements PredictionCache {
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
