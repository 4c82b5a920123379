/**
 * Requests a web page can make without reading the answer (`<img src>`, a form, fetch with
 * no-cors): none may change state. A browser names the requesting site in Sec-Fetch-Site even when
 * it sends no Origin; curl and the seed's clients send neither and keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startTestServer, testEngines, SAMPLE_DATASET } from '../testing/fixtures';
import { bootstrap } from '../setup';
import type { Engines } from '../engines';

let engines: Engines;
let base: string;
let stop: () => Promise<void>;
beforeAll(async () => {
  const t = await testEngines();
  engines = t.engines;
  // the released models: /prediction answers without training first
  await bootstrap(engines, { datasetPath: SAMPLE_DATASET, released: true, log: () => undefined });
  // the sample inbox's verdicts, recorded as the change log is followed (counted before the GETs)
  await engines.ingestion.drain();
  const server = await startTestServer(engines);
  base = server.base;
  stop = async () => {
    await server.close();
    await t.cleanup();
  };
});
afterAll(async () => stop?.());

/** the predictions recorded for monitoring so far (the recorder's buffer flushed first) */
async function recorded(): Promise<number> {
  await engines.monitor.recorder.flush();
  return ((await (await fetch(`${base}/monitoring/predictions?model=v3&size=1000`)).json()) as unknown[]).length;
}

const json = { 'content-type': 'application/json' };

function getWithBody(path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: 'GET', headers: { ...json, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a GET never changes state', () => {
  it('GET /prediction answers (query or the seed JSON body) but records nothing; POST /prediction records', async () => {
    const before = await recorded();
    // what <img src="http://127.0.0.1:PORT/prediction?model_id=v3&text=x"> sends: no Origin
    const img = await fetch(`${base}/prediction?model_id=v3&text=x`, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' } });
    expect(img.status).toBe(200);
    // seed 002: curl -X GET -d '{"model_id": ...}' (fetch sends no GET body: node:http does)
    const seed = await getWithBody('/prediction', JSON.stringify({ n_top: '1', model_id: 'v3', text: 'I want to save for vacation!' }));
    expect(seed.status).toBe(200);
    expect(JSON.parse(seed.body).predictions).toHaveLength(1);
    const curl = await fetch(`${base}/prediction?model_id=v3&text=${encodeURIComponent('I want to save for vacation!')}`);
    expect((await curl.json()).predictions[0].label).toMatch(/ham|spam/);
    expect(await recorded()).toBe(before);
    const post = await fetch(`${base}/prediction`, { method: 'POST', headers: json, body: JSON.stringify({ model_id: 'v3', text: 'free cash now' }) });
    expect(post.status).toBe(200);
    expect(await recorded()).toBe(before + 1);
  });
});

describe('state-changing routes refuse other sites', () => {
  const routes: [string, string, unknown][] = [
    ['POST', '/prediction', { model_id: 'v3', text: 'x' }],
    ['POST', '/model/v3/text_to_prediction', { text: 'x' }],
    ['POST', '/feedback', { sms_id: 'sms90001', true_label: 'spam' }],
    ['POST', '/sms', { recipient_id: 'otto', sender_id: 'eve', sms_text: 'from another site' }],
    ['POST', '/monitoring/check', { model: 'v3' }],
    ['PUT', '/monitoring/settings', { retrainOnAlert: true }],
    ['DELETE', '/models/v3?force=true', undefined],
  ];

  it('refuses a cross-site or same-site request with no Origin, or an Origin not configured: 403, nothing done', async () => {
    const before = await recorded();
    const feedback = (await (await fetch(`${base}/feedback`)).json()).length;
    for (const site of ['cross-site', 'same-site']) {
      for (const origin of [undefined, 'null', 'http://evil.example']) {
        for (const [method, path, body] of routes) {
          const headers: Record<string, string> = { ...json, 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors' };
          if (origin) headers.origin = origin;
          const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
          const what = `${site} ${origin ?? '(no Origin)'} ${method} ${path}`;
          expect(r.status, what).toBe(403);
          expect(await r.json(), what).toMatchObject({ error: expect.stringMatching(/cross_site_refused|origin_not_allowed/), detail: expect.any(String) });
        }
      }
    }
    expect(await recorded()).toBe(before);
    expect((await (await fetch(`${base}/feedback`)).json()).length).toBe(feedback);
    expect(await engines.storage.users.listUsers()).not.toContain('otto');
    expect(await engines.models.resolve('v3')).toBeTruthy();
  });

  it('accepts a configured origin, the console itself (same-origin), a typed URL (none) and clients without Sec-Fetch-Site', async () => {
    const body = JSON.stringify({ sms_id: 'sms90001', true_label: 'spam' });
    const post = (headers: Record<string, string>) => fetch(`${base}/feedback`, { method: 'POST', headers: { ...json, ...headers }, body });
    // localhost:3000 (the seed's React client) is same-site to localhost:8000, and configured
    expect((await post({ 'sec-fetch-site': 'same-site', origin: 'http://localhost:3000' })).status).toBe(201);
    expect((await post({ 'sec-fetch-site': 'same-origin', origin: base })).status).toBe(201);
    expect((await post({ 'sec-fetch-site': 'none' })).status).toBe(201);
    expect((await post({})).status).toBe(201);
    // a read from another site is still only a read (CORS keeps its answer from the page)
    expect((await fetch(`${base}/health`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });
});
