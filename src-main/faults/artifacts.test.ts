/**
 * F2 and F5: a missing or broken artifact degrades only what needs it. The route that needs it
 * answers 503 naming the file and what to do, /health says degraded with the same, everything
 * else keeps answering, and a restart still starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sampleServer } from '../testing/fixtures';
import { startEngines } from '../setup';
import type { Engines } from '../engines';

let s: Awaited<ReturnType<typeof sampleServer>>;
beforeAll(async () => {
  s = await sampleServer();
});
afterAll(async () => s?.close());

const dirOf = async (e: Engines, model: string) => (await e.models.resolve(model))!.dir;

describe('F5: corrupt model files', () => {
  it('a truncated weights.bin: 503 naming the file on every route of that model, /health degraded, the other models answer', async () => {
    const dir = await dirOf(s.engines, 'v3');
    const weights = join(dir, 'weights.bin');
    copyFileSync(weights, `${weights}.good`);
    truncateSync(weights, 1000);
    // a fresh process loads from disk (the running one keeps the model it loaded)
    const fresh = await startEngines(s.engines.config, { autoBootstrap: false, log: () => undefined });
    const { buildApp } = await import('../api');
    const app = await buildApp(fresh);
    try {
      const inject = (url: string, payload: unknown) =>
        app.inject({ method: 'POST', url, headers: { host: 'localhost', 'content-type': 'application/json' }, payload: payload as object });
      for (const [url, body] of [
        ['/model/v3/text_to_prediction', { text: 'free cash', skip_cache: true }],
        ['/model/v3/features_to_prediction', { features: new Array(30).fill(0), skip_cache: true }],
        ['/prediction', { model_id: 'v3', text: 'free cash' }],
      ] as const) {
        const r = await inject(url, body);
        expect(r.statusCode, `${url}: ${r.body}`).toBe(503);
        const j = r.json();
        expect(j.error).toBe('artifact_unavailable');
        expect(j.file).toBe(weights);
        expect(j.detail).toMatch(/checksum|expected \d+ bytes/);
        expect(j.detail).toMatch(/spamops train|spamops models alias/);
      }
      expect((await inject('/model/v1/text_to_prediction', { text: 'free cash' })).statusCode).toBe(200);
      const h = (await app.inject({ method: 'GET', url: '/health', headers: { host: 'localhost' } })).json();
      expect(h.status).toBe('degraded');
      expect(h.problems).toContainEqual(expect.objectContaining({ component: 'model v3', file: weights }));
    } finally {
      await app.close();
      await fresh.close();
      renameSync(`${weights}.good`, weights);
    }
  });

  it('random bytes of the right size are caught by the checksum, and without one by the finite-value check', async () => {
    const dir = await dirOf(s.engines, 'v2');
    const weights = join(dir, 'weights.bin');
    const good = readFileSync(weights);
    // NaN-filled bytes of the same length: 0xff.. is a NaN in float32
    writeFileSync(weights, Buffer.alloc(good.length, 0xff));
    try {
      const { loadServedModel } = await import('../serving');
      const v = (await s.engines.models.resolve('v2'))!;
      expect(() => loadServedModel(v, s.engines.tokenizers)).toThrow(/checksum differs/);
      expect(() => loadServedModel({ ...v, checksums: undefined }, s.engines.tokenizers)).toThrow(/value 0 is NaN, not a finite number/);
      writeFileSync(weights, randomBytes(good.length));
      expect(() => loadServedModel(v, s.engines.tokenizers)).toThrow(/weights\.bin: its checksum differs/);
    } finally {
      writeFileSync(weights, good);
    }
  });

  it('a forest whose nodes point outside the tree is refused by name', async () => {
    const dir = await dirOf(s.engines, 'v1');
    const file = join(dir, 'forest.json');
    const good = readFileSync(file, 'utf8');
    const f = JSON.parse(good);
    f.trees[0].left[0] = 99999;
    writeFileSync(file, JSON.stringify(f));
    try {
      const { loadServedModel } = await import('../serving');
      const v = (await s.engines.models.resolve('v1'))!;
      expect(() => loadServedModel({ ...v, checksums: undefined }, s.engines.tokenizers)).toThrow(
        /forest\.json: tree 0, node 0: a split that points outside the tree/,
      );
    } finally {
      writeFileSync(file, good);
    }
  });
});

describe('F5: model files changed while serving', () => {
  it('/health tells of a loaded version whose file changed or went (it said ok until a restart broke the model), and forgets a file restored as it was', async () => {
    const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      fetch(`${s.base}${url}`, { method, headers: payload ? { 'content-type': 'application/json' } : {}, body: payload ? JSON.stringify(payload) : undefined });
    expect((await call('POST', '/model/v1/text_to_prediction', { text: 'free cash', skip_cache: true })).status).toBe(200);
    const file = join(await dirOf(s.engines, 'v1'), 'forest.json');
    const good = readFileSync(file);
    const problemsOf = async () =>
      ((await (await call('GET', '/health')).json()) as { problems: { component: string; file?: string; detail: string }[] }).problems;
    expect((await problemsOf()).filter((p) => p.component === 'model v1')).toEqual([]);
    try {
      writeFileSync(file, good.subarray(0, 100));
      const changed = (await problemsOf()).find((p) => p.component === 'model v1');
      expect(changed).toMatchObject({
        file,
        detail: expect.stringMatching(/changed on disk since the version was loaded: answers come from the copy in memory, the next start cannot load it/),
      });
      // still answering from memory
      expect((await call('POST', '/model/v1/text_to_prediction', { text: 'free cash', skip_cache: true })).status).toBe(200);
      renameSync(file, `${file}.away`);
      expect((await problemsOf()).find((p) => p.component === 'model v1')?.detail).toMatch(/^version \d+ cannot answer: removed on disk/);
    } finally {
      if (existsSync(`${file}.away`)) renameSync(`${file}.away`, file);
      writeFileSync(file, good);
    }
    // the same bytes back (a new time): no problem
    expect((await problemsOf()).filter((p) => p.component === 'model v1')).toEqual([]);
  });
});

describe('F2: the tokenizer file is missing', () => {
  it('the server starts, v1/v2/v3 answer (the LSTMs carry their tokenizer), POST /sms keeps the message and says why, /health names the file', async () => {
    const tok = join(s.engines.config.modelsDir, 'tokenizer', 'tokenizer.json');
    expect(existsSync(tok)).toBe(true);
    renameSync(tok, `${tok}.away`);
    const fresh = await startEngines(s.engines.config, { autoBootstrap: false, log: () => undefined });
    const { buildApp } = await import('../api');
    const app = await buildApp(fresh);
    const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({ method, url, headers: { host: 'localhost', ...(payload ? { 'content-type': 'application/json' } : {}) }, payload: payload as object });
    try {
      for (const v of ['v1', 'v2', 'v3'])
        expect((await inject('POST', `/model/${v}/text_to_prediction`, { text: 'call now to claim your prize' })).statusCode, v).toBe(200);
      const sms = await inject('POST', '/sms', { recipient_id: 'f2', sender_id: 'x', sms_text: 'hello there' });
      expect(sms.statusCode).toBe(202);
      expect(sms.json().reason).toMatch(/tokenizer\.json: missing; refit it with `spamops offline-sources`/);
      expect((await inject('GET', '/sms/f2')).json()).toHaveLength(1);
      expect((await inject('GET', '/inbox/outbox')).json()).toHaveLength(1);
      const h = (await inject('GET', '/health')).json();
      expect(h.status).toBe('degraded');
      expect(h.problems).toContainEqual(expect.objectContaining({ component: 'tokenizer', file: tok }));
      // the file comes back: the next drain pushes the waiting message
      renameSync(`${tok}.away`, tok);
      fresh.tokenizers.reload();
      expect((await fresh.ingestion.drain()).handled).toBe(1);
      expect((await inject('GET', '/inbox/outbox')).json()).toHaveLength(0);
      expect((await inject('GET', '/health')).json().problems.filter((p: { component: string }) => p.component === 'tokenizer')).toHaveLength(0);
    } finally {
      if (!existsSync(tok)) renameSync(`${tok}.away`, tok);
      await app.close();
      await fresh.close();
    }
    expect(statSync(tok).size).toBeGreaterThan(0);
  });
});
