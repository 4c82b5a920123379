/**
 * The stream against a hostile probe (issue 19), on a real nats-server: text that is not Unicode,
 * ids dated 5236 or 1582, dead letters behind gaps, streams deleted while the server runs, and two
 * data dirs on one NATS server. Skipped, with the reason, where nats-server is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createConnection, createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { newTimeUuid } from '../platform';
import { appRoot } from '../config';
import { SAMPLE_DATASET, startTestServer, tempDir, testEngines } from '../testing/fixtures';
import { freePort, natsSkipReason, startNats, type NatsServer } from '../testing/nats';
import type { StreamSettings } from './settings';
import { until, untilFeatures } from '../testing/wait';

const skip = natsSkipReason();
const bin = join(appRoot(), 'bin', 'spamops.mjs');

const settingsFor = (url: string): StreamSettings => ({
  servers: [url],
  subject: 'sms.incoming',
  changesSubject: 'sms.changes',
  deadLetterSubject: 'sms.dead',
  maxDeliver: 3,
  ackWaitMs: 2000,
});

/** a bootstrapped data dir (no models) whose engines ingest through the stream, with the API on a loopback port */
async function streamingServer(stream: StreamSettings) {
  const { bootstrap } = await import('../setup');
  const t = await testEngines({ stream });
  await bootstrap(t.engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
  const s = await startTestServer(t.engines);
  const get = async (path: string) => (await fetch(s.base + path)).json();
  return {
    engines: t.engines,
    dir: t.dir,
    base: s.base,
    get,
    close: async () => {
      await s.close();
      await t.cleanup();
    },
  };
}
type Server = Awaited<ReturnType<typeof streamingServer>>;

const postJson = (base: string, path: string, body: string | Uint8Array<ArrayBuffer>) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

interface Letter {
  seq: number;
  reason: string;
  data: string;
}

describe.skipIf(!!skip)(`the stream, hostile input${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let nats: NatsServer;
  let srv: Server;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  /** the dead letters; the route answers 503 while the link to NATS is down (a loaded machine can miss a ping), so wait that out */
  const letters = (limit = 999): Promise<Letter[]> =>
    until('the dead letters (503 while the stream is unreachable)', async () => {
      const x: unknown = await srv.get(`/ingestion/dead-letters?limit=${limit}`);
      return Array.isArray(x) ? (x as Letter[]) : undefined;
    });
  /** waits for the dead letter of a message whose payload holds `marker` */
  const letterOf = (marker: string) => until(`the dead letter of "${marker}"`, async () => (await letters()).find((d) => d.data.includes(marker)));

  beforeAll(async () => {
    nats = await startNats();
    srv = await streamingServer(settingsFor(nats.url));
    await until('the stream to connect', async () => srv.engines.ingestion.health().stream === 'connected');
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await srv?.close();
    await nats?.stop();
  });

  it('text that is not valid Unicode (a lone surrogate escape, raw bytes 0xff 0xfe) goes to the dead letters naming the field, as POST /sms refuses it', async () => {
    const lone = '{"recipient_id":"uni","sender_id":"x","sms_text":"lone \\ud800 surrogate"}';
    await js.publish('sms.incoming', lone, { msgID: 'uni-1' });
    const raw = new Uint8Array([...Buffer.from('{"recipient_id":"uni","sender_id":"x","sms_text":"raw '), 0xff, 0xfe, ...Buffer.from(' bytes"}')]);
    await js.publish('sms.incoming', raw, { msgID: 'uni-2' });
    const rawSender = new Uint8Array([...Buffer.from('{"recipient_id":"uni","sender_id":"s'), 0xff, ...Buffer.from('","sms_text":"sender bytes"}')]);
    await js.publish('sms.incoming', rawSender, { msgID: 'uni-3' });
    await js.publish('sms.incoming', JSON.stringify({ recipient_id: 'uni', sender_id: 'x', sms_text: 'fine \ufffd as sent' }), { msgID: 'uni-4' });

    expect((await letterOf('lone')).reason).toBe('sms_text: contains a lone UTF-16 surrogate, not valid Unicode text');
    expect((await letterOf('raw')).reason).toMatch(/^sms_text: is not UTF-8 text \(bytes ff fe 20 62 at byte \d+\): send the text as UTF-8$/);
    expect((await letterOf('sender bytes')).reason).toMatch(/^sender_id: is not UTF-8 text/);
    // a replacement character sent as such is text like any other
    await until('the valid one stored', async () => (await srv.engines.storage.users.listByUser('uni')).length === 1);
    expect((await srv.engines.storage.users.listByUser('uni')).map((m) => m.sms_text)).toEqual(['fine \ufffd as sent']);

    // POST /sms refuses the same text the same way, naming the same field
    const api = await postJson(srv.base, '/sms', lone);
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({
      error: 'validation_error',
      field: 'body.sms_text',
      detail: 'body.sms_text: contains a lone UTF-16 surrogate, not valid Unicode text',
    });
    const apiRaw = await postJson(srv.base, '/sms', raw);
    expect(apiRaw.status).toBe(400);
    expect((await apiRaw.json()).detail).toBe(`body.${(await letterOf('raw')).reason}`);
  });

  it('SpamOps-Sms-Id dated 5236 or 1582, or not a TimeUUID, goes to the dead letters naming the header; one in range is the stored id', async () => {
    const withId = (id: string) => {
      const h = headers();
      h.set('SpamOps-Sms-Id', id);
      return h;
    };
    const body = (text: string) => JSON.stringify({ recipient_id: 'dated', sender_id: 'x', sms_text: text });
    await js.publish('sms.incoming', body('from 5236'), { headers: withId('ffffffff-ffff-1fff-bfff-ffffffffffff') });
    await js.publish('sms.incoming', body('from 1582'), { headers: withId('00000000-0000-1000-8000-000000000000') });
    await js.publish('sms.incoming', body('not an id'), { headers: withId('yesterday') });
    const good = newTimeUuid(new Date('2021-06-07T08:09:10Z'));
    await js.publish('sms.incoming', body('from 2021'), { headers: withId(good) });

    expect((await letterOf('from 5236')).reason).toMatch(/^header SpamOps-Sms-Id: dated 5236-.*: expected a time from 2000-01-01 to a day after now/);
    expect((await letterOf('from 1582')).reason).toMatch(/^header SpamOps-Sms-Id: dated 1582-10-15/);
    expect((await letterOf('not an id')).reason).toBe('header SpamOps-Sms-Id: expected a TimeUUID (version-1 UUID), got "yesterday"');
    const stored = await until('the dated one stored', async () => {
      const l = await srv.engines.storage.users.listByUser('dated');
      return l.length > 0 && l;
    });
    expect(stored.map((m) => [m.sms_id, m.sms_text])).toEqual([[good, 'from 2021']]);
    // the HTTP doors choose the id themselves: a caller's sms_id is refused by the schema
    const api = await postJson(srv.base, '/sms', JSON.stringify({ recipient_id: 'dated', sender_id: 'x', sms_text: 'y', sms_id: good }));
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ error: 'validation_error' });
  });

  it('GET /ingestion/dead-letters?limit=2 finds the letters behind a stretch of retried ones (it looked at 4 × limit sequences only)', async () => {
    // a stream of its own holds just these letters: two, then ten that are retried (deleted) after them
    const before = (await jsm.streams.info('SMS_DEAD')).state.messages;
    for (let i = 0; i < 2; i++) await js.publish('sms.incoming', `kept ${i} (not json)`, { msgID: `gap-kept-${i}` });
    await until('two more letters', async () => (await jsm.streams.info('SMS_DEAD')).state.messages === before + 2);
    const old = await letters(before + 2);
    for (let i = 0; i < 10; i++) await js.publish('sms.incoming', `retried ${i} (not json)`, { msgID: `gap-retried-${i}` });
    await until('ten more letters', async () => (await jsm.streams.info('SMS_DEAD')).state.messages === before + 12);
    const all = await letters(before + 12);
    for (const d of all.filter((x) => x.data.startsWith('retried'))) await jsm.streams.deleteMessage('SMS_DEAD', d.seq, false);

    const stats = await srv.get('/ingestion/stats');
    expect(stats.dead_letters).toBe(before + 2);
    const two = await letters(2);
    expect(two.map((d) => d.data)).toEqual(['kept 1 (not json)', 'kept 0 (not json)']);
    expect(two).toEqual(old.slice(0, 2));
    // every letter, when asked for more than there are, down to the stream's first sequence
    expect(await letters(500)).toHaveLength(before + 2);
  });
});

describe.skipIf(!!skip)(`the stream, deleted while the server runs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let nats: NatsServer;
  let srv: Server;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const streams = async () => (await jsm.streams.names().next()).sort();
  const degraded = async () => {
    const h = await srv.get('/health');
    return h.status === 'degraded' && h.ingestion.stream === 'unavailable' && h;
  };

  beforeAll(async () => {
    nats = await startNats();
    srv = await streamingServer(settingsFor(nats.url));
    await until('the stream to connect', async () => srv.engines.ingestion.health().stream === 'connected');
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await srv?.close();
    await nats?.stop();
  });

  it('every stream deleted: created again without a restart, and what is published afterwards is stored and gets features', async () => {
    expect(await streams()).toEqual(['SMS_CHANGES', 'SMS_DEAD', 'SMS_INCOMING']);
    for (const s of ['SMS_INCOMING', 'SMS_CHANGES', 'SMS_DEAD']) await jsm.streams.delete(s);
    await until('the streams back', async () => (await streams()).length === 3);
    await until('connected again', async () => srv.engines.ingestion.health().stream === 'connected');
    await jetstream(nc).publish('sms.incoming', JSON.stringify({ recipient_id: 'phoenix', sender_id: 'x', sms_text: 'after the deletion' }), {
      msgID: 'phoenix-1',
    });
    const [m] = await until('the message stored', async () => {
      const l = await srv.engines.storage.users.listByUser('phoenix');
      return l.length === 1 && l;
    });
    await untilFeatures('its features', srv.engines, [m.sms_id]);
  });

  it('while a deleted stream cannot be created again, /health is degraded saying which, POST /sms answers 202 with that reason, and the features follow once it is back', async () => {
    // an impostor under the stream's name (another subject) keeps SpamOps from creating it again;
    // SpamOps may win the race between the deletion and the impostor: then the test deletes again
    await until('the impostor in place', async () => {
      await jsm.streams.delete('SMS_CHANGES').catch(() => undefined);
      return jsm.streams.add({ name: 'SMS_CHANGES', subjects: ['impostor.changes'] }).then(
        () => true,
        () => false,
      );
    });
    const h = await until('/health degraded naming the stream', async () => {
      const d = await degraded();
      return d && /SMS_CHANGES/.test(d.ingestion.reason) && d;
    });
    expect(h.problems.find((p: { component: string }) => p.component === 'stream')?.detail).toMatch(/SMS_CHANGES/);

    const res = await postJson(srv.base, '/sms', JSON.stringify({ recipient_id: 'phoenix', sender_id: 'y', sms_text: 'during the deletion' }));
    expect(res.status).toBe(202);
    const r = await res.json();
    expect(r.reason).toMatch(/the change stream is unavailable: .*SMS_CHANGES/);
    expect(r.reason).not.toMatch(/jetstream is not enabled|without JetStream/i);
    expect(await srv.engines.storage.users.get('phoenix', r.sms_id)).toBeDefined();

    await jsm.streams.delete('SMS_CHANGES');
    await until('/health ok', async () => (await srv.get('/health')).status === 'ok');
    expect((await jsm.streams.info('SMS_CHANGES')).config.subjects).toEqual(['sms.changes']);
    await untilFeatures('the features of the message stored meanwhile', srv.engines, [r.sms_id]);
  });
});

