/**
 * Two monitoring faults a hostile probe found, over real HTTP on one server:
 * - alerts are raised per version: a quality or drift alert starts when the version's own previous
 *   report did not have it. They were judged against the model's previous report whatever its
 *   version, so a newly promoted version as bad as the one before raised nothing;
 * - recorded predictions page by the last record's `at` and `id`: by `at` alone, the records
 *   sharing a page's last millisecond were skipped (an inbox batch's verdicts are recorded in one:
 *   the probe listed 2,063 of 3,000).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { sampleServer } from '../testing/fixtures';
import { newTimeUuid } from '../platform/timeuuid';

describe('monitoring over HTTP', () => {
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
      // a message of an inbox (feedback labels a message the product has)
      const sms_id = newTimeUuid();
      await engines.storage.users.insert({ user_id: 'otto', sms_id, sender_id: tag, sms_text: text });
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

  it('lists every record once, pages cut inside a millisecond included', async () => {
    const model = { name: 'v2', version: '1', outOfVocabularyRate: () => undefined };
    // 250 verdicts in three milliseconds, as the feature step records a batch's
    const at0 = Date.now() - 1000;
    for (let i = 0; i < 250; i++)
      engines.monitor.recorder.record({
        model: 'v2',
        version: '1',
        endpoint: 'inbox',
        caller: 'inbox',
        features: [i],
        spam: 0.2,
        label: 'ham',
        sms_id: `m${i}`,
        at: at0 + (i % 3),
      });
    engines.monitor.recorder.recordServed(model, { endpoint: 'inbox', caller: 'inbox', features: [250], spam: 0.2, sms_id: 'm250' });
    await engines.monitor.recorder.flush();
    const seen: string[] = [];
    let next = '';
    for (let pages = 0; pages < 50; pages++) {
      const page = (await (await fetch(`${base}/monitoring/predictions?model=v2&size=40${next}`)).json()) as { at: number; id: string; sms_id?: string }[];
      seen.push(...page.map((p) => p.sms_id!));
      if (page.length < 40) break;
      const last = page[page.length - 1];
      next = `&before=${last.at}&before_id=${encodeURIComponent(last.id)}`;
    }
    expect(seen).toHaveLength(251);
    expect(new Set(seen).size).toBe(251);
    // `before` alone still means "older than": the boundary millisecond's records are not in it
    const older = (await (await fetch(`${base}/monitoring/predictions?model=v2&size=1000&before=${at0 + 2}`)).json()) as { at: number }[];
    expect(older.every((p) => p.at < at0 + 2)).toBe(true);
    expect(older).toHaveLength(167);
  });
});
