/**
 * The backend registry: each concern's stores come from the backend it names (real SQLite files
 * here; Redis for the online store in contract.test.ts and faults/redis-online.test.ts), and a
 * backend that cannot serve a concern is refused before anything opens.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, openSqliteStorage, openStorage, STORAGE_CONCERNS, type StorageSettings } from '.';
import type { RunRecord } from '../../src-shared/training';
import { tempDir } from '../testing/fixtures';

const tmp = tempDir('spamops-backends-');
afterAll(() => tmp.remove());

const run = (id: string) =>
  ({
    id,
    model: 'v1',
    base: 'v1',
    status: 'queued',
    params: { featureService: 'fs', timeFreeze: '2020-01-01', testSize: 0.2, seed: 1 },
    backendRequested: 'auto',
    createdAt: '2024-01-01T00:00:00.000Z',
    history: { epochs: [], batches: [] },
  }) as RunRecord;

describe('the backend registry', () => {
  it('declares the concerns each backend can serve: SQLite and Cassandra all, Redis the online store', () => {
    expect(BACKENDS.sqlite.concerns).toEqual(STORAGE_CONCERNS);
    expect(BACKENDS.cassandra.concerns).toEqual(STORAGE_CONCERNS);
    expect(BACKENDS.redis.concerns).toEqual(['online']);
  });

  it('takes each concern from the backend it names, opening each backend once', async () => {
    const main = join(tmp.dir, 'main.sqlite');
    const tracking = join(tmp.dir, 'tracking.sqlite');
    // the same file spelled twice (keys in another order) is one backend, opened once
    const s = await openStorage({
      backend: 'sqlite',
      path: main,
      stores: { runs: { backend: 'sqlite', path: tracking }, models: { path: tracking, backend: 'sqlite' }, users: { path: main, backend: 'sqlite' } },
    });
    try {
      await s.runs.put(run('run-elsewhere'));
      await s.documents.put('settings', 'x', '{}');
      expect(s.backends).toMatchObject({ runs: 'sqlite', models: 'sqlite', online: 'sqlite' });
      expect(s.location).toBe(`${main}; runs, models store ${tracking}`);
      expect(s.busy?.()).toBeUndefined();
    } finally {
      await s.close();
    }
    const t = openSqliteStorage(tracking);
    const m = openSqliteStorage(main);
    try {
      expect((await t.runs.list()).map((r) => r.id)).toEqual(['run-elsewhere']);
      expect(await m.runs.list()).toEqual([]);
      expect(await m.documents.get('settings', 'x')).toBe('{}');
      expect(await t.documents.get('settings', 'x')).toBeUndefined();
    } finally {
      await t.close();
      await m.close();
    }
  });

  it('refuses a backend that cannot serve a concern, or an unknown one, naming the concern, before anything opens', async () => {
    const path = join(tmp.dir, 'never.sqlite');
    await expect(openStorage({ backend: 'sqlite', path, stores: { runs: { backend: 'redis', url: 'redis://127.0.0.1:1/0' } } })).rejects.toThrow(
      /storage\.runs: the redis backend cannot serve the runs store \(it serves: online\)/,
    );
    const unknown = { backend: 'sqlite', path, online: { backend: 'memcached' } } as unknown as StorageSettings;
    await expect(openStorage(unknown)).rejects.toThrow(/storage\.online: unknown storage backend "memcached": expected one of sqlite, cassandra, redis/);
    expect(existsSync(path)).toBe(false);
  });
});
