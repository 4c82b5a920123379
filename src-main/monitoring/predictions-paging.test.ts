/**
 * Paging the recorded predictions (GET /monitoring/predictions): by the last record's `at` and `id`,
 * every record once. By `at` alone, the records sharing a page's last millisecond were skipped (an
 * inbox batch's verdicts are recorded in one: a hostile probe listed 2,063 of 3,000).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { sampleServer } from '../testing/fixtures';

describe('paging recorded predictions', () => {
  let engines: Engines;
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ engines, base, close } = await sampleServer({ train: false }));
  }, 120_000);
  afterAll(async () => close());

  it('lists every record once, pages cut inside a millisecond included', async () => {
    const model = { name: 'v1', version: '1', outOfVocabularyRate: () => undefined };
    // 250 verdicts in three milliseconds, as the feature step records a batch's
    const at0 = Date.now() - 1000;
    for (let i = 0; i < 250; i++)
      engines.monitor.recorder.record({
        model: 'v1',
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
      const page = (await (await fetch(`${base}/monitoring/predictions?model=v1&size=40${next}`)).json()) as { at: number; id: string; sms_id?: string }[];
      seen.push(...page.map((p) => p.sms_id!));
      if (page.length < 40) break;
      const last = page[page.length - 1];
      next = `&before=${last.at}&before_id=${encodeURIComponent(last.id)}`;
    }
    expect(seen).toHaveLength(251);
    expect(new Set(seen).size).toBe(251);
    // `before` alone still means "older than": the boundary millisecond's records are not in it
    const older = (await (await fetch(`${base}/monitoring/predictions?model=v1&size=1000&before=${at0 + 2}`)).json()) as { at: number }[];
    expect(older.every((p) => p.at < at0 + 2)).toBe(true);
    expect(older).toHaveLength(167);
  });
});
