/**
 * Released models: rebuilt repeatably from a dataset, served on a first start before the API
 * answers (no training), never replaced by a later run unless promoted. The release shipped in
 * models/ is checked too: valid, and v3 calls the seed story's spam spam.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../config';
import { SAMPLE_DATASET, tempDir, testConfig } from '../testing/fixtures';
import { registerReleased, releaseModels, releasedModels, startEngines } from '.';

const t = tempDir('spamops-release-');
afterAll(() => t.remove());
const quiet = () => undefined;
const SEED_SPAM = 'Dear winner, please call 800-884433 to retrieve your FREE delivery';

const release = (out: string) => releaseModels({ datasetPath: SAMPLE_DATASET, outDir: out, seed: 7, log: quiet });

describe('release-models', () => {
  it('gives the same weights and metrics for the same seed, with metadata that says how it was made', async () => {
    const a = await release(join(t.dir, 'a'));
    const b = await release(join(t.dir, 'b'));
    for (const m of ['v1', 'v2', 'v3']) {
      expect(b[m].metrics).toEqual(a[m].metrics);
      const { 'tokenizer.json': _ta, ...artifactsA } = a[m].checksums ?? {};
      const { 'tokenizer.json': _tb, ...artifactsB } = b[m].checksums ?? {};
      expect(artifactsB).toEqual(artifactsA); // the tokenizer differs only by its fit time
      expect(a[m].release).toMatchObject({ seed: 7, threads: 1, dataset: { file: 'sample_dataset.csv', rows: 240 } });
      expect(a[m].release.command).toMatch(/^npm run release-models -- --dataset sample_dataset\.csv --seed 7/);
      expect(a[m].release.trainingData.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(readdirSync(join(t.dir, 'a')).sort()).toEqual(['tokenizer', 'v1', 'v2', 'v3']);
  });
});

describe('a first start', () => {
  it('registers the released versions as production before the API answers, and queues no training', async () => {
    const released = join(t.dir, 'a');
    const config = { ...testConfig(join(t.dir, 'first')), releasedModelsDir: released };
    const e = await startEngines(config, { autoBootstrap: true, log: quiet });
    try {
      for (const m of ['v1', 'v2', 'v3']) {
        const v = (await e.models.resolve(m))!;
        expect(v.aliases).toContain('production');
        expect(v.runId).toMatch(/^release/);
      }
      expect(e.runs.list()).toHaveLength(0);
      // the served models load right after the start, before any request asks for one (the
      // watch for promotions would load them only after 3 s)
      await vi.waitFor(() => expect(['v1', 'v2', 'v3'].map((m) => e.serving.current(m as 'v3')?.info.version)).toEqual(['1', '1', '1']), { timeout: 2000 });
      // the sample's v2 features were computed with the released tokenizer
      expect(readFileSync(join(config.modelsDir, 'tokenizer', 'tokenizer.json'), 'utf8')).toBe(
        readFileSync(join(released, 'tokenizer', 'tokenizer.json'), 'utf8'),
      );
      // a later run trained on the data dir is a new version; production stays the release
      const run = await e.runs.start({ model: 'v1' });
      expect((await e.runs.wait(run.id)).status).toBe('succeeded');
      expect((await e.models.resolve('v1'))!.version).toBe('1');
      expect((await e.models.list('v1')).map((v) => v.version)).toEqual(['1', '2']);
    } finally {
      await e.close();
    }
  });

  it('a release whose files were altered is not served: the start says so and trains instead', async () => {
    const broken = join(t.dir, 'broken');
    await release(broken);
    writeFileSync(join(broken, 'v2', 'weights.bin'), Buffer.alloc(8));
    expect(() => releasedModels(broken)).toThrow(/v2\/weights\.bin: differs from the release/);
    const lines: string[] = [];
    const config = { ...testConfig(join(t.dir, 'second')), releasedModelsDir: broken };
    const e = await startEngines(config, { autoBootstrap: true, log: (s) => lines.push(s) });
    try {
      expect(lines.join('\n')).toMatch(/the released models are not served: .*weights\.bin: differs from the release/);
      expect(
        e.runs
          .list()
          .map((r) => r.model)
          .sort(),
      ).toEqual(['v1', 'v2', 'v3']);
    } finally {
      await e.close();
    }
  });
});

describe('the release shipped in models/', () => {
  it("is complete and intact, trained on the 7,528 public messages, and v3 flags the seed story's spam at first start", async () => {
    const shipped = releasedModels(join(appRoot(), 'models'));
    expect(shipped.map((r) => r.name)).toEqual(['v1', 'v2', 'v3']);
    for (const r of shipped) expect(r.meta.release.dataset.rows).toBe(7528);
    const config = testConfig(join(t.dir, 'shipped'));
    const e = await startEngines(config, { autoBootstrap: true, log: quiet });
    try {
      expect(await registerReleased(e, { tokenizer: false, log: quiet })).toEqual([]); // registered already, once
      const v3 = await e.serving.get('v3');
      expect(v3.predict([v3.textToFeatures(SEED_SPAM)])[0].spam).toBeGreaterThan(0.5);
      const v1 = await e.serving.get('v1');
      expect(v1.predict([v1.textToFeatures("Hey, what's up?")])[0].spam).toBeLessThan(0.5);
      // fiona's inbox holds that message
      expect((await e.storage.users.listByUser('fiona')).map((m) => m.sms_text)).toContain(SEED_SPAM);
    } finally {
      await e.close();
    }
  });
});