describe.skipIf(!!skip)(`two data dirs on one NATS server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let nats: NatsServer;
  let first: Server;
  let nc: NatsConnection;
  let js: JetStreamClient;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  beforeAll(async () => {
    nats = await startNats();
    first = await streamingServer(settingsFor(nats.url));
    await until('the first to connect', async () => first.engines.ingestion.health().stream === 'connected');
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await nc?.close();
    await first?.close();
    await nats?.stop();
  });

  it('a second `spamops serve --stream` on another data dir is refused at start, naming the store that holds the consumers; the first gets every message and its features', async () => {
    const other = tempDir('spamops-second-');
    cleanups.push(() => other.remove());
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPAMOPS_') && !k.startsWith('CASSANDRA_')));
    const child = spawn(process.execPath, [bin, 'serve', '--data-dir', other.dir, '--port', String(await freePort()), '--stream', nats.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // it either stops (refused) or says it listens (shared the consumers, as before)
    const ended = await until('the second server to stop or listen', async () => child.exitCode !== null || /listening/.test(out), 120_000);
    expect(ended).toBe(true);
    expect(await Promise.race([exit, new Promise((r) => setTimeout(() => r('still running'), 100))])).not.toBe('still running');
    expect(child.exitCode).not.toBe(0);
    expect(out).toMatch(/the consumer spamops-incoming of stream SMS_INCOMING belongs to another SpamOps store \(.*spamops\.sqlite on /);
    expect(out).toContain(first.engines.storage.location);
    expect(out).toMatch(/subjects of its own \(SPAMOPS_STREAM_SUBJECT/);

    const n = 200;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        js.publish('sms.incoming', JSON.stringify({ recipient_id: 'shared', sender_id: 'x', sms_text: `m ${i}` }), { msgID: `two-${i}` }),
      ),
    );
    const stored = await until('all stored by the first', async () => {
      const l = await first.engines.storage.users.listByUser('shared', 1000);
      return l.length === n && l;
    });
    await untilFeatures(
      'features for all',
      first.engines,
      stored.map((m) => m.sms_id),
    );
    expect((await first.get('/health')).status).toBe('ok');
  });

  it('a second data dir with subjects of its own runs beside the first, each with its own streams and consumers', async () => {
    const own = await streamingServer({ ...settingsFor(nats.url), subject: 'b.incoming', changesSubject: 'b.changes', deadLetterSubject: 'b.dead' });
    cleanups.push(() => own.close());
    await until('it connects', async () => own.engines.ingestion.health().stream === 'connected');
    await js.publish('b.incoming', JSON.stringify({ recipient_id: 'bee', sender_id: 'x', sms_text: 'for b only' }), { msgID: 'b-1' });
    const [m] = await until('stored in the second', async () => {
      const l = await own.engines.storage.users.listByUser('bee');
      return l.length === 1 && l;
    });
    await untilFeatures('its features', own.engines, [m.sms_id]);
    expect(await first.engines.storage.users.listByUser('bee')).toEqual([]);
    expect(first.engines.ingestion.health().stream).toBe('connected');
  });

  it('SPAMOPS_STREAM_TAKE_OVER: a third data dir takes the consumers over; the first stops consuming and says which store holds them', async () => {
    const third = await streamingServer({ ...settingsFor(nats.url), takeOver: true });
    cleanups.push(() => third.close());
    await until('the third connects', async () => third.engines.ingestion.health().stream === 'connected');
    const h = await until('the first to give them up', async () => {
      const x = await first.get('/health');
      return x.status === 'degraded' && x;
    });
    expect(h.ingestion.reason).toContain(third.engines.storage.location);
    await js.publish('sms.incoming', JSON.stringify({ recipient_id: 'taken', sender_id: 'x', sms_text: 'to the third' }), { msgID: 'taken-1' });
    await until('stored by the third', async () => (await third.engines.storage.users.listByUser('taken')).length === 1);
    expect(await first.engines.storage.users.listByUser('taken')).toEqual([]);
  });

  it('taken over while its link to NATS is slow, a store stops consuming before /health says so: what is published then goes to the store that took over', async () => {
    // the old store talks to NATS through a proxy that can hold every chunk back: its setting up
    // again (NATS round trips) then takes seconds, a window in which it used to consume still
    const proxy = await delayingProxy(nats.url);
    cleanups.push(() => proxy.close());
    const own = { subject: 'slow.incoming', changesSubject: 'slow.changes', deadLetterSubject: 'slow.dead' };
    const old = await streamingServer({ ...settingsFor(proxy.url), ...own });
    cleanups.push(() => old.close());
    await until('the old store connects', async () => old.engines.ingestion.health().stream === 'connected');
    proxy.delayMs = 400;
    const taker = await streamingServer({ ...settingsFor(nats.url), ...own, takeOver: true });
    cleanups.push(() => taker.close());
    await until('the store that takes over connects', async () => taker.engines.ingestion.health().stream === 'connected');
    await until('the old store to give them up', async () => {
      const x = await old.get('/health');
      return x.status === 'degraded' && x;
    });
    const n = 10;
    for (let i = 0; i < n; i++)
      await js.publish('slow.incoming', JSON.stringify({ recipient_id: 'slow-taken', sender_id: 'x', sms_text: `slow ${i}` }), { msgID: `slow-${i}` });
    await until('all stored by the store that took over', async () => (await taker.engines.storage.users.listByUser('slow-taken', 100)).length === n);
    expect(await old.engines.storage.users.listByUser('slow-taken', 100)).toEqual([]);
  });
});

/** a TCP proxy to a nats:// URL on loopback that holds every chunk back `delayMs` (0: none), in order */
async function delayingProxy(target: string): Promise<{ url: string; delayMs: number; close: () => Promise<void> }> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  const p: { url: string; delayMs: number; close: () => Promise<void> } = { url: '', delayMs: 0, close: async () => {} };
  const forward = (from: Socket, dst: Socket) =>
    from.on('data', (chunk) => {
      if (p.delayMs > 0) setTimeout(() => dst.writable && dst.write(chunk), p.delayMs);
      else dst.write(chunk);
    });
  const server: NetServer = createServer((client) => {
    const upstream = createConnection({ host: to.hostname, port: Number(to.port) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  p.url = `nats://127.0.0.1:${port}`;
  p.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return p;
}
