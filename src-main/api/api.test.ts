/** The feature server over real HTTP on loopback, against real engines on a temp data dir. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { sampleServer } from '../testing/fixtures';
import { nativeKernelTarget } from '../models/lstm/fused-lstm';

let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ base, close } = await sampleServer({ train: false }));
});
afterAll(async () => close());

const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(base + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('feature server over HTTP', () => {
  it('answers /health and the OpenAPI document', async () => {
    const h = await (await fetch(`${base}/health`)).json();
    expect(h).toMatchObject({ status: 'ok', bootstrapped: true, storage: { backend: 'sqlite' } });
    // what computes the LSTMs here: the native kernel where npm install built it, else WebAssembly with why
    const target = nativeKernelTarget();
    expect(h.runtimes.lstm).toBe(
      target
        ? `fused LSTM kernel, native (${target}): training backend auto = fused-native`
        : expect.stringMatching(/^fused LSTM kernel, WebAssembly SIMD128 \(the native build is not available: /),
    );
    const doc = await (await fetch(`${base}/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/get-online-features', '/push', '/materialize', '/materialize-incremental']));
    expect((await fetch(`${base}/docs`)).status).toBe(200);
  });

  it('serves get-online-features like the seed curl (no content type: curl -d)', async () => {
    const r = await post('/get-online-features', '{"feature_service": "labeled_sms_2", "entities": {"sms_id": ["sms90001", "sms90002", "nope"]}}', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(200);
    const j = await r.json();
    const i = j.metadata.feature_names.indexOf('features');
    expect(j.results[i].values[0]).toHaveLength(30);
    expect(j.results[i].statuses).toEqual(['PRESENT', 'PRESENT', 'NOT_FOUND']);
    // read as JSON, with JSON's guard: a prototype key is refused as it is with application/json
    for (const type of ['application/x-www-form-urlencoded', 'application/json']) {
      const proto = await post('/feedback', '{"sms_id":"sms90001","true_label":"ham","__proto__":{"x":1}}', { 'content-type': type });
      expect(proto.status, type).toBe(400);
      expect(await proto.json(), type).toMatchObject({ field: 'body', detail: expect.stringMatching(/^body: holds a "__proto__"/) });
    }
  });

  it('pushes through the push source, then reads the new value', async () => {
    const features = [...Array(25).fill(1), 65, 65, 108, 2, 30];
    const r = await post('/push', {
      push_source_name: 'smss2_push',
      df: { sms_id: ['sms90003'], event_timestamp: ['2021-09-02 00:00:00'], features: [features] },
      to: 'online_and_offline',
    });
    expect(r.status).toBe(200);
    const j = await (await post('/get-online-features', { feature_service: 'labeled_sms_2', entities: { sms_id: ['sms90003'] } })).json();
    expect(j.results[1].values[0]).toEqual(features);
  });

  it('gives 4xx with the field or the known names for bad input', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      ['/get-online-features', { feature_service: 'nope', entities: { sms_id: ['a'] } }, 404, /labeled_sms_1, labeled_sms_2/],
      ['/get-online-features', { features: ['sms_features9:x'], entities: { sms_id: ['a'] } }, 404, /sms_features1/],
      ['/get-online-features', { feature_service: 'labeled_sms_1', entities: { sms_id: 'a' } }, 400, /entities/],
      ['/get-online-features', { feature_service: 'labeled_sms_1' }, 400, /entities/],
      ['/push', { push_source_name: 'smss2_push', df: { sms_id: ['a'], event_timestamp: ['2021-09-02'], features: [[1, 2]] } }, 400, /expected 30 integers/],
      ['/push', { push_source_name: 'smss2_push', df: { sms_id: ['a'], event_timestamp: ['soon'], features: [Array(30).fill(0)] } }, 400, /not a timestamp/],
      ['/materialize', { start_ts: '2020-01-01', end_ts: 'never' }, 400, /end_ts/],
      // values a field's type allows but the product does not: stored, then refused by serving or dropped by training
      [
        '/push',
        { push_source_name: 'labels_push', df: { sms_id: ['pl1', 'pl2'], event_timestamp: ['2021-09-02', '2021-09-02'], label: ['spam', 'maybe'] } },
        400,
        /^df\.label\[1\]: expected "ham" or "spam" \(the classes the models learn\), got "maybe"$/,
      ],
      [
        '/push',
        { push_source_name: 'smss2_push', df: { sms_id: ['pf1'], event_timestamp: ['2021-09-02'], features: [[...Array(29).fill(0), 99999999]] } },
        400,
        /^df\.features\[0\]\[29\]: expected a token id from 0 to \d+ \(the tokenizer keeps \d+ words; 0 pads\), got 99999999$/,
      ],
      [
        '/push',
        { push_source_name: 'smss2_push', df: { sms_id: ['pf2'], event_timestamp: ['2021-09-02'], features: [[-3, ...Array(29).fill(0)]] } },
        400,
        /df\.features\[0\]\[0\]: expected a token id/,
      ],
      ['/materialize', { start_ts: '2020-01-01', end_ts: '2021-01-01', feature_views: ['nope'] }, 404, /sms_features1/],
    ];
    for (const [path, body, status, re] of cases) {
      const r = await post(path, body);
      const j = await r.json();
      expect({ path, status: r.status, detail: j.detail }).toEqual({ path, status, detail: expect.stringMatching(re) });
    }
    // nothing of a refused push was stored
    const after = await (
      await post('/get-online-features', { features: ['sms_labels:label', 'sms_features2:features'], entities: { sms_id: ['pl1', 'pf1'] } })
    ).json();
    expect(after.results[1].statuses).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(after.results[2].statuses).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    // an end far ahead (to take everything): the next incremental run starts at the time of this
    // one, not in the year 3000, so a row pushed offline afterwards is materialized by it
    expect((await post('/materialize-incremental', { end_ts: '3000-01-01' })).status).toBe(200);
    const now = new Date().toISOString();
    const pushed = await post('/push', { push_source_name: 'labels_push', df: { sms_id: ['pit4'], event_timestamp: [now], label: ['spam'] }, to: 'offline' });
    expect(pushed.status).toBe(200);
    expect((await post('/materialize-incremental', { end_ts: new Date(Date.now() + 60_000).toISOString() })).status).toBe(200);
    const pit4 = await (await post('/get-online-features', { features: ['sms_labels:label'], entities: { sms_id: ['pit4'] } })).json();
    expect(pit4.results[1].values).toEqual(['spam']);
    // an incremental end before where every view stands: said so, not reported as a run from 1999
    const back = await post('/materialize-incremental', { end_ts: '1999-01-01' });
    expect(back.status).toBe(400);
    expect((await back.json()).detail).toMatch(
      /^end_ts 1999-01-01T00:00:00(\.000)?Z is before where the views are materialized up to \(sms_features1 \(.+\): nothing to do incrementally; POST \/materialize loads any range$/,
    );
  });

  it('maps malformed, wrong-typed, oversized and misdirected requests to 4xx', async () => {
    expect((await post('/get-online-features', '{"entities": ')).status).toBe(400);
    expect((await post('/get-online-features', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    // an empty JSON body, and a CSV sent as the body of the upload route: in the API's words
    for (const path of ['/get-online-features', '/push']) {
      const empty = await post(path, '');
      expect({ path, status: empty.status, body: await empty.json() }).toEqual({
        path,
        status: 400,
        body: { error: 'bad_request', detail: 'the body is empty: send a JSON object (the content type says application/json)' },
      });
    }
    const csv = await post('/data/imports', 'sms_id,text,label\n', { 'content-type': 'text/csv' });
    expect(csv.status).toBe(415);
    expect((await csv.json()).detail).toBe(
      'unsupported content type "text/csv": send the file as multipart/form-data in the field "file" (curl -F file=@data.csv)',
    );
    const both = await post('/get-historical-features', {
      feature_service: 'labeled_sms_1',
      entities: { sms_id: ['a'], event_timestamp: ['2021-01-01'] },
      at: '2030-01-01',
    });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({
      field: 'at',
      detail: 'at: give either "at" (the time of every row) or entities.event_timestamp (one per id), not both',
    });
    expect((await post('/get-online-features', JSON.stringify({ features: ['sms_labels:label'], entities: { sms_id: ['x'.repeat(2_000_000)] } }))).status).toBe(
      413,
    );
    // /push takes 32 MiB (room for its 100,000 rows): a body past that is a 413 too
    expect((await post('/push', JSON.stringify({ push_source_name: 'smss2_push', df: { sms_id: ['x'.repeat(34_000_000)] } }))).status).toBe(413);
    // fetch cannot set Host: a raw request as a DNS-rebinding page would send it
    const rebinding = await new Promise<number>((resolve, reject) => {
      const u = new URL(base);
      http
        .get({ host: u.hostname, port: u.port, path: '/health', headers: { host: 'evil.example:8000' } }, (res) => resolve(res.statusCode ?? 0))
        .on('error', reject);
    });
    expect(rebinding).toBe(421);
    const foreign = await post('/push', {}, { 'content-type': 'application/json', origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const allowed = await fetch(`${base}/health`, { headers: { origin: 'http://localhost:3000' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });

  it('serves the registry read-only routes', async () => {
    const views = await (await fetch(`${base}/registry/feature-views`)).json();
    expect(views.map((v: { name: string }) => v.name)).toEqual(['sms_features1', 'sms_labels', 'sms_features2']);
    expect(views[0].online_rows).toBe(240);
    const hist = await (await fetch(`${base}/registry/history`)).json();
    expect(hist[0].version).toBe(1);
    const prev = await (await fetch(`${base}/offline/smss1/preview?limit=5`)).json();
    expect(prev.rows).toHaveLength(5);
    expect(prev.total_rows).toBe(240);
    expect((await fetch(`${base}/offline/nope/preview`)).status).toBe(404);
  });
});
