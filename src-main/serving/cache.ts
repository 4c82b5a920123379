/**
 * The prediction cache as serving uses it: a bounded in-memory layer in front of the storage
 * layer's cache (SQLite or Cassandra), so that hot inputs cost a map lookup. Writes go to both;
 * invalidating a version clears both.
 */
import type { PredictionCache } from '../storage';

const MAX_ENTRIES = 20_000;

export class LayeredPredictionCache implements PredictionCache {
  /** the stored JSON, and what it parses to once asked (an answer is built from it, never changed) */
  private readonly memory = new Map<string, { json: string; value?: object }>();
  constructor(private readonly store: PredictionCache) {}

  private static key(endpoint: string, version: string, inputKey: string): string {
    return `${version}\u0000${endpoint}\u0000${inputKey}`;
  }

  async get(endpoint: string, version: string, inputKey: string): Promise<string | undefined> {
    const k = LayeredPredictionCache.key(endpoint, version, inputKey);
    const hit = this.memory.get(k);
    if (hit !== undefined) return hit.json;
    const stored = await this.store.get(endpoint, version, inputKey);
    if (stored !== undefined) this.remember(k, stored);
    return stored;
  }

  /** the answer in memory, parsed, or undefined (no wait: the stored layer is not asked) */
  peek(endpoint: string, version: string, inputKey: string): object | undefined {
    const hit = this.memory.get(LayeredPredictionCache.key(endpoint, version, inputKey));
    if (hit && hit.value === undefined) {
      const value: unknown = JSON.parse(hit.json);
      if (value && typeof value === 'object') hit.value = value;
    }
    return hit?.value;
  }

  async set(endpoint: string, version: string, inputKey: string, output: string): Promise<void> {
    this.remember(LayeredPredictionCache.key(endpoint, version, inputKey), output);
    await this.store.set(endpoint, version, inputKey, output);
  }

  async invalidateVersion(version: string): Promise<void> {
    for (const k of this.memory.keys()) if (k.startsWith(`${version}\u0000`)) this.memory.delete(k);
    await this.store.invalidateVersion(version);
  }

  private remember(k: string, v: string): void {
    if (this.memory.size >= MAX_ENTRIES) this.memory.delete(this.memory.keys().next().value as string); // oldest first
    this.memory.set(k, { json: v });
  }
}
