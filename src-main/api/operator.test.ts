/**
 * The operator's lookups and serving trials over real HTTP, on the sample data dir: the message
 * behind an online entry (inbox, warehouse, unknown), "Try it" against any registered version
 * (number or alias, served or not, from the cache or not), and the call log as a CSV file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '../engines';
import { sampleServer } from '../testing/fixtures';
import { until } from '../testing/wait';
import { timeOfTimeUuid } from '../platform';
import type { MessageContextAnswer } from '../../src-shared/featurestore';
import type { CallLogRow, VersionPredictionAnswer } from '../../src-shared/serving';

let engines: Engines;
let base: string;
let close: () => Promise<void>;
/** a second v1, trained here: registered, not production */
let trial = '';

beforeAll(async () => {
  ({ engines, base, close } = await sampleServer({ train: false }));
  // production, then a second v1 of another seed beside it
  await engines.runs.wait((await engines.runs.start({ model: 'v1', alias: 'production' })).id);
  const run = await engines.runs.wait((await engines.runs.start({ model: 'v1', params: { seed: 99 } })).id);
  trial = run.version ?? '';
}, 300_000);
afterAll(async () => close());

const get = async <T>(path: string) => {
  const r = await fetch(base + path);
  return { status: r.status, body: (await r.json()) as T };
};
const post = async <T>(path: string, body: unknown) => {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as T };
};
type Err = { error: string; detail: string; field?: string; known?: string[] };

// fiona's "Dear winner…" of the seed's sample inbox, and a message of the sample dataset (warehouse)
const INBOX_ID = '87b4c000-8592-11e9-bff6-20a2e9f40feb';

