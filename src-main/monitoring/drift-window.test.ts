/**
 * Drift checks run on the drift worker whatever the window's size or the reference's shape
 * (issue 19, item 14): the probe's shape, a reference of 20 distinct values or fewer (one bin per
 * value) against 21,053 distinct current values, was seconds of work; it must never run on the
 * server's event loop. The runner here is given sources that throw when used in this thread, so
 * a check that ran here would fail; the worker reads the real SQLite file on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelVersion } from '../../src-shared/training';
import type { Engines } from '../engines';
import type { PredictionRecord } from '../storage';
import { testEngines } from '../testing/fixtures';
import { DriftRunner, type DriftSources } from './drift-window';

const CURRENT = 21_053;

describe('drift on the worker, whatever the shape', () => {
  let e: Engines;
  let dir: string;
  let cleanup: () => Promise<void>;
  let version: ModelVersion;
  const runner = () => {
    const here = () => {
      throw new Error('the drift check ran on the event loop');
    };
    const local: DriftSources = { predictions: { recent: here }, feedback: { all: here } };
    return new DriftRunner(e.config.storage, local);
  };

  beforeAll(async () => {
    ({ engines: e, dir, cleanup } = await testEngines());
    const modelDir = join(dir, 'probe-model');
    mkdirSync(modelDir, { recursive: true });
    const sample = Array.from({ length: 1000 }, (_, i) => (i % 20) / 40);
    const numeric = (s: number[]) => ({ kind: 'numeric', count: s.length, mean: 0.25, std: 0.14, min: 0, max: 0.475, quantiles: [], sample: s });
    writeFileSync(
      join(modelDir, 'reference.json'),
      JSON.stringify({
        features: {
          features: { kind: 'tokens', count: 1000, tokenShare: [0, ...Array.from({ length: 179 }, () => 1 / 179)], meanLength: 10 },
          length: numeric(Array.from({ length: 1000 }, (_, i) => i % 15)),
          oov_rate: numeric(sample),
        },
      }),
    );
    version = {
      name: 'probe',
      version: '1',
      kind: 'lstm',
      dir: modelDir,
      data: { classBalance: { ham: 800, spam: 200 }, entities: 1000, trainRows: 800 },
    } as unknown as ModelVersion;
    const now = Date.now();
    const rows: PredictionRecord[] = Array.from({ length: CURRENT }, (_, i) => ({
      id: `p${i}`,
      at: now - i,
      model: 'probe',
      version: '1',
      endpoint: 'probe',
      features: Array.from({ length: 30 }, (_, j) => (i + j) % 180),
      spam: 0.1,
      label: 'ham',
      caller: 't',
      oov: i / CURRENT,
    }));
    await e.storage.predictions.appendMany(rows);
  }, 60_000);

  afterAll(async () => cleanup?.());

  for (const size of [CURRENT, 500])
    it(`a window of ${size} against a reference of 20 distinct values: computed on the worker, a bin per value`, async () => {
      const r = runner();
      try {
        const report = await r.compute({ version, sinceMs: 0, size, options: {} });
        expect(report.window.n).toBe(size);
        const oov = report.features.find((f) => f.feature === 'oov_rate')!;
        expect(oov.bins.length).toBe(new Set([...Array.from({ length: 20 }, (_, i) => i / 40), ...Array.from({ length: size }, (_, i) => i / CURRENT)]).size);
      } finally {
        await r.stop();
      }
    }, 120_000);
});
