/** Serving, user data and the inbox over real HTTP, against real engines and trained models. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { renameSync, writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engines } from '../engines';
import { SAMPLE_DATASET, sampleServer } from '../testing/fixtures';
import { until } from '../testing/wait';

let engines: Engines;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ engines, base, close } = await sampleServer());
});
afterAll(async () => close());

const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(base + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const json = async (r: Response | Promise<Response>) => (await r).json();
const idle = () => new Promise((r) => setTimeout(r, 30));

describe('model serving (the seed curl commands)', () => {
  it('serves text_to_features, features_to_prediction and text_to_prediction for v1, v2, v3', async () => {
    const f1 = await json(post('/model/v1/text_to_features', { text: 'I have a dream' }));
    expect(f1).toEqual({ features: [1 / 11, 0, 0, 0, 0, 0, 0, 0, 0], from_cache: false });
    const p1 = await json(post('/model/v1/features_to_prediction', { features: [0.09090909090909091, 0.0, 0, 0, 0, 0, 0, 0, 0] }));
    expect(p1.prediction.ham + p1.prediction.spam).toBeCloseTo(1, 6);
    expect(p1.top.label).toBe(p1.prediction.ham >= p1.prediction.spam ? 'ham' : 'spam');
    // a value no text gives is refused naming the feature (cap_r 1e308 was answered, and recorded for drift)
    for (const [features, field] of [
      [[1e308, 0, 0, 0, 0, 0, 0, 0, 0], /^features\[0\] \(cap_r\): expected a number from 0 to 1/],
      [[0.5, -1, 0, 0, 0, 0, 0, 0, 0], /^features\[1\] \(nal_r\): expected a number from 0 to 40000/],
      [[0.5, 1, 0, 2, 0, 0, 0, 0, 0], /^features\[3\] \(cw_scores_1\): expected a number from 0 to 1/],
    ] as const) {
      const r = await post('/model/v1/features_to_prediction', { features });
      expect(r.status).toBe(422);
      expect((await r.json()).detail).toMatch(field);
    }
    for (const v of ['v2', 'v3']) {
      const f = await json(post(`/model/${v}/text_to_features`, { text: 'I have a dream' }));
      expect(f.features).toHaveLength(30);
      const seedVector = [...Array(27).fill(0.0), 1.0, 20.0, 4.0];
      const p = await json(post(`/model/${v}/features_to_prediction`, { features: seedVector }));
      expect(Object.keys(p).sort()).toEqual(['from_cache', 'prediction', 'top']);
      const t = await json(post(`/model/${v}/text_to_prediction`, { text: 'I have a dream', echo_input: true }));
      expect(t.input).toBe('I have a dream');
    }
  });

  it('caches by (endpoint, version, input), skip_cache bypasses it', async () => {
    const body = { text: 'Call now to claim your FREE prize' };
    const a = await json(post('/model/v3/text_to_prediction', body));
    await idle(); // the cache is written after the response
    const b = await json(post('/model/v3/text_to_prediction', body));
    const c = await json(post('/model/v3/text_to_prediction', { ...body, skip_cache: true }));
    expect([a.from_cache, b.from_cache, c.from_cache]).toEqual([false, true, false]);
    expect(b.prediction).toEqual(a.prediction);
    // a hot input's answer is one object shared by its callers: echoing the input changes no one else's
    const echoed = await json(post('/model/v3/text_to_prediction', { ...body, echo_input: true }));
    expect(echoed).toEqual({ ...b, input: body.text });
    expect(await json(post('/model/v3/text_to_prediction', body))).toEqual(b);
    expect((await json(post('/model/v2/text_to_prediction', body))).from_cache).toBe(false);
  });

  it('answers a hot input of every route from memory, logged and recorded as a computed one', async () => {
    const text = 'A hot input for all three routes';
    await engines.monitor.recorder.flush();
    const since = Date.now() - 1;
    const f1 = await json(post('/model/v2/text_to_features', { text }));
    await idle();
    const f2 = await json(post('/model/v2/text_to_features', { text }));
    expect([f1.from_cache, f2.from_cache]).toEqual([false, true]);
    expect(f2.features).toEqual(f1.features);
    const p1 = await json(post('/model/v2/features_to_prediction', { features: f1.features }));
    await idle();
    const p2 = await json(post('/model/v2/features_to_prediction', { features: f1.features, echo_input: true }));
    expect([p1.from_cache, p2.from_cache]).toEqual([false, true]);
    expect(p2).toEqual({ ...p1, from_cache: true, input: f1.features });
    await engines.monitor.recorder.flush();
    const rows = (await engines.storage.predictions.recent('v2', since, 10_000)).filter((r) => r.endpoint === 'features_to_prediction');
    expect(rows.map((r) => r.features)).toEqual([f1.features, f1.features]);
    const log = await json(fetch(`${base}/model/v2/recent_call_log`));
    expect(
      log
        .filter((c: { endpoint: string }) => c.endpoint !== 'text_to_prediction')
        .slice(0, 4)
        .map((c: { endpoint: string }) => c.endpoint),
    ).toEqual(['features_to_prediction', 'features_to_prediction', 'text_to_features', 'text_to_features']);
  });

  it('answers skip_cache on the forest at once with what the model says, logged, recorded and cached', async () => {
    const text = 'Forest past the cache: claim your prize';
    await engines.monitor.recorder.flush();
    const since = Date.now() - 1;
    const a = await json(post('/model/v1/text_to_prediction', { text, skip_cache: true, echo_input: true }));
    const v1 = await engines.serving.get('v1');
    const p = v1.predict([v1.textToFeatures(text)])[0];
    expect(a).toMatchObject({ prediction: { ham: p.ham, spam: p.spam }, from_cache: false, input: text });
    await idle(); // the cache is written after the response
    expect(await json(post('/model/v1/text_to_prediction', { text }))).toEqual({ prediction: a.prediction, top: a.top, from_cache: true });
    await engines.monitor.recorder.flush();
    const rows = (await engines.storage.predictions.recent('v1', since, 10_000)).filter((r) => r.endpoint === 'text_to_prediction');
    expect(rows.map((r) => r.features)).toEqual([v1.textToFeatures(text), v1.textToFeatures(text)]);
    const log = await json(fetch(`${base}/model/v1/recent_call_log`));
    expect(log.slice(0, 2).map((c: { input_json: string }) => c.input_json)).toEqual([JSON.stringify(text), JSON.stringify(text)]);
  });

  it('records a cached answer with the same features and unknown-word rate as the answer it repeats', async () => {
    const text = 'Zorblax quintuple your FREE prize now';
    await engines.monitor.recorder.flush();
    const since = Date.now() - 1;
    const a = await json(post('/model/v3/text_to_prediction', { text }));
    await idle();
    const b = await json(post('/model/v3/text_to_prediction', { text }));
    expect([a.from_cache, b.from_cache]).toEqual([false, true]);
    await engines.monitor.recorder.flush();
    const rows = (await engines.storage.predictions.recent('v3', since, 10_000)).filter((r) => r.endpoint === 'text_to_prediction');
    expect(rows).toHaveLength(2);
    const features = (await json(post('/model/v3/text_to_features', { text, skip_cache: true }))).features;
    for (const r of rows) {
      expect(r.features).toEqual(features);
      expect(r.oov).toBeGreaterThan(0); // "Zorblax" is not in the tokenizer's vocabulary
      expect(r.oov).toBe(rows[0].oov);
    }
  });

  it("keeps the caller's recent call log, newest first, per caller", async () => {
    await post('/model/v1/text_to_prediction', { text: 'log me' });
    const log = await json(fetch(`${base}/model/v1/recent_call_log`));
    expect(log[0]).toMatchObject({ endpoint: 'text_to_prediction', version: 'v1', input_json: '"log me"', caller_id: '127.0.0.1' });
    const times = log.map((x: { called_at: string }) => x.called_at);
    expect([...times].sort().reverse()).toEqual(times);
    // another caller (behind a trusted proxy in production) sees nothing of these
    const other = await engines.storage.callLog.recent('10.9.9.9', 0)[Symbol.asyncIterator]().next();
    expect(other.done).toBe(true);
  });

  it('counts every serving response under its route and the version asked for, 404s included', async () => {
    const before = await json(fetch(`${base}/serving/stats`));
    await json(post('/model/v1/text_to_prediction', { text: 'counted once' }));
    await json(post('/model/v1/text_to_features', { text: 'counted once' }));
    await json(post('/prediction', { model_id: 'v2', text: 'counted once' }));
    await fetch(`${base}/prediction?model_id=v3&text=counted`);
    await (await fetch(`${base}/model/v1/recent_call_log`)).text();
    await post('/model/v9/text_to_prediction', { text: 'not served' });
    await post('/models/v1/versions/1/text_to_prediction', { text: 'a trial is not traffic' });
    const after = await json(fetch(`${base}/serving/stats`));
    const grew = (route: string) => (after.requests.by_endpoint[route] ?? 0) - (before.requests.by_endpoint[route] ?? 0);
    expect([grew('text_to_prediction'), grew('text_to_features'), grew('prediction'), grew('recent_call_log')]).toEqual([2, 1, 2, 1]);
    expect(after.requests.total - before.requests.total).toBe(6);
    const series = (route: string) => after.series.filter((x: { route: string }) => x.route === route).map((x: { version: string }) => x.version);
    expect(series('text_to_prediction')).toEqual(expect.arrayContaining(['v1', 'v9']));
    expect(series('prediction')).toEqual(expect.arrayContaining(['v2', 'v3']));
  });

  it('answers unknown versions and bad vectors with 404 and 422', async () => {
    const r = await post('/model/v7/text_to_prediction', { text: 'x' });
    expect(r.status).toBe(404);
    expect((await r.json()).known).toEqual(['v1', 'v2', 'v3']);
    for (const features of [
      [1, 2, 3],
      [...Array(29).fill(0), 'x'],
      [...Array(29).fill(0), 1.5],
      [...Array(29).fill(0), 999],
    ]) {
      const x = await post('/model/v3/features_to_prediction', { features });
      expect(x.status).toBe(422);
    }
    expect((await post('/model/v1/features_to_prediction', { features: [0, 0, 0, 0, 0, 0, 0, 0, null] })).status).toBe(422);
    const bad = await (await post('/model/v1/features_to_prediction', { features: [1, 2] })).json();
    expect(bad).toMatchObject({ error: 'unprocessable_features', field: 'body.features' });
    // past the cache the forest answers at once: a bad vector is refused the same way there
    for (const v of ['v1', 'v3']) {
      const r = await post(`/model/${v}/features_to_prediction`, { features: [1, 2], skip_cache: true });
      expect([v, r.status, (await r.json()).field]).toEqual([v, 422, 'body.features']);
    }
  });

  it("answers the registry's domain errors with their statuses: a version not registered 404 naming the versions, a served one 409", async () => {
    const missing = await fetch(`${base}/models/v1/versions/999`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found', detail: 'model v1 has no version 999', known: expect.arrayContaining(['1']) });
    // of a model with no version, the models there are (it said `known: []`)
    const model = await fetch(`${base}/models/v9/versions/1`);
    expect(model.status).toBe(404);
    expect(await model.json()).toMatchObject({
      field: 'name',
      detail: expect.stringMatching(/^no model "v9" is registered; models: .*v1/),
      known: expect.arrayContaining(['v1']),
    });
    const served = (await engines.models.resolve('v1'))?.version as string;
    const del = await fetch(`${base}/models/v1/versions/${served}`, { method: 'DELETE' });
    expect(del.status).toBe(409);
    expect(await del.json()).toMatchObject({ error: 'conflict', detail: expect.stringMatching(/is being served/) });
  });

  it('answers a /prediction model id never registered with 404 naming the models (UnknownModelError, mapped in api/errors.ts)', async () => {
    const r = await post('/prediction', { model_id: 'nope', text: 'x' });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: 'not_found', detail: expect.stringMatching(/no model "nope" is registered/), known: ['v1', 'v2', 'v3'] });
  });

  it('answers the seed 002 /prediction with n_top, also as GET with a JSON body', async () => {
    const p = await json(post('/prediction', { model_id: 'v3', text: 'I want to save for vacation!', n_top: 2 }));
    expect(p.predictions.map((x: { label: string }) => x.label).sort()).toEqual(['ham', 'spam']);
    const viaGet = await new Promise<string>((resolve, reject) => {
      const body = JSON.stringify({ model_id: 'v1', text: 'I want to save for vacation!' });
      const u = new URL(base);
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: '/prediction',
          method: 'GET',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let s = '';
          res.on('data', (d) => (s += d));
          res.on('end', () => resolve(s));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(JSON.parse(viaGet).predictions).toHaveLength(1);
  });

  it('answers 64 concurrent uncached requests (micro-batched) with the predictions it gives them one by one', async () => {
    const texts = [
      ...new Set(
        readFileSync(SAMPLE_DATASET, 'utf8')
          .split('\n')
          .slice(1)
          .map((line) => line.split(',').slice(1, -1).join(','))
          .filter(Boolean),
      ),
    ].slice(0, 64);
    expect(texts).toHaveLength(64);
    const batchesBefore = (await json(fetch(`${base}/serving/stats`))).batches;
    const v2features = await Promise.all(texts.map(async (text) => (await json(post('/model/v2/text_to_features', { text }))).features as number[]));
    const requests: [string, (i: number) => object, (answer: { prediction?: unknown; predictions?: unknown }) => unknown][] = [
      ['/model/v3/text_to_prediction', (i) => ({ text: texts[i], skip_cache: true }), (a) => a.prediction],
      ['/model/v2/features_to_prediction', (i) => ({ features: v2features[i], skip_cache: true }), (a) => a.prediction],
      ['/prediction', (i) => ({ model_id: 'v3', text: texts[i], n_top: 2 }), (a) => a.predictions],
    ];
    for (const [path, body, answer] of requests) {
      const one = async (i: number) => {
        const r = await post(path, body(i));
        expect(r.status).toBe(200);
        return answer(await r.json());
      };
      const sequential: unknown[] = [];
      for (let i = 0; i < texts.length; i++) sequential.push(await one(i));
      const concurrent = await Promise.all(texts.map((_, i) => one(i)));
      expect(concurrent).toEqual(sequential);
    }
    // and the kernel's own answer for each message alone
    const v3 = await engines.serving.get('v3');
    const alone = texts.map((t) => v3.predict([v3.textToFeatures(t)])[0]);
    const concurrent = await Promise.all(texts.map(async (text) => (await json(post('/model/v3/text_to_prediction', { text, skip_cache: true }))).prediction));
    expect(concurrent).toEqual(alone);
    // every one of those 7 x 64 predictions went through the batcher (how many shared a call depends on arrival)
    const batches = (await json(fetch(`${base}/serving/stats`))).batches;
    expect(batches).toMatchObject({ max_wait_ms: 1, max_batch: 8 });
    expect(batches.rows - batchesBefore.rows).toBe(7 * 64);
    expect(batches.calls - batchesBefore.calls).toBeGreaterThan(0);
    expect(batches.calls - batchesBefore.calls).toBeLessThanOrEqual(7 * 64);
  });

  it('picks up a promoted version without a restart and invalidates its cache', async () => {
    const before = engines.serving.current('v2')?.version ?? (await engines.serving.get('v2')).version;
    const body = { text: 'promotion check' };
    await post('/model/v2/text_to_prediction', body);
    await idle();
    expect((await json(post('/model/v2/text_to_prediction', body))).from_cache).toBe(true);
    const run = await engines.runs.wait((await engines.runs.start({ model: 'v2', params: { seed: 99, epochs: 1 }, alias: 'production' })).id);
    for (let i = 0; i < 50 && engines.serving.current('v2')?.version === before; i++) await idle();
    expect(engines.serving.current('v2')?.version).toBe(run.version);
    expect((await json(post('/model/v2/text_to_prediction', body))).from_cache).toBe(false);
  });
});

describe('user data and the inbox pipeline', () => {
  it('serves the sample inbox with the seed ids and dates', async () => {
    const m = await json(fetch(`${base}/sms/fiona/32e14000-8400-11e9-aeb7-d19b11ef0c7e`));
    expect(m).toMatchObject({ user_id: 'fiona', sender_id: 'nina', date_sent: '2019-06-01T00:00:00.000Z' });
    const list = await json(fetch(`${base}/sms/fiona`));
    expect(list.length).toBeGreaterThanOrEqual(6);
    expect(list.some((x: { sms_text: string }) => x.sms_text.startsWith('Dear winner'))).toBe(true);
    expect((await fetch(`${base}/sms/fiona/32e14000-8400-11e9-aeb7-d19b11ef0c7f`)).status).toBe(404);
    expect((await fetch(`${base}/sms/fiona/not-a-uuid`)).status).toBe(400);
  });

  it('writes with POST /sms/{user} (TimeUUID id, date derived)', async () => {
    const w = await json(post('/sms/ellen', { sender_id: 'otto', sms_text: 'Can u get me some cabbages at the grocery store?' }));
    expect(w).toMatchObject({ successful: true });
    const back = await json(fetch(`${base}/sms/ellen/${w.sms_id}`));
    expect(Math.abs(Date.parse(back.date_sent) - Date.now())).toBeLessThan(60_000);
  });

  it('architecture II: inbox message -> online v2 features -> v3 prediction', async () => {
    const r = await json(post('/sms', { recipient_id: 'otto', sender_id: 'ellen', sms_text: 'They only have turnips left. What do I do?' }));
    expect(r).toMatchObject({ success: true });
    const [latest] = await json(fetch(`${base}/sms/otto`));
    expect(latest.sms_id).toBe(r.sms_id);
    // one message by its id, written in either case (upper case answered 404)
    for (const id of [r.sms_id, r.sms_id.toUpperCase()]) expect((await json(fetch(`${base}/sms/otto/${id}`))).sms_id).toBe(r.sms_id);
    const online = await json(post('/get-online-features', { feature_service: 'labeled_sms_2', entities: { sms_id: [latest.sms_id] } }));
    const i = online.metadata.feature_names.indexOf('features');
    expect(online.results[i].statuses[0]).toBe('PRESENT');
    const p = await json(post('/model/v3/features_to_prediction', { features: online.results[i].values[0] }));
    expect(p.top.label).toMatch(/ham|spam/);
  });

  it('loses nothing when the feature push fails: stored, outboxed, retried', async () => {
    // the online store refuses writes: the push fails whole, the message stays stored and outboxed
    const online = engines.storage.online;
    const writeBatch = online.writeBatch;
    online.writeBatch = async () => {
      throw new Error('the online store is down');
    };
    try {
      const res = await post('/sms', { recipient_id: 'max', sender_id: 'roger', sms_text: 'Running tomorrow at 7?' });
      expect(res.status).toBe(202);
      const r = await res.json();
      expect(r.reason).toContain('the online store is down');
      expect((await json(fetch(`${base}/sms/max/${r.sms_id}`))).sms_text).toBe('Running tomorrow at 7?');
      expect((await json(fetch(`${base}/inbox/outbox`))).map((e: { message: { sms_id: string } }) => e.message.sms_id)).toContain(r.sms_id);
      expect((await engines.storage.online.read('sms_features2', [r.sms_id]))[0]).toBeUndefined(); // whole push or nothing
      online.writeBatch = writeBatch;
      const drained = await engines.ingestion.drain();
      expect(drained.failed).toBe(0);
      expect((await engines.storage.online.read('sms_features2', [r.sms_id]))[0]).toBeDefined();
      expect(await json(fetch(`${base}/inbox/outbox`))).toEqual([]);
    } finally {
      online.writeBatch = writeBatch;
    }
  });

  it('answers once the features are online; the offline rows follow, and wait out a broken offline store', async () => {
    const dir = join(engines.config.offlineDir, 'smss2');
    await engines.ingestion.drain();
    renameSync(dir, `${dir}.away`);
    writeFileSync(dir, 'the offline store is down'); // a file where the source folder should be
    try {
      const res = await post('/sms', { recipient_id: 'max', sender_id: 'roger', sms_text: 'Lunch at 1?' });
      expect(res.status).toBe(200);
      const r = await res.json();
      expect(r.reason).toContain('offline store takes them');
      expect((await engines.storage.online.read('sms_features2', [r.sms_id]))[0]).toBeDefined();
      // the offline follower meets the broken store, says so, and keeps the message pending
      const stats = await until('the offline follower to meet the broken store', async () => {
        const s = await json(fetch(`${base}/ingestion/stats`));
        return s.offline?.last_error ? s : undefined;
      });
      expect(stats.offline.pending).toBeGreaterThanOrEqual(1);
      expect(stats.features.last_error).toBeNull(); // the online half is fine
      expect(await engines.ingestion.offlinePending?.(1000)).toContain(r.sms_id);
      rmSync(dir);
      renameSync(`${dir}.away`, dir);
      expect((await engines.ingestion.drain()).failed).toBe(0);
      expect(await engines.ingestion.offlinePending?.(1000)).toEqual([]);
      const h = await engines.features.getHistoricalFeatures(
        { keys: [r.sms_id], timestamps: [Date.now()] },
        await engines.features.resolveRefs({ features: ['sms_features2:features'] }),
      );
      expect(h.rows[0].features).not.toBeNull();
      // written once: a second drain writes nothing again
      const parts = (await engines.features.offline.manifest(await engines.features.fileSource('smss2')).read()).parts.length;
      await engines.ingestion.drain();
      expect((await engines.features.offline.manifest(await engines.features.fileSource('smss2')).read()).parts.length).toBe(parts);
    } finally {
      if (existsSync(`${dir}.away`)) {
        rmSync(dir, { recursive: true, force: true });
        renameSync(`${dir}.away`, dir);
      }
    }
  });
});

describe('hostile input', () => {
  it('answers hundreds of malformed requests to every route with a 4xx and stays healthy', async () => {
    const routes = [
      ['POST', '/get-online-features'],
      ['POST', '/push'],
      ['POST', '/materialize'],
      ['POST', '/materialize-incremental'],
      ['POST', '/model/v1/text_to_prediction'],
      ['POST', '/model/v3/features_to_prediction'],
      ['POST', '/model/v2/text_to_features'],
      ['GET', '/model/v9/recent_call_log'],
      ['POST', '/sms'],
      ['POST', '/sms/fiona'],
      ['GET', '/sms/fiona/..%2F..%2Fetc%2Fpasswd'],
      ['POST', '/runs'],
      ['POST', '/models'],
      ['DELETE', '/models/v1%00'],
      ['POST', '/prediction'],
      ['GET', '/offline/..%2Fsmss1/preview'],
      ['POST', '/models/v1/aliases'],
      ['POST', '/runs/x/cancel'],
      ['GET', '/registry/feature-views/%E0%A4%A'],
    ] as [string, string][];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const junk = (depth = 0): unknown => {
      const k = Math.floor(rnd() * 9);
      if (depth > 3) return 'x';
      switch (k) {
        case 0:
          return null;
        case 1:
          return rnd() * 1e308 * (rnd() < 0.5 ? -1 : 1);
        case 2:
          return '\u0000\uffff💣'.repeat(Math.floor(rnd() * 50));
        case 3:
          return 'A'.repeat(Math.floor(rnd() * 5000));
        case 4:
          return Array.from({ length: Math.floor(rnd() * 5) }, () => junk(depth + 1));
        case 5:
          return { __proto__: { polluted: true }, constructor: { prototype: { x: 1 } }, text: junk(depth + 1) };
        case 6:
          return { text: junk(depth + 1), features: junk(depth + 1), entities: junk(depth + 1), model: junk(depth + 1) };
        case 7:
          return -0;
        default:
          return true;
      }
    };
    const bodies = (i: number): { body: string; type: string } => {
      const v = i % 6;
      if (v === 0) return { body: '{"text": ', type: 'application/json' };
      if (v === 1) return { body: 'text=hello', type: 'text/plain' };
      if (v === 2) return { body: JSON.stringify(junk()), type: 'application/json' };
      if (v === 3) return { body: `{"a":${'['.repeat(2000)}${']'.repeat(2000)}}`, type: 'application/json' };
      if (v === 4) return { body: '"\\ud800"', type: 'application/json' };
      return {
        body: JSON.stringify({
          push_source_name: 'smss2_push',
          df: { sms_id: [junk()], event_timestamp: [junk()], features: [junk()] },
          feature_service: junk(),
          start_ts: junk(),
          end_ts: 'x',
        }),
        type: 'application/json',
      };
    };
    let n = 0;
    for (let i = 0; i < 320; i++) {
      const [method, path] = routes[i % routes.length];
      const { body, type } = bodies(i);
      const res = await fetch(base + path, method === 'GET' ? { method } : { method, headers: { 'content-type': type }, body });
      n++;
      expect({ method, path, i, status: res.status }).toEqual({ method, path, i, status: expect.any(Number) });
      if (res.status < 400 || res.status >= 500) throw new Error(`${method} ${path} #${i} answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
    expect(n).toBe(320);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