describe('the message behind an online entry (GET /online/messages)', () => {
  it('inbox messages with text, user and date; warehouse messages with text and label; each null says why', async () => {
    const r = await get<MessageContextAnswer>(`/online/messages?ids=${INBOX_ID},sms90001,nosuchid`);
    expect(r.status).toBe(200);
    const [inbox, warehouse, unknown] = r.body.messages;
    expect(inbox).toMatchObject({
      sms_id: INBOX_ID,
      found_in: ['inbox'],
      text: 'Dear winner, please call 800-884433 to retrieve your FREE delivery',
      user_id: 'fiona',
      sender_id: 'pete',
      sent_at: timeOfTimeUuid(INBOX_ID).toISOString(),
      label: null,
      reasons: {},
    });
    expect(inbox.sent_at?.startsWith('2019-06-')).toBe(true);
    expect(warehouse).toMatchObject({
      sms_id: 'sms90001',
      found_in: ['warehouse'],
      text: 'Can u ask ur brother if he still has the tent',
      user_id: null,
      sent_at: null,
      label: 'ham',
    });
    expect(warehouse.reasons.user_id).toMatch(/the warehouse keeps no user/);
    expect(warehouse.reasons.sent_at).toMatch(/no TimeUUID/);
    expect(unknown).toMatchObject({ sms_id: 'nosuchid', found_in: [], text: null, user_id: null, sent_at: null, label: null });
    expect(unknown.reasons.text).toMatch(/no message with this id/);
    // the same ids have online features: the lookup and its message go together
    const online = await post<{ results: { statuses: string[] }[] }>('/get-online-features', {
      feature_service: 'labeled_sms_2',
      entities: { sms_id: [INBOX_ID, 'sms90001'] },
    });
    expect(online.body.results[1].statuses).toEqual(['PRESENT', 'PRESENT']);
  });

  it('answers 400 naming ids for none, an empty one, a long one, or too many', async () => {
    const cases: [string, string][] = [
      ['', 'querystring.ids'],
      ['?ids=', 'querystring.ids'],
      ['?ids=a,,b', 'ids'],
      [`?ids=${'x'.repeat(201)}`, 'ids'],
      [`?ids=${Array.from({ length: 101 }, (_, i) => `s${i}`).join(',')}`, 'ids'],
      ['?ids=a&user=b', 'querystring.user'],
    ];
    for (const [q, field] of cases) {
      const r = await get<Err>(`/online/messages${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.field, q).toBe(field);
      expect(r.body.detail, q).toBeTruthy();
    }
  });
});

describe('"Try it" against any registered version (POST /models/{name}/versions/{version}/text_to_prediction)', () => {
  const text = 'WINNER!! Claim your FREE prize now, call 09061701461';
  const tryIt = (name: string, version: string, body: unknown = { text }) =>
    post<VersionPredictionAnswer>(`/models/${name}/versions/${version}/text_to_prediction`, body);

  it('answers with a version that is not production, says which, then from the cache', async () => {
    expect(trial).toMatch(/^[0-9]+$/);
    const production = (await engines.models.resolve('v1'))?.version;
    expect(trial).not.toBe(production);
    const a = await tryIt('v1', trial);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ model: 'v1', version: trial, asked: trial, aliases: [], from_cache: false });
    expect(a.body.prediction.ham + a.body.prediction.spam).toBeCloseTo(1, 6);
    // the cache is written after the answer: wait for it, then the same input answers from it
    const b = await until('a cached answer', async () => {
      const x = await tryIt('v1', trial);
      return x.body.from_cache ? x : undefined;
    });
    expect(b.body.prediction).toEqual(a.body.prediction);
    expect(b.body.version).toBe(trial);
    // skip_cache computes again
    expect((await tryIt('v1', trial, { text, skip_cache: true })).body.from_cache).toBe(false);
  });

  it('an alias answers with the version it points at, as the served route does', async () => {
    const p = await tryIt('v1', 'production', { text, skip_cache: true });
    expect(p.status).toBe(200);
    const production = (await engines.models.resolve('v1'))?.version;
    expect(p.body).toMatchObject({ version: production, asked: 'production' });
    expect(p.body.aliases).toContain('production');
    const served = await post<{ prediction: { spam: number } }>('/model/v1/text_to_prediction', { text, skip_cache: true });
    expect(p.body.prediction.spam).toBeCloseTo(served.body.prediction.spam, 12);
    // the trial version is another model: its answer is not production's
    const t = await tryIt('v1', trial, { text, skip_cache: true });
    expect(t.body.prediction.spam).not.toBe(p.body.prediction.spam);
  });

  it('answers 404 naming the versions or aliases there are, 400 for a bad body', async () => {
    const v = await post<Err>('/models/v1/versions/99/text_to_prediction', { text });
    expect(v.status).toBe(404);
    expect(v.body.known).toEqual(expect.arrayContaining(['1', trial]));
    const a = await post<Err>('/models/v1/versions/nope/text_to_prediction', { text });
    expect(a.status).toBe(404);
    expect(a.body.known).toEqual(['production']);
    expect(a.body.detail).toMatch(/no version "nope"/);
    const m = await post<Err>('/models/zz/versions/1/text_to_prediction', { text });
    expect(m.status).toBe(404);
    const noText = await post<Err>(`/models/v1/versions/${trial}/text_to_prediction`, { txt: 'x' });
    expect(noText.status).toBe(400);
    expect(noText.body.field).toMatch(/^body/);
    const long = await post<Err>(`/models/v1/versions/${trial}/text_to_prediction`, { text: 'x'.repeat(20_001) });
    expect(long.status).toBe(400);
    expect(long.body.field).toBe('body.text');
  });
});

describe('the call log as a file (GET /serving/call-log)', () => {
  it("the caller's calls, tried versions included, as JSON or as CSV with every cell escaped", async () => {
    await post('/model/v1/text_to_prediction', { text: '=HYPERLINK("http://x") call now' });
    await post(`/models/v1/versions/${trial}/text_to_prediction`, { text: '@SUM(1+1) tried' });
    const rows = await until('both calls in the log', async () => {
      const r = await get<CallLogRow[]>('/serving/call-log?version=v1');
      return r.body.some((x) => x.version === `v1@${trial}` && x.input_json.includes('@SUM')) && r.body.some((x) => x.input_json.includes('HYPERLINK'))
        ? r.body
        : undefined;
    });
    expect(rows.every((x) => x.version === 'v1' || x.version.startsWith('v1@'))).toBe(true);
    const csv = await fetch(`${base}/serving/call-log?version=v1&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="call-log-v1.csv"');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('called_at,caller_id,endpoint,version,input_json');
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines[1].split(',')[0]).toBe(rows[0].called_at);
    expect(lines.some((l) => l.endsWith(`,text_to_prediction,v1@${trial},"""@SUM(1+1) tried"""`))).toBe(true);
    expect(lines.some((l) => l.includes('"""=HYPERLINK(\\""http://x\\"") call now"""'))).toBe(true);
    // every model's calls without a version
    const all = await get<CallLogRow[]>('/serving/call-log');
    expect(all.body.length).toBeGreaterThanOrEqual(rows.length);
  });

  it('answers 400 for a bad format, 404 naming the served ids for an unknown one', async () => {
    const f = await get<Err>('/serving/call-log?format=xlsx');
    expect(f.status).toBe(400);
    expect(f.body.field).toBe('querystring.format');
    const v = await get<Err>('/serving/call-log?version=v9');
    expect(v.status).toBe(404);
    expect(v.body.known).toEqual(['v1', 'v2', 'v3']);
  });
});
