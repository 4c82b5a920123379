/**
 * The hot door (hot-routes.ts) against Fastify itself: two servers over the same engines, one with
 * the hot routes and one without, asked the same requests over real HTTP; every answer must be the
 * same bytes with the same status and headers, and the hot server's Fastify must see exactly the
 * requests the hot routes pass on.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import pino from 'pino';
import { route } from '../../src-shared/routes/define';
import type { ServerConfig } from '../config';
import { HotRoutes } from './hot-routes';
import { HttpError, installErrorHandler } from './errors';
import type { Engines } from '../engines';
import { sampleServer } from '../testing/fixtures';
import { backendsByConcern } from '../storage';
import Database from 'better-sqlite3';

let engines: Engines;
let close: () => Promise<void>;
let hot: FastifyInstance;
let plain: FastifyInstance;
/** the requests the hot server's Fastify answered (every answer of Fastify's ends in onResponse) */
let reachedFastify = 0;

const portOf = (app: FastifyInstance) => {
  const a = app.server.address();
  return typeof a === 'object' && a ? a.port : 0;
};

beforeAll(async () => {
  ({ engines, close } = await sampleServer());
  const { buildApp } = await import('.');
  hot = await buildApp(engines);
  hot.addHook('onResponse', (_req, _reply, done) => {
    reachedFastify++;
    done();
  });
  plain = await buildApp(engines, { hotRoutes: false });
  await hot.listen({ host: '127.0.0.1', port: 0 });
  await plain.listen({ host: '127.0.0.1', port: 0 });
}, 240_000);
afterAll(async () => {
  await hot?.close();
  await plain?.close();
  await close?.();
});

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
interface Ask {
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  method?: string;
}

