/**
 * GET /monitoring/drift/{model}/features/{feature}/histograms over real HTTP, on the drift worker:
 * three stored checks of different windows, then each window's counts checked against counts the
 * test makes itself from the texts it sent (the features from text_to_features, the bins from the
 * version's reference.json: numpy's Sturges edges, 0/1, the 20 most frequent tokens and "other").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engines } from '../engines';
import type { FeatureHistograms } from '../../src-shared/monitoring';
import { sampleServer } from '../testing/fixtures';

const BATCHES = [
  ['Hi, are we still on for lunch?', 'ok see you later', 'Call me when you get home', 'WIN a FREE prize now!!! Call 0800 123'],
  [
    'URGENT! You have WON a guaranteed cash award, text CLAIM to 80086',
    'I will be late, sorry',
    'FREE entry to the contest, reply YES',
    'lol that was so funny',
    'Did you feed the cat?',
  ],
  // all capitals: a cap_r of 1, above every reference value, so the windows widen the bins
  ['Sure, tomorrow works', 'Congratulations!!! claim your PRIZE now at www.win.example', 'where are you?', 'OK THANKS SEE YOU SOON'],
];

/** numpy.histogram_bin_edges(values, 'sturges') written out from numpy's definition */
function sturges(values: number[]): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const k = Math.ceil(Math.log2(values.length) + 1);
  return Array.from({ length: k + 1 }, (_, i) => (i === k ? hi : lo + (i * (hi - lo)) / k));
}
function countIn(values: number[], edges: number[]): number[] {
  const c = new Array<number>(edges.length - 1).fill(0);
  for (const v of values) {
    let k = 0;
    while (k < edges.length - 2 && v >= edges[k + 1]) k++;
    c[k]++;
  }
  return c;
}

