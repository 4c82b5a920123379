/**
 * Two feature-store faults of a second hostile probe, over HTTP:
 * - a row pushed with an event time far in the future was taken, and held its entity's online
 *   value until then (a later push or feedback label could not replace it);
 * - the historical retrieval's CSV wrote texts a spreadsheet runs as formulas as they were, where
 *   every other CSV export escapes them (`raw` asks for them as stored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { testEngines, startTestServer } from '../testing/fixtures';
import { definitionsForStage } from '.';

describe('pushes and exports', () => {
  let e: Engines;
  let cleanup: () => Promise<void>;
  let server: { base: string; close: () => Promise<void> };
  const post = (path: string, body: unknown) =>
    fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const push = (id: string, at: string, label: string) =>
    post('/push', { push_source_name: 'labels_push', df: { sms_id: [id], event_timestamp: [at], label: [label] }, to: 'online_and_offline' });
  const online = async (id: string) =>
    (await (await post('/get-online-features', { features: ['sms_labels:label'], entities: { sms_id: [id] } })).json()) as {
      results: { values: unknown[] }[];
    };

  beforeAll(async () => {
    ({ engines: e, cleanup } = await testEngines());
    await e.features.apply(definitionsForStage('2021'), '2021');
    server = await startTestServer(e);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await cleanup();
  });

  it('refuses an event time more than a day ahead, naming the row, and keeps the value a later push gives', async () => {
    expect((await push('x1', new Date(Date.now() - 60_000).toISOString(), 'ham')).status).toBe(200);
    const far = await push('x1', '9999-12-31T23:59:59Z', 'ham');
    expect(far.status).toBe(400);
    const body = (await far.json()) as { field: string; detail: string };
    expect(body.field).toBe('df.event_timestamp[0]');
    expect(body.detail).toMatch(/more than a day ahead/);
    // within a day ahead (clocks differ) is taken
    expect((await push('x2', new Date(Date.now() + 3_600_000).toISOString(), 'ham')).status).toBe(200);
    // the label an operator gives now replaces the one before
    expect((await push('x1', new Date().toISOString(), 'spam')).status).toBe(200);
    expect((await online('x1')).results[1].values).toEqual(['spam']);
  });

  it('escapes formula cells in the historical CSV unless asked for them raw', async () => {
    const at = new Date(Date.now() - 30_000).toISOString();
    // a String feature carries any text (the API takes only "ham" or "spam" for a label, so these
    // rows go to the store as a push source of other strings would)
    const stored = (id: string, label: string) => e.features.push('labels_push', { sms_id: [id], event_timestamp: [at], label: [label] }, 'online_and_offline');
    await stored('f1', '=HYPERLINK("http://evil.example","win")');
    await stored('f2', '@SUM(A1:A9)');
    const csv = async (raw?: boolean) =>
      (
        await post('/get-historical-features', {
          features: ['sms_labels:label'],
          entities: { sms_id: ['f1', 'f2'], event_timestamp: [new Date().toISOString(), new Date().toISOString()] },
          format: 'csv',
          ...(raw === undefined ? {} : { raw }),
        })
      ).text();
    const safe = (await csv()).trim().split('\n');
    expect(safe[0]).toBe('sms_id,event_timestamp,label');
    expect(safe[1]).toMatch(/^f1,[^,]+,"'=HYPERLINK\(""http:\/\/evil\.example"",""win""\)"$/);
    expect(safe[2]).toMatch(/^f2,[^,]+,'@SUM\(A1:A9\)$/);
    const raw = (await csv(true)).trim().split('\n');
    expect(raw[1]).toMatch(/^f1,[^,]+,"=HYPERLINK\(""http:\/\/evil\.example"",""win""\)"$/);
    expect(raw[2]).toMatch(/^f2,[^,]+,@SUM\(A1:A9\)$/);
  });
});
