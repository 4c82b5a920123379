/**
 * Alerts are raised per version: a quality or drift alert starts when the version's own previous
 * report did not have it. They were judged against the model's previous report whatever its
 * version, so a newly promoted version as bad as the one before raised nothing (found by a hostile
 * probe; this test is its repro).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { sampleServer } from '../testing/fixtures';

describe('alerts after a promotion', () => {
  let engines: Engines;
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ engines, base, close } = await sampleServer({ train: false }));
  }, 120_000);
  afterAll(async () => close());
  const post = (path: string, body: unknown) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const train = async (seed: number) => {
    const done = await engines.runs.wait((await engines.runs.start({ model: 'v1', params: { nEstimators: 3, seed } })).id);
    expect(done.status).toBe('succeeded');
    return (await engines.models.list('v1')).find((v) => v.runId === done.id)!.version;
  };
  /** promote, record 10 verdicts that feedback calls wrong, check */
  const badRound = async (version: string, tag: string) => {
    expect((await post('/models/v1/aliases', { alias: 'production', version })).status).toBe(200);
    await engines.serving.refresh('v1');
    const m = await engines.serving.getAny('v1');
    expect(m.version).toBe(version);
    for (let i = 0; i < 10; i++) {
      const text = `hello ${i} see you at the meeting tomorrow`;
      const sms_id = `${tag}-${i}`;
      engines.monitor.recorder.recordServed(m, { endpoint: 'inbox', caller: 'inbox', features: m.textToFeatures(text), spam: 0.9, text, sms_id });
      expect((await post('/feedback', { sms_id, true_label: 'ham' })).status).toBe(201);
    }
    await engines.monitor.recorder.flush();
    return engines.monitor.check('v1', { size: 10 });
  };

  it('raises a quality alert for a newly promoted version whose quality is below the threshold', async () => {
    const a = await train(1);
    const b = await train(2);
    expect(a).not.toBe(b);
    await engines.monitor.saveSettings({ minLabelled: 5, drift: { minWindow: 5 } });
    const ra = await badRound(a, 'a');
    expect(ra.quality?.accuracy).toBe(0);
    const rb = await badRound(b, 'b');
    expect(rb.version).toBe(b);
    expect(rb.quality?.accuracy).toBe(0);
    const alerts = (await engines.monitor.alerts()).filter((x) => x.kind === 'quality');
    expect(alerts.map((x) => x.version).sort()).toEqual([a, b].sort()); // was only version a's
  }, 120_000);
});
