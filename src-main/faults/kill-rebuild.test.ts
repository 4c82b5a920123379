/**
 * kill -9 in the middle of a rebuild of the offline sources (`spamops offline-sources` in a child
 * process): every source still lists only whole, readable parts (the old base or the new one,
 * never a mix of a half-written one), retrieval answers, what the killed process left is removed
 * by the next start once it is old enough, and the rebuild runs again to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../config';
import type { Engines } from '../engines';
import { syntheticFeatureStore, testEngines } from '../testing/fixtures';
import { buildOfflineSources, removeLeftovers } from '../setup';
import { MANIFEST, type Manifest } from '../featurestore';

const N = 150_000;

describe('kill -9 during offline-sources', () => {
  let e: Engines;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ engines: e, cleanup } = await testEngines());
    await syntheticFeatureStore(e, N, 'k');
  }, 120_000);
  afterAll(async () => cleanup?.());

  const manifest = (src: string) => JSON.parse(readFileSync(join(e.config.offlineDir, src, MANIFEST), 'utf8')) as Manifest;

  it('leaves whole parts only, still answers, cleans up and rebuilds', async () => {
    const before = Object.fromEntries(['smss1', 'labels', 'smss2'].map((s) => [s, manifest(s).parts.map((p) => p.file)]));
    const child = spawn(process.execPath, [join(appRoot(), 'bin', 'spamops.mjs'), 'offline-sources', '--data-dir', e.config.dataDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    // well into the rebuild (the fit is done, rows are going to DuckDB), then SIGKILL
    await Promise.race([new Promise((r) => setTimeout(r, 3500)), exited]);
    child.kill('SIGKILL');
    const [code, signal] = await exited;
    expect({ code, signal, stderr }, 'the rebuild ended before the kill').toEqual({ code: null, signal: 'SIGKILL', stderr: expect.any(String) });

    for (const src of ['smss1', 'labels', 'smss2']) {
      const m = manifest(src);
      for (const p of m.parts) expect(existsSync(join(e.config.offlineDir, src, p.file)), `${src}/${p.file} listed but missing`).toBe(true);
      const total = m.parts.filter((p) => p.base).reduce((n, p) => n + p.rows, 0);
      expect(total, src).toBe(N); // the old base or the whole new one
    }
    const refs = await e.features.resolveRefs({ feature_service: 'labeled_sms_2' });
    const h = await e.features.getHistoricalFeatures({ keys: ['k0000004', 'k0149999'], timestamps: [Date.now(), Date.now()] }, refs);
    expect(h.rows.map((r) => r.label)).toEqual(['spam', 'ham']);
    expect((h.rows[0].features as number[]).length).toBe(30);

    // what it left (temporary parts, a spill folder) goes once old enough, and only then
    const leftovers = () => [
      ...['smss1', 'labels', 'smss2'].flatMap((s) => readdirSync(join(e.config.offlineDir, s)).filter((f) => f.endsWith('.tmp'))),
      ...(existsSync(join(e.config.offlineDir, '.duckdb-tmp'))
        ? readdirSync(join(e.config.offlineDir, '.duckdb-tmp')).filter((d) => !d.startsWith(`${process.pid}-`))
        : []),
    ];
    removeLeftovers(e.config, new Set(), Date.now() + 11 * 60_000);
    expect(leftovers()).toEqual([]);
    // the rebuild runs again to the end
    const r = await buildOfflineSources(e);
    expect(r.sources.map((s) => s.rows)).toEqual([N, N, N]);
    for (const src of ['smss1', 'labels', 'smss2']) expect(manifest(src).parts[0].file).not.toBe(before[src][0]);
  }, 180_000); // a manifest lock the killed child held is taken over after 30 s
});
