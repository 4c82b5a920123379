/**
 * F4: no read is unbounded and no heavy computation holds the event loop. Over 120,000 recorded
 * predictions: lists are pages of at most 1,000, a 100,000-prediction drift window is computed on
 * a worker thread, and /health answers quickly meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleServer } from '../testing/fixtures';
import type { PredictionRecord } from '../storage';

let s: Awaited<ReturnType<typeof sampleServer>>;
const N = 120_000;
beforeAll(async () => {
  s = await sampleServer();
  const v3 = (await s.engines.models.resolve('v3'))!;
  const now = Date.now();
  const rows: PredictionRecord[] = [];
  for (let i = 0; i < N; i++) {
    rows.push({
      id: `p${i}`,
      at: now - i * 10,
      model: 'v3',
      version: v3.version,
      endpoint: 'bench',
      features: Array.from({ length: 30 }, (_, j) => (i + j) % 180),
      spam: (i % 7) / 7,
      label: i % 7 > 3 ? 'spam' : 'ham',
      caller: 't',
      oov: (i % 5) / 10,
    });
    if (rows.length === 10_000) await s.engines.storage.predictions.appendMany(rows.splice(0));
  }
}, 120_000);
afterAll(async () => s?.close());

async function timed(url: string): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const r = await fetch(`${s.base}${url}`);
  await r.arrayBuffer();
  return { ms: performance.now() - t0, status: r.status };
}

describe('F4: bounded reads, heavy work off the event loop', () => {
  it('refuses a page larger than 1,000 and pages through with a cursor', async () => {
    expect((await fetch(`${s.base}/monitoring/predictions?model=v3&size=999999&hours=99999`)).status).toBe(400);
    const first = (await (await fetch(`${s.base}/monitoring/predictions?model=v3&size=1000&hours=99999`)).json()) as PredictionRecord[];
    expect(first).toHaveLength(1000);
    const next = (await (await fetch(`${s.base}/monitoring/predictions?model=v3&size=1000&hours=99999&before=${first[999].at}`)).json()) as PredictionRecord[];
    expect(next).toHaveLength(1000);
    expect(next[0].at).toBeLessThan(first[999].at);
    for (const path of [
      '/feedback?limit=5000',
      '/monitoring/alerts?limit=0',
      '/monitoring/drift/history?model=v3&limit=1001',
      '/monitoring/drift?model=v3&size=999999',
    ])
      expect((await fetch(`${s.base}${path}`)).status, path).toBe(400);
  });

  it('computes a 100,000-prediction drift window on a worker while /health keeps answering at once', async () => {
    const drift = fetch(`${s.base}/monitoring/drift?model=v3&size=100000&hours=99999`).then(async (r) => ({ status: r.status, body: await r.json() }));
    const pings: number[] = [];
    let done = false;
    void drift.then(() => {
      done = true;
    });
    while (!done) {
      pings.push((await timed('/health')).ms);
      await new Promise((r) => setTimeout(r, 20));
    }
    const d = await drift;
    expect(d.status).toBe(200);
    expect(d.body.window.n).toBe(100_000);
    expect(pings.length).toBeGreaterThan(2);
    expect(Math.max(...pings)).toBeLessThan(250);
  });
});
