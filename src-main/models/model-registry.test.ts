/** The model registry's version numbers: never given twice, deleted versions included. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../storage';
import { tempDir } from '../testing/fixtures';
import { ModelRegistry } from './model-registry';

const dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

/** a registry on a SQLite file and a models folder; `stage` writes a run's artifacts (weights differ per call) */
function setup() {
  const t = tempDir();
  dirs.push(t);
  const storage = openSqliteStorage(join(t.dir, 'spamops.sqlite'));
  const modelsDir = join(t.dir, 'models');
  let n = 0;
  const stage = () => {
    const d = join(t.dir, 'staging', String(++n));
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'forest.json'), JSON.stringify({ trees: n }));
    return d;
  };
  const meta = { name: 'v1', base: 'v1', kind: 'forest', runId: 'run', params: {}, metrics: {} } as never;
  return { storage, modelsDir, stage, meta };
}

describe('version numbers', () => {
  it('never gives a deleted version its number again, in this registry or a later one', async () => {
    const { storage, modelsDir, stage, meta } = setup();
    const r = new ModelRegistry(storage.models, modelsDir);
    expect((await r.register(stage(), meta)).version).toBe('1');
    expect((await r.register(stage(), meta)).version).toBe('2');
    await r.delete('v1', '2');
    expect((await r.register(stage(), meta)).version).toBe('3');
    await r.delete('v1', '3');
    await r.delete('v1', '1');
    // a restarted process (a new registry on the same data dir) goes on from there
    const again = new ModelRegistry(storage.models, modelsDir);
    expect((await again.register(stage(), meta)).version).toBe('4');
  });

  it('counts the numbers the alias history names, for data dirs from before the kept number', async () => {
    const { storage, modelsDir, stage, meta } = setup();
    const r = new ModelRegistry(storage.models, modelsDir);
    await r.register(stage(), meta);
    await r.register(stage(), meta);
    await r.setAlias('v1', 'production', '2');
    await r.delete('v1', '2', { force: true });
    rmSync(join(modelsDir, 'v1', '.last-version')); // as an older version left the data dir
    expect((await r.register(stage(), meta)).version).toBe('3');
  });
});
