/**
 * F8: two processes on one offline store. While this process pushes small parts (and so merges
 * them in the background, again and again), another process materializes and retrieves from the
 * same sources. Readers take the parts from the manifest and merged parts stay readable for a
 * grace period: no reader may fail on a part that a merge removed, and no pushed row is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../config';
import type { Engines } from '../engines';
import { testEngines, SAMPLE_DATASET } from '../testing/fixtures';
import { bootstrap } from '../setup';
import { COMPACT_AFTER_PARTS as COMPACT_AT, MANIFEST, type Manifest } from '../featurestore';

const BIN = join(appRoot(), 'bin', 'spamops.mjs');

async function cli(args: string[], dataDir: string): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => {
    err += String(d);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, err };
}

describe('F8: a merge in one process, reads in another', () => {
  let e: Engines;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ engines: e, cleanup } = await testEngines());
    await bootstrap(e, { datasetPath: SAMPLE_DATASET, log: () => undefined, released: true });
    await e.ingestion.drain();
  }, 60_000);
  afterAll(async () => cleanup?.());

  it('readers in another process never fail while parts are merged and retired, and every pushed row stays', async () => {
    const dir = e.config.dataDir;
    const manifest = () => JSON.parse(readFileSync(join(e.config.offlineDir, 'smss2', MANIFEST), 'utf8')) as Manifest;
    let pushing = true;
    let pushed = 0;
    const pusher = (async () => {
      while (pushing) {
        await e.features.push(
          'smss2_push',
          { sms_id: [`race${pushed}`], event_timestamp: ['2021-06-01T00:00:00Z'], features: [Array.from({ length: 30 }, (_, j) => (pushed + j) % 180)] },
          'offline',
        );
        pushed += 1;
      }
    })();
    const runs: { code: number | null; err: string }[] = [];
    try {
      // readers in another process, one after the other, while merges happen here
      for (let i = 0; i < 4; i++) {
        runs.push(await cli(['materialize', '2009-01-01T00:00:00', '2030-01-01T00:00:00', '--views', 'sms_features2'], dir));
        runs.push(await cli(['retrieve', 'labeled_sms_2', '--entities', 'all', '--at', '2022-01-01', '--out', join(dir, `r${i}.csv`)], dir));
      }
    } finally {
      pushing = false;
      await pusher;
    }
    for (const r of runs) expect(r.err.includes('ENOENT') ? r.err : '', 'a reader failed on a removed part').toBe('');
    for (const r of runs) expect(r.code, r.err).toBe(0);
    // merges did happen meanwhile (the test can fail): merged parts, retired ones
    const m = manifest();
    expect(m.parts.some((p) => p.file.includes('-merged-'))).toBe(true);
    expect(m.retired.length).toBeGreaterThan(COMPACT_AT);
    // and no pushed row was lost: every key is there, once, with its values
    const refs = await e.features.resolveRefs({ features: ['sms_features2:features'] });
    const keys = Array.from({ length: pushed }, (_, i) => `race${i}`);
    const h = await e.features.getHistoricalFeatures({ keys, timestamps: keys.map(() => Date.parse('2022-01-01')) }, refs);
    expect(h.rows.filter((r) => Array.isArray(r.features) && (r.features as number[]).length === 30)).toHaveLength(pushed);
    expect(pushed).toBeGreaterThan(COMPACT_AT * 2);
  }, 180_000);
});