function ask(app: FastifyInstance, a: Ask): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const body = a.body === undefined ? undefined : Buffer.isBuffer(a.body) ? a.body : Buffer.from(a.body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port: portOf(app),
        method: a.method ?? 'POST',
        path: a.path,
        headers: { 'content-type': 'application/json', ...(body ? { 'content-length': String(body.length) } : {}), ...a.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    // an answer that never comes fails the test in seconds, not at the suite's timeout
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${a.method ?? 'POST'} ${a.path} within 10 s`)));
    req.end(body);
  });
}

/** what must be equal: status, body, and every header but the date and the connection's own */
const comparable = (r: Raw) => {
  const { date: _d, connection: _c, 'keep-alive': _k, ...headers } = r.headers;
  return { status: r.status, headers, body: r.body };
};

/** the same request to both servers (Fastify's first, so that both find the same cache), compared */
async function same(a: Ask): Promise<{ answer: Raw; viaFastify: boolean }> {
  await ask(plain, a); // warms what the first call of an input writes (cache, notes)
  await new Promise((r) => setTimeout(r, 30));
  const before = reachedFastify;
  const fromHot = await ask(hot, a);
  // Fastify's onResponse runs once the answer is written out, which may be after the client read it
  await new Promise((r) => setTimeout(r, 20));
  const viaFastify = reachedFastify !== before;
  const fromPlain = await ask(plain, a);
  expect(comparable(fromHot), `${a.path} ${String(a.body).slice(0, 80)}`).toEqual(comparable(fromPlain));
  return { answer: fromHot, viaFastify };
}

const text = (t: string, extra: Record<string, unknown> = {}) => JSON.stringify({ text: t, ...extra });

describe('the hot door answers as Fastify does', () => {
  it('answers well-formed model requests itself, with the same bytes', async () => {
    const cases: Ask[] = [
      { path: '/model/v3/text_to_prediction', body: text('WINNER!! Call 09061701461 to claim your FREE prize') },
      { path: '/model/v3/text_to_prediction', body: text('see you at the meeting tomorrow', { echo_input: true }) },
      { path: '/model/v2/text_to_prediction', body: text('see you at the meeting tomorrow', { skip_cache: true }) },
      { path: '/model/v1/text_to_prediction', body: text('Free entry in 2 a wkly comp to win FA Cup final tkts') },
      // not ASCII, valid UTF-8: taken too
      { path: '/model/v3/text_to_prediction', body: text('café £100 prize — call now') },
      { path: '/model/v2/text_to_features', body: text('I have a dream') },
      { path: '/model/v1/features_to_prediction', body: JSON.stringify({ features: [0.09090909090909091, 0, 0, 0, 0, 0, 0, 0, 0] }) },
    ];
    for (const c of cases) {
      const { answer, viaFastify } = await same(c);
      expect(answer.status, c.path).toBe(200);
      expect(viaFastify, `${c.path} should not reach Fastify`).toBe(false);
    }
  });

  it("answers its handlers' errors through the same mapping and error schema", async () => {
    const cases: [Ask, number][] = [
      [{ path: '/model/v9/text_to_prediction', body: text('hello') }, 404],
      [{ path: '/model/v1/features_to_prediction', body: JSON.stringify({ features: ['a', 0, 0, 0, 0, 0, 0, 0, 0] }) }, 422],
      [{ path: '/model/v3/features_to_prediction', body: JSON.stringify({ features: [1, 2] }) }, 422],
      [{ path: '/get-online-features', body: JSON.stringify({ feature_service: 'nope', entities: { sms_id: ['a'] } }) }, 404],
    ];
    for (const [c, status] of cases) {
      const { answer, viaFastify } = await same(c);
      expect(answer.status, c.path).toBe(status);
      expect(JSON.parse(answer.body).error).toBeTruthy();
      expect(viaFastify, `${c.path} should not reach Fastify`).toBe(false);
    }
  });

  it('answers lookups itself, the first of a kind and the next ones (answered at once)', async () => {
    const lookup = (ids: string[]) => ({ path: '/get-online-features', body: JSON.stringify({ feature_service: 'labeled_sms_2', entities: { sms_id: ids } }) });
    for (const ids of [
      ['sms00001', 'sms00002', 'nope'],
      ['sms00001', 'sms00002', 'nope'],
      ['sms00003', 'sms00001'],
    ]) {
      const { answer, viaFastify } = await same(lookup(ids));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).results.length).toBeGreaterThan(1);
      expect(viaFastify).toBe(false);
    }
    // a known lookup asked with another entity beside the join key: the same 4xx, naming the field
    const { answer, viaFastify } = await same({
      path: '/get-online-features',
      body: JSON.stringify({ feature_service: 'labeled_sms_2', entities: { sms_id: ['sms00001'], user_id: ['u1'] } }),
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(JSON.parse(answer.body).detail).toMatch(/entities: expected exactly the join key "sms_id"/);
    expect(viaFastify).toBe(false);
  });

  it('answers a kept lookup again only while nothing was written and no ttl ended a value it serves', async () => {
    const body = JSON.stringify({ features: ['sms_labels:label'], entities: { sms_id: ['sms00007'] } });
    const label = async () => {
      const r = await ask(hot, { path: '/get-online-features', body });
      const a = JSON.parse(r.body) as { results: { values: unknown[]; statuses: string[] }[] };
      return `${a.results[1].values[0]} ${a.results[1].statuses[0]}`;
    };
    const fs = engines.features;
    const push = (l: string, at = Date.now()) =>
      fs.push('labels_push', { sms_id: ['sms00007'], event_timestamp: [new Date(at).toISOString()], label: [l] }, 'online');
    await push('ham');
    expect(await label()).toBe('ham PRESENT');
    expect(await label()).toBe('ham PRESENT');
    // a push through the store
    await push('spam');
    expect(await label()).toBe('spam PRESENT');
    expect(await label()).toBe('spam PRESENT');
    // another process's commit
    const online = backendsByConcern(engines.config.storage).online;
    if (online.backend !== 'sqlite') throw new Error('expected the SQLite online store');
    const other = new Database(online.path);
    try {
      other.prepare(`UPDATE online_features SET values_json = '{"label":"ham"}' WHERE view = 'sms_labels' AND entity_key = 'sms00007'`).run();
    } finally {
      other.close();
    }
    expect(await label()).toBe('ham PRESENT');
    // a ttl of two seconds ends the value while nothing is written
    const defs = await fs.registry.definitions();
    const short = structuredClone(defs);
    short.featureViews.find((v) => v.name === 'sms_labels')!.ttlSeconds = 2;
    await fs.apply(short, 'short ttl');
    try {
      const at = Date.now();
      await push('spam', at);
      expect(await label()).toBe('spam PRESENT');
      expect(await label()).toBe('spam PRESENT');
      await new Promise((r) => setTimeout(r, at + 2_300 - Date.now()));
      expect(await label()).toBe('null OUTSIDE_MAX_AGE');
    } finally {
      await fs.apply(defs, 'ttl as it was');
    }
  });

  it('passes everything else to Fastify, which answers as it always did (a body already read included)', async () => {
    const p = '/model/v3/text_to_prediction';
    const cases: [Ask, number][] = [
      [{ path: p, body: JSON.stringify({ text: 5 }) }, 400],
      [{ path: p, body: text('x', { extra: 1 }) }, 400],
      [{ path: p, body: '{"text": "unfinished' }, 400],
      [{ path: p, body: '{"text":"caf\\u00e9 escaped"}' }, 200],
      [{ path: p, body: '{"text":"a lone \\ud800 surrogate"}' }, 400],
      [{ path: p, body: Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, 400],
      [{ path: p, body: '{"text":"x","__proto__":{"a":1}}' }, 400],
      [{ path: p, body: `{"text":"x","skip_cache":${'['.repeat(300)}${']'.repeat(300)}}` }, 400],
      [{ path: p, body: 'text=hello', headers: { 'content-type': 'text/plain' } }, 415],
      [{ path: p, body: text('charset given'), headers: { 'content-type': 'application/json; charset=utf-8' } }, 200],
      [{ path: p, body: text('from a page'), headers: { origin: 'http://evil.example' } }, 403],
      [{ path: p, body: text('from a page'), headers: { 'sec-fetch-site': 'cross-site' } }, 403],
      [{ path: p, body: text('rebinding'), headers: { host: 'evil.example' } }, 421],
      [{ path: `${p}?x=1`, body: text('a query') }, 200],
      [{ path: '/model/%76%33/text_to_prediction', body: text('percent-encoded version') }, 200],
      [{ path: p, body: '' }, 400],
      [{ path: p, body: text('x'.repeat(20_001)) }, 400],
      [{ path: p, body: text('x'.repeat(2_000_000)) }, 413],
      [{ path: p, method: 'GET' }, 404],
      [{ path: '/get-online-features', body: JSON.stringify({ feature_service: 'labeled_sms_1', entities: { sms_id: 'a' } }) }, 400],
    ];
    for (const [c, status] of cases) {
      const { answer, viaFastify } = await same(c);
      expect(answer.status, `${c.path} ${String(c.body).slice(0, 60)}`).toBe(status);
      expect(viaFastify, `${c.path} ${String(c.body).slice(0, 60)} should reach Fastify`).toBe(true);
    }
  });

  it('outlives a client that leaves in the middle of a body', async () => {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(portOf(hot), '127.0.0.1', () => {
        s.write('POST /model/v3/text_to_prediction HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":"hal');
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 100);
      });
      s.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await ask(hot, { path: '/model/v3/text_to_prediction', body: text('still here') })).status).toBe(200);
  });

  it('counts its answers in the serving statistics like Fastify routes', async () => {
    const count = async () =>
      (JSON.parse((await ask(hot, { path: '/serving/stats', method: 'GET' })).body) as { requests: { by_endpoint: Record<string, number> } }).requests
        .by_endpoint.text_to_prediction ?? 0;
    const before = await count();
    await ask(hot, { path: '/model/v3/text_to_prediction', body: text('counted once') });
    await ask(hot, { path: '/model/v9/text_to_prediction', body: text('counted under v9') });
    expect(await count()).toBe(before + 2);
  });

  it('records a hot answer for monitoring and logs the call', async () => {
    const t = 'recorded through the hot door';
    await ask(hot, { path: '/model/v3/text_to_prediction', body: text(t) });
    await engines.monitor.recorder.flush();
    const log = JSON.parse((await ask(hot, { path: '/model/v3/recent_call_log', method: 'GET' })).body) as { input_json: string }[];
    expect(log.some((r) => r.input_json.includes(t))).toBe(true);
  });
});

describe('a hot route whose answer cannot be written', () => {
  it('answers 500 naming the failure, as Fastify would, and goes on serving', async () => {
    const toy = route({
      method: 'POST',
      url: '/toy/:n',
      tags: ['test'],
      summary: 'a toy route',
      params: Type.Object({ n: Type.String() }),
      body: Type.Object({ x: Type.String() }, { additionalProperties: false }),
      response: { 200: Type.Object({ n: Type.Integer() }) },
    });
    const app = Fastify({ logger: false });
    installErrorHandler(app);
    const logged: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    const door = new HotRoutes({ host: '127.0.0.1', trustedProxies: [], bodyLimitBytes: 1024 } as unknown as ServerConfig, log);
    // "abc" is no integer: the serializer throws, at once or once the promise settles
    door.add(toy, (req) =>
      req.params.n === 'later' ? Promise.resolve({ n: 'abc' as unknown as number }) : { n: req.params.n === 'ok' ? 1 : ('abc' as unknown as number) },
    );
    door.install(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      for (const n of ['now', 'later']) {
        const r = await ask(app, { path: `/toy/${n}`, body: '{"x":"y"}' });
        expect(r.status, n).toBe(500);
        expect(JSON.parse(r.body).error).toBe('internal_error');
      }
      expect(logged.length).toBe(2);
      const ok = await ask(app, { path: '/toy/ok', body: '{"x":"y"}' });
      expect([ok.status, ok.body]).toEqual([200, '{"n":1}']);
    } finally {
      await app.close();
    }
  });
});

describe('a hot route that keeps its answers', () => {
  const toy = route({
    method: 'POST',
    url: '/kept',
    tags: ['test'],
    summary: 'a toy route that keeps its answers',
    body: Type.Object({ x: Type.String() }, { additionalProperties: false }),
    response: { 200: Type.Object({ x: Type.String(), call: Type.Integer() }) },
  });
  const quiet = pino({ level: 'silent' });
  const door = () => new HotRoutes({ host: '127.0.0.1', trustedProxies: [], bodyLimitBytes: 1024 } as unknown as ServerConfig, quiet);

  it('answers the same bytes again while the moment holds and its answer is true; anything else is asked afresh', async () => {
    let calls = 0;
    let moment: object | undefined = {};
    /** how long an answer made now stays true, in ms */
    let lasts = Number.POSITIVE_INFINITY;
    const app = Fastify({ logger: false });
    installErrorHandler(app);
    const d = door();
    d.add(
      toy,
      (req) => {
        calls++;
        if (req.body.x === 'refused') throw new HttpError(422, 'validation_error', 'x: refused');
        return { x: req.body.x, call: calls };
      },
      { memo: { moment: () => moment, until: () => Date.now() + lasts } },
    );
    d.install(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const call = async (body: string) => {
      const r = await ask(app, { path: '/kept', body });
      return r.status === 200 ? (JSON.parse(r.body) as { call: number }).call : r.status;
    };
    try {
      // a body's first sight: answered, not kept; its second: answered and kept; then served
      expect(await call('{"x":"a"}')).toBe(1);
      expect(await call('{"x":"a"}')).toBe(2);
      expect(await call('{"x":"a"}')).toBe(2);
      // other bytes, the same value: asked
      expect(await call('{ "x":"a"}')).toBe(3);
      expect(await call('{"x":"b"}')).toBe(4);
      expect(await call('{"x":"a"}')).toBe(2);
      // another moment (something it read changed): asked, then kept again
      moment = {};
      expect(await call('{"x":"a"}')).toBe(5);
      expect(await call('{"x":"a"}')).toBe(5);
      // no moment (the source cannot tell): neither kept nor served
      moment = undefined;
      expect(await call('{"x":"a"}')).toBe(6);
      expect(await call('{"x":"a"}')).toBe(7);
      // an answer true for 150 ms: asked again once they are over
      moment = {};
      lasts = 150;
      expect(await call('{"x":"c"}')).toBe(8);
      expect(await call('{"x":"c"}')).toBe(9);
      await new Promise((r) => setTimeout(r, 300));
      expect(await call('{"x":"c"}')).toBe(10);
      // an answer already untrue is not kept
      lasts = -1;
      expect(await call('{"x":"d"}')).toBe(11);
      expect(await call('{"x":"d"}')).toBe(12);
      expect(await call('{"x":"d"}')).toBe(13);
      // refusals are never kept
      lasts = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) expect(await call('{"x":"refused"}')).toBe(422);
      expect(calls).toBe(16);
      // a clock set back before an answer was made: asked again (it may have been made of a later moment)
      expect(await call('{"x":"e"}')).toBe(17);
      expect(await call('{"x":"e"}')).toBe(18);
      expect(await call('{"x":"e"}')).toBe(18);
      const real = Date.now();
      const back = vi.spyOn(Date, 'now').mockImplementation(() => real - 10_000);
      try {
        expect(await call('{"x":"e"}')).toBe(19);
      } finally {
        back.mockRestore();
      }
      // a body Fastify judges (not JSON) is never taken from what was kept
      expect(await call('{"x":')).toBe(400);
    } finally {
      await app.close();
    }
  });

  it('is refused to a route told of its answers, or with path parameters (a kept answer reads no request but its body)', () => {
    expect(() => door().add(toy, (req) => ({ x: req.body.x, call: 0 }), { memo: { moment: () => ({}), until: () => 0 }, answered: () => undefined })).toThrow(
      /cannot keep/,
    );
    const withParams = route({ ...toy, url: '/kept/:n', params: Type.Object({ n: Type.String() }) });
    expect(() => door().add(withParams, (req) => ({ x: req.body.x, call: 0 }), { memo: { moment: () => ({}), until: () => 0 } })).toThrow(/path parameters/);
  });
});
