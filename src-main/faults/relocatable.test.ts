/**
 * F1: a data dir survives copy, move and backup-restore. Model versions keep their folders
 * relative to the models dir, so a copy serves (and deletes) its own files, never the source's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { openEngines, type Engines } from '../engines';
import { bootstrap } from '../setup';
import { SAMPLE_DATASET, tempDir, testConfig } from '../testing/fixtures';
import type { ModelVersionStore } from '../storage';

const t = tempDir('spamops-relocate-');
afterAll(() => t.remove());

async function withEngines<T>(dir: string, fn: (e: Engines) => Promise<T>): Promise<T> {
  const e = await openEngines(testConfig(dir));
  try {
    return await fn(e);
  } finally {
    await e.close();
  }
}

const source = join(t.dir, 'source');
beforeAll(async () => {
  await withEngines(source, async (e) => {
    await bootstrap(e, { datasetPath: SAMPLE_DATASET, log: () => undefined });
    await e.runs.init();
    const run = await e.runs.start({ model: 'v1', alias: 'production' });
    expect((await e.runs.wait(run.id)).status).toBe('succeeded');
  });
});

describe('F1: data dirs are relocatable', () => {
  it('stores the version folder relative to the models dir, and the run artifacts too', async () => {
    await withEngines(source, async (e) => {
      const raw = await e.storage.models.get('v1', '1');
      expect(raw?.dir).toBe(join('v1', '1'));
      await e.runs.init();
      const artifacts = e.runs.list()[0]?.artifacts ?? [];
      expect(artifacts).toContain(join('v1', '1', 'forest.json'));
      expect((await e.models.resolve('v1'))?.dir).toBe(join(source, 'models', 'v1', '1'));
    });
  });

  it("a copy deletes its own model files, never the source dir's", async () => {
    const copy = join(t.dir, 'copy');
    cpSync(source, copy, { recursive: true });
    await withEngines(copy, async (e) => {
      await e.models.delete('v1', '1', { force: true });
    });
    expect(existsSync(join(copy, 'models', 'v1', '1'))).toBe(false);
    expect(readdirSync(join(source, 'models', 'v1', '1'))).toContain('forest.json');
  });

  it('a moved data dir serves its models (text_to_prediction answers 200)', async () => {
    const moved = join(t.dir, 'moved');
    cpSync(source, join(t.dir, 'to-move'), { recursive: true });
    renameSync(join(t.dir, 'to-move'), moved);
    await withEngines(moved, async (e) => {
      const { buildApp } = await import('../api');
      const app = await buildApp(e);
      const r = await app.inject({
        method: 'POST',
        url: '/model/v1/text_to_prediction',
        headers: { host: 'localhost', 'content-type': 'application/json' },
        payload: { text: 'WIN FREE CASH NOW' },
      });
      expect(r.statusCode, r.body).toBe(200);
      await app.close();
    });
  });

  it('migrates records written with absolute paths (of a dir that moved since)', async () => {
    const old = join(t.dir, 'old');
    cpSync(source, old, { recursive: true });
    await withEngines(old, async (e) => {
      const store: ModelVersionStore = e.storage.models;
      const v = (await store.get('v1', '1'))!;
      await store.put({ ...v, dir: '/somewhere/that/was/models/v1/1' });
      expect((await e.models.resolve('v1'))?.dir).toBe(join(old, 'models', 'v1', '1'));
      expect(await e.models.migrate()).toBe(1);
      expect((await store.get('v1', '1'))?.dir).toBe(join('v1', '1'));
      expect(await e.models.migrate()).toBe(0);
    });
  });
});