describe('a feature over time: its histograms in the stored drift windows', () => {
  let engines: Engines;
  let base: string;
  let close: () => Promise<void>;
  // per batch, per model: the features of each text, as the model encodes it
  const sent: Record<'v1' | 'v3', number[][][]> = { v1: [], v3: [] };
  const json = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const r = await fetch(base + path, init);
    return { status: r.status, body: (await r.json()) as T };
  };
  const post = (path: string, body: unknown) => json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const reference = async (model: string) => {
    const v = await engines.models.resolve(model);
    return JSON.parse(readFileSync(join(v!.dir, 'reference.json'), 'utf8')).features;
  };

  beforeAll(async () => {
    ({ engines, base, close } = await sampleServer());
    for (const batch of BATCHES) {
      for (const model of ['v1', 'v3'] as const) {
        const rows: number[][] = [];
        for (const text of batch) {
          const f = await post(`/model/${model}/text_to_features`, { text });
          expect(f.status).toBe(200);
          rows.push((f.body as { features: number[] }).features);
          expect((await post(`/model/${model}/text_to_prediction`, { text })).status).toBe(200);
        }
        sent[model].push(rows);
        // a stored check over exactly this batch: one drift window each
        const check = await post('/monitoring/check', { model, size: batch.length });
        expect(check.status).toBe(200);
        expect((check.body as { window: { n: number } }).window.n).toBe(batch.length);
      }
    }
  }, 180_000);
  afterAll(async () => close());

  it('a binary cue word: each window counts its zeros and ones; the reference share is its mean', async () => {
    const { status, body } = await json<FeatureHistograms>('/monitoring/drift/v1/features/cw_scores_0/histograms');
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: 'v1', feature: 'cw_scores_0', kind: 'binary', bins: ['0', '1'], unit: 'predictions' });
    const ref = (await reference('v1')).cw_scores_0;
    expect(body.reference.shares).toEqual([1 - ref.mean, ref.mean]);
    expect(body.windows).toHaveLength(3);
    body.windows.forEach((w, k) => {
      const ones = sent.v1[k].filter((f) => f[2] >= 0.5).length;
      expect(w.counts).toEqual([BATCHES[k].length - ones, ones]);
      expect(w.n).toBe(BATCHES[k].length);
      expect(w.shares[1]).toBeCloseTo(ones / BATCHES[k].length, 12);
    });
    // oldest first, on a time axis: report times and window ranges
    const ats = body.windows.map((w) => Date.parse(w.at));
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
    for (const w of body.windows) expect(Date.parse(w.from!)).toBeLessThanOrEqual(Date.parse(w.to!));
  });

  it("a number: the drift report's Sturges bins over the reference sample and every window shown, one set for all", async () => {
    const { body } = await json<FeatureHistograms>('/monitoring/drift/v1/features/cap_r/histograms');
    expect(body.kind).toBe('numeric');
    const sample: number[] = (await reference('v1')).cap_r.sample;
    const values = sent.v1.map((rows) => rows.map((f) => f[0]));
    expect(new Set(sample).size).toBeGreaterThan(20); // so the Sturges branch is the one tested
    expect(Math.max(...values[2])).toBeGreaterThan(Math.max(...sample)); // and the last window's values count in the edges
    const edges = sturges([...sample, ...values.flat()]);
    expect(body.bins).toHaveLength(edges.length - 1);
    for (const [k, w] of body.windows.entries()) expect(w.counts).toEqual(countIn(values[k], edges));
    const refCounts = countIn(sample, edges);
    for (const [i, s] of body.reference.shares.entries()) expect(s).toBeCloseTo(refCounts[i] / sample.length, 12);
    // the last two windows only: the bins are made over those two
    const two = await json<FeatureHistograms>('/monitoring/drift/v1/features/cap_r/histograms?windows=2');
    expect(two.body.windows.map((w) => w.reportId)).toEqual(body.windows.slice(1).map((w) => w.reportId));
    const edges2 = sturges([...sample, ...values.slice(1).flat()]);
    for (const [k, w] of two.body.windows.entries()) expect(w.counts).toEqual(countIn(values[k + 1], edges2));
  });

  it('token ids: the reference’s 20 most frequent tokens and "other", counted per token position', async () => {
    const { body } = await json<FeatureHistograms>('/monitoring/drift/v3/features/token_ids/histograms?windows=3');
    expect(body).toMatchObject({ kind: 'tokens', unit: 'token positions' });
    const share: number[] = (await reference('v3')).features.tokenShare;
    const top = share
      .map((s, t) => [s, t])
      .slice(1)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, 20)
      .map(([, t]) => t);
    expect(body.bins).toEqual([...top.map((t) => `#${t}`), 'other']);
    body.windows.forEach((w, k) => {
      const counts = new Array<number>(21).fill(0);
      for (const row of sent.v3[k]) for (const t of row) if (t > 0 && t < share.length) counts[top.includes(t) ? top.indexOf(t) : 20]++;
      expect(w.counts).toEqual(counts);
      expect(w.total).toBe(counts.reduce((a, b) => a + b, 0));
    });
    expect(body.reference.shares[0]).toBe(share[top[0]]);
  });

  it('refuses an unknown feature with a 400 naming the field and the known ones, an unknown model with a 404', async () => {
    const bad = await json<{ error: string; detail: string; field: string; known: string[] }>('/monitoring/drift/v1/features/token_ids/histograms');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'validation_error', field: 'params.feature' });
    expect(bad.body.detail).toMatch(/^params\.feature: no drift feature token_ids for this model: expected one of cap_r, nal_r, cw_scores_0/);
    expect(bad.body.known).toContain('cap_r');
    const lstm = await json<{ known: string[] }>('/monitoring/drift/v3/features/cap_r/histograms');
    expect(lstm.status).toBe(400);
    expect(lstm.body.known).toEqual(['token_ids', 'length', 'oov_rate']);
    const windows = await json<{ field: string }>('/monitoring/drift/v1/features/cap_r/histograms?windows=0');
    expect(windows.status).toBe(400);
    expect(windows.body.field).toBe('querystring.windows');
    expect((await fetch(`${base}/monitoring/drift/nope/features/cap_r/histograms`)).status).toBe(404);
  });
});
