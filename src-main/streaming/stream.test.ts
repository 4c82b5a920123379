/**
 * The stream against a real nats-server (JetStream, loopback port, temporary store): the entry
 * subject stores each message once whatever is published twice, poison and failing messages go to
 * the dead letters with their reason while the rest flow, every write path's change reaches the
 * feature step through the stream, and SpamOps starts without NATS and picks it up when it comes.
 * Skipped, with the reason, where nats-server is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { appRoot } from '../config';
import { newTimeUuid } from '../platform';
import { FeatureStep } from '../inbox';
import type { SmsMessage } from '../storage';
import { SAMPLE_DATASET, startTestServer, testEngines } from '../testing/fixtures';
import { freePort, natsSkipReason, startNats, type NatsServer } from '../testing/nats';
import { StreamIngestion } from './ingestion';
import type { StreamSettings } from './settings';
import { until, untilFeatures } from '../testing/wait';

const skip = natsSkipReason();
const bin = join(appRoot(), 'bin', 'spamops.mjs');

const settingsFor = (url: string, o: Partial<StreamSettings> = {}): StreamSettings => ({
  servers: [url],
  subject: 'sms.incoming',
  changesSubject: 'sms.changes',
  deadLetterSubject: 'sms.dead',
  maxDeliver: 3,
  ackWaitMs: 2000,
  ...o,
});

/** a bootstrapped data dir (no models) whose engines ingest through the stream, with the API on a loopback port */
async function streamingServer(stream: StreamSettings) {
  const { bootstrap } = await import('../setup');
  const t = await testEngines({ stream });
  await bootstrap(t.engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
  const s = await startTestServer(t.engines);
  return {
    engines: t.engines,
    dir: t.dir,
    base: s.base,
    close: async () => {
      await s.close();
      await t.cleanup();
    },
  };
}

describe.skipIf(!!skip)(`the stream (NATS JetStream)${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let nats: NatsServer;
  let srv: Awaited<ReturnType<typeof streamingServer>>;
  let nc: NatsConnection;
  let js: JetStreamClient;
  const post = (path: string, body: unknown) =>
    fetch(srv.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const publish = (body: unknown, msgID?: string) =>
    js.publish('sms.incoming', typeof body === 'string' ? body : JSON.stringify(body), msgID ? { msgID } : undefined);

  beforeAll(async () => {
    nats = await startNats();
    srv = await streamingServer(settingsFor(nats.url));
    await until('the stream to connect', async () => srv.engines.ingestion.health().stream === 'connected');
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await srv?.close();
    await nats?.stop();
  });

  it('(A) stores each published message once, also when published twice with its Nats-Msg-Id, and gives it features', async () => {
    const n = 300;
    const acks = await Promise.all(
      Array.from({ length: n }, (_, i) => publish({ recipient_id: 'streamer', sender_id: `s${i % 7}`, sms_text: `stream message ${i}` }, `pub-${i}`)),
    );
    // a publisher retrying: the server drops what it stored already within the duplicate window
    const again = await Promise.all(
      Array.from({ length: 50 }, (_, i) => publish({ recipient_id: 'streamer', sender_id: 'x', sms_text: `retry ${i}` }, `pub-${i}`)),
    );
    expect(acks.every((a) => !a.duplicate)).toBe(true);
    expect(again.every((a) => a.duplicate)).toBe(true);
    const stored = await until('all stored', async () => {
      const s = await srv.engines.storage.users.listByUser('streamer', 10_000);
      return s.length >= n && s;
    });
    expect(stored).toHaveLength(n);
    expect(new Set(stored.map((m) => m.sms_text)).size).toBe(n);
    await untilFeatures(
      'all features',
      srv.engines,
      stored.map((m) => m.sms_id),
    );
    // the stored id is the stream's: its time is when the stream received the message
    const first = stored.find((m) => m.sms_text === 'stream message 0')!;
    const got = await (await fetch(`${srv.base}/sms/streamer/${first.sms_id}`)).json();
    expect(Math.abs(Date.parse(got.date_sent) - Date.now())).toBeLessThan(60_000);
    const st = await (await fetch(`${srv.base}/ingestion/stats`)).json();
    expect(st.mode).toBe('stream');
    expect(st.stream).toMatchObject({ connected: true, subject: 'sms.incoming', changes_subject: 'sms.changes' });
    expect(st.incoming.processed).toBeGreaterThanOrEqual(n);
    await until('the consumers to catch up', async () => {
      const s = await (await fetch(`${srv.base}/ingestion/stats`)).json();
      return s.incoming.pending === 0 && s.incoming.ack_pending === 0 && s.features.pending === 0 && s.change_log.pending === 0;
    });
  });

  it('a message that can never be stored goes to the dead letters with its reason, the rest flow, and Retry refuses it naming why', async () => {
    await publish('not json at all', 'poison-1');
    await publish({ recipient_id: 'poisoned', sender_id: 'x' }, 'poison-2');
    await publish({ recipient_id: 'a/b', sender_id: 'x', sms_text: 'bad recipient' }, 'poison-3');
    await publish({ recipient_id: 'poisoned', sender_id: 'x', sms_text: 'fine' }, 'fine-1');
    const dead = await until('3 dead letters', async () => {
      const d = await (await fetch(`${srv.base}/ingestion/dead-letters`)).json();
      return d.length >= 3 && d;
    });
    const reasons = dead.map((d: { reason: string }) => d.reason).join('\n');
    expect(reasons).toMatch(/the payload is not JSON/);
    expect(reasons).toMatch(/sms_text: is required/);
    expect(reasons).toMatch(/recipient_id: expected a string matching \^\[\^\/\\s\]\+\$/);
    expect(dead[0]).toMatchObject({ subject: 'sms.incoming', deliveries: 1 });
    expect((await srv.engines.storage.users.listByUser('poisoned')).map((m) => m.sms_text)).toEqual(['fine']);
    const stats = await (await fetch(`${srv.base}/ingestion/stats`)).json();
    expect(stats.dead_letters).toBe(3);
    await until('no unacknowledged message', async () => (await (await fetch(`${srv.base}/ingestion/stats`)).json()).incoming.ack_pending === 0);

    // it can never be stored as it is: Retry is refused, naming why, and the letter stays
    const missing = dead.find((d: { reason: string }) => /required/.test(d.reason));
    expect(missing.retryable).toBe(false);
    const refused = await post(`/ingestion/dead-letters/${missing.seq}/retry`, {});
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: 'never_stored',
      detail: `dead letter ${missing.seq} can never be stored as it is (sms_text: is required): publish a corrected message to sms.incoming instead`,
    });
    expect((await (await fetch(`${srv.base}/ingestion/dead-letters`)).json()).map((d: { seq: number }) => d.seq)).toContain(missing.seq);
    expect((await post('/ingestion/dead-letters/99999/retry', {})).status).toBe(404);
  });

  it('(B) the relay sends up to 256 change events in one stream message; a lone event (as earlier versions sent) is read, a malformed envelope goes to the dead letters whole, naming the entry', async () => {
    const jsm = await js.jetstreamManager();
    const heldBefore = (await jsm.streams.info('SMS_CHANGES')).state.messages;
    const stats = async () => (await fetch(`${srv.base}/ingestion/stats`)).json();
    const processedBefore = (await stats()).features.processed as number;
    // 600 messages stored in one transaction (an import does this): three envelopes of 256, 256, 88
    const messages: SmsMessage[] = Array.from({ length: 600 }, (_, i) => ({
      user_id: 'enveloped',
      sms_id: newTimeUuid(),
      sender_id: 'x',
      sms_text: `enveloped ${i}`,
    }));
    await srv.engines.storage.users.insertMany(messages);
    await untilFeatures(
      'the 600 messages featured',
      srv.engines,
      messages.map((m) => m.sms_id),
    );
    const sent = (await jsm.streams.info('SMS_CHANGES')).state.messages - heldBefore;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(3);
    // the feature step's rate counts stored messages, not envelopes
    await until('600 counted as processed', async () => (await stats()).features.processed >= processedBefore + 600);

    // an empty envelope is done (it was delivered again and again, a failure each time)
    const failuresBefore = (await stats()).features.failures as number;
    await js.publish('sms.changes', JSON.stringify({ changes: [] }));
    await until('the empty envelope acknowledged', async () => {
      const s = await stats();
      return s.features.pending === 0 && s.features.ack_pending === 0;
    });
    expect((await stats()).features.failures).toBe(failuresBefore);
    // an envelope holds up to 256 changes: what is in flight is bounded in envelopes accordingly
    expect((await jsm.consumers.info('SMS_CHANGES', 'spamops-features')).config.max_ack_pending).toBe(64);

    const event = (text: string) => ({ op: 'insert', at: Date.now(), message: { user_id: 'legacy', sms_id: newTimeUuid(), sender_id: 'x', sms_text: text } });
    const lone = event('one event to a stream message, as before');
    await js.publish('sms.changes', JSON.stringify(lone));
    await untilFeatures('the lone event featured', srv.engines, [lone.message.sms_id]);

    const deadBefore = (await (await fetch(`${srv.base}/ingestion/stats`)).json()).dead_letters as number;
    const fine = event('fine, but in a bad envelope');
    await js.publish('sms.changes', JSON.stringify({ changes: [fine, { op: 'insert', message: { user_id: 'legacy' } }] }));
    const letter = await until('the envelope in the dead letters', async () => {
      const d = await (await fetch(`${srv.base}/ingestion/dead-letters`)).json();
      return d.find((x: { subject: string }) => x.subject === 'sms.changes');
    });
    expect(letter.reason).toMatch(/changes\.1 is no change event/);
    expect((await (await fetch(`${srv.base}/ingestion/stats`)).json()).dead_letters).toBe(deadBefore + 1);
    expect(await srv.engines.storage.online.read('sms_features2', [fine.message.sms_id])).toEqual([undefined]);
  });

  it('(B) every write path reaches the feature step through the stream: POST /sms/{user}, POST /sms, the CLI, an import', async () => {
    const w = await (await post('/sms/ellen', { sender_id: 'otto', sms_text: 'Can u get me some cabbages at the grocery store?' })).json();
    const inbox = await post('/sms', { recipient_id: 'otto', sender_id: 'ellen', sms_text: 'They only have turnips left. What do I do?' });
    expect(inbox.status).toBe(200); // answered once the features came back through the stream
    const r = await inbox.json();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPAMOPS_')));
    const sent = spawnSync(process.execPath, [bin, 'sms', 'send', 'kim', 'See you at 8', '--from', 'lee', '--data-dir', srv.dir], { encoding: 'utf8', env });
    expect(sent.status, sent.stderr).toBe(0);
    const file = join(srv.dir, 'in.json');
    writeFileSync(file, JSON.stringify([{ user_id: 'jo', sender_id: 'a', sms_text: 'imported', date_sent: '2021-02-03T04:05:06Z' }]));
    expect(spawnSync(process.execPath, [bin, 'sms', 'import', file, '--data-dir', srv.dir], { encoding: 'utf8', env }).status).toBe(0);
    const ids = [
      w.sms_id,
      r.sms_id,
      (await srv.engines.storage.users.listByUser('kim'))[0].sms_id,
      (await srv.engines.storage.users.listByUser('jo'))[0].sms_id,
    ];
    await untilFeatures('features for every door', srv.engines, ids);
  });

  it('/health and the serve output say the stream is connected', async () => {
    expect((await (await fetch(`${srv.base}/health`)).json()).ingestion).toEqual({ mode: 'stream', stream: 'connected', reason: null });
  });
});

type Users = Awaited<ReturnType<typeof testEngines>>['engines']['storage']['users'];

/**
 * A stream ingestion of its own (subjects `<p>.in`, `<p>.changes`, `<p>.dead`, two deliveries) on a
 * bootstrapped data dir, storing through `insertMany` (the store's, changed by the test), on a NATS
 * server of its own; `run` gets it, a client and the engines, and everything stops after.
 */
async function withIngestion(
  prefix: string,
  insertMany: (store: Users) => Users['insertMany'],
  run: (ingestion: StreamIngestion, js: JetStreamClient, engines: Awaited<ReturnType<typeof testEngines>>['engines']) => Promise<void>,
): Promise<void> {
  const nats = await startNats();
  const t = await testEngines();
  const { bootstrap } = await import('../setup');
  await bootstrap(t.engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
  const users = Object.assign(Object.create(t.engines.storage.users), { insertMany: insertMany(t.engines.storage.users) }) as Users;
  const step = new FeatureStep({ features: t.engines.features, online: t.engines.storage.online, tokenizers: t.engines.tokenizers });
  const subjects = { subject: `${prefix}.in`, changesSubject: `${prefix}.changes`, deadLetterSubject: `${prefix}.dead`, maxDeliver: 2 };
  const ingestion = new StreamIngestion(settingsFor(nats.url, subjects), { users, step, owner: { id: 'stream-test', where: t.dir } });
  const nc = await connect({ servers: nats.url });
  try {
    await ingestion.start();
    await run(ingestion, jetstream(nc), t.engines);
  } finally {
    await nc.close();
    await ingestion.stop();
    await t.cleanup();
    await nats.stop();
  }
}

/**
 * A server whose stream uses the subjects `<p>.in`, `<p>.changes` and `<p>.dead…` (`dead`: the last
 * one's name) on a NATS server of its own, where `prepare` made streams first; `run` gets the server,
 * the engines, the stream manager and the NATS URL, and everything stops after.
 */
async function withPreparedNats(
  prefix: string,
  dead: string,
  prepare: (jsm: JetStreamManager) => Promise<unknown>,
  run: (srv: { base: string }, engines: Awaited<ReturnType<typeof testEngines>>['engines'], jsm: JetStreamManager, url: string) => Promise<void>,
): Promise<void> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    await prepare(jsm);
    const t = await testEngines({ stream: settingsFor(nats.url, { subject: `${prefix}.in`, changesSubject: `${prefix}.changes`, deadLetterSubject: dead }) });
    try {
      const srv = await startTestServer(t.engines);
      try {
        await run(srv, t.engines, jsm, nats.url);
      } finally {
        await srv.close();
      }
    } finally {
      await t.cleanup();
    }
  } finally {
    await nc.close();
    await nats.stop();
  }
}

describe.skipIf(!!skip)(`the stream, failing and missing${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('a message failing every delivery goes to the dead letters after maxDeliver, with the last error; the others are stored', async () => {
    // a store that cannot take one particular message
    const cursed = (store: Users) => async (msgs: SmsMessage[]) => {
      if (msgs.some((m) => m.sms_text.includes('cursed'))) throw new Error('disk says no to cursed texts');
      return store.insertMany(msgs);
    };
    await withIngestion('t', cursed, async (ingestion, js, engines) => {
      const h = headers();
      h.set('X-Trace', 'abc');
      await js.publish('t.in', JSON.stringify({ recipient_id: 'cu', sender_id: 'x', sms_text: 'a cursed message' }), { msgID: 'c-1', headers: h });
      await until('the dead letter', async () => (await ingestion.deadLetters(10)).length === 1, 20_000);
      const [d] = await ingestion.deadLetters(10);
      expect(d.reason).toMatch(/failed 2 deliveries: disk says no to cursed texts/);
      expect(d.deliveries).toBe(2);
      await js.publish('t.in', JSON.stringify({ recipient_id: 'cu', sender_id: 'x', sms_text: 'a blessed message' }), { msgID: 'c-2' });
      await until('the next one stored', async () => (await engines.storage.users.listByUser('cu')).length === 1);
      const s = await ingestion.stats();
      expect(s.incoming?.failures).toBeGreaterThanOrEqual(1);
      expect(s.incoming?.redelivered).toBeGreaterThanOrEqual(1);
      expect(s.dead_letters).toBe(1);
    });
  });

  it('a message stored by a delivery whose answer was lost goes to the dead letters with its stored id: retried, it is stored once; a text of 1,500 emoji is taken, as POST /sms takes it', async () => {
    // a store whose commit goes through but whose answer is lost (as when the process is killed after it)
    let losing = true;
    const lost = (store: Users) => async (msgs: SmsMessage[]) => {
      const r = await store.insertMany(msgs);
      if (losing && msgs.some((m) => m.sms_text.includes('lost answer'))) throw new Error('the answer was lost after the commit');
      return r;
    };
    await withIngestion('l', lost, async (ingestion, js, engines) => {
      await js.publish('l.in', JSON.stringify({ recipient_id: 'la', sender_id: 'x', sms_text: 'a lost answer' }), { msgID: 'l-1' });
      await until('the dead letter', async () => (await ingestion.deadLetters(10)).length === 1, 20_000);
      const [d] = await ingestion.deadLetters(10);
      expect(d.reason).toMatch(/failed 2 deliveries: the answer was lost after the commit/);
      expect(d.retryable).toBe(true);
      const stored = await engines.storage.users.listByUser('la');
      expect(stored).toHaveLength(1);
      losing = false;
      await ingestion.retryDeadLetter(d.seq);
      await until('the retry handled', async () => (await ingestion.stats()).incoming?.pending === 0 && (await ingestion.deadLetters(10)).length === 0, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      // the retry found it stored (its id kept), where it stored it again under a new id
      expect((await engines.storage.users.listByUser('la')).map((m) => m.sms_id)).toEqual([stored[0].sms_id]);

      const emoji = '\u{1F600}'.repeat(1500); // 1,500 characters, 3,000 UTF-16 units
      await js.publish('l.in', JSON.stringify({ recipient_id: 'em', sender_id: 'x', sms_text: emoji }), { msgID: 'l-2' });
      await until('the emoji message stored', async () => (await engines.storage.users.listByUser('em')).length === 1, 20_000);
      expect(await ingestion.deadLetters(10)).toHaveLength(0);
      await js.publish('l.in', JSON.stringify({ recipient_id: 'em', sender_id: 'x', sms_text: `${emoji}!`.repeat(2) }), { msgID: 'l-3' });
      await until('the long one refused', async () => (await ingestion.deadLetters(10)).length === 1, 20_000);
      expect((await ingestion.deadLetters(10))[0].reason).toBe('sms_text: expected at most 2000 characters');
    });
  });

  it('streams made before SpamOps in a way it cannot use, or taking its subjects: /health names the stream and the setting, not a passing outage', async () => {
    const prepare = async (jsm: JetStreamManager) => {
      // the changes' stream, taking messages of at most 2,000 bytes: every envelope of changes was refused
      await jsm.streams.add({ name: 'U_CHANGES', subjects: ['u.changes'], max_msg_size: 2000 });
      // a stream of someone else's that takes the dead letters' subject by a wildcard
      await jsm.streams.add({ name: 'OTHER', subjects: ['u.dead.>', 'v.>'] });
    };
    await withPreparedNats('u', 'u.dead.letters', prepare, async (srv, engines, jsm, url) => {
      const health = await until('/health to tell of the changes stream', async () => {
        const h = await (await fetch(`${srv.base}/health`)).json();
        return /U_CHANGES/.test(JSON.stringify(h)) ? h : undefined;
      });
      expect(health.status).not.toBe('ok');
      expect(health.ingestion.reason).toBe(
        `NATS at ${url}: ` +
          'stream U_CHANGES exists set up in a way SpamOps cannot use: max_msg_size 2000 bytes, where SpamOps publishes changes of up to 524288 bytes to it (-1, no limit, or at least 524288). Change it (nats stream edit U_CHANGES) or delete it (SpamOps creates it again)',
      );
      await jsm.streams.delete('U_CHANGES');
      await until('the dead letters subject told', async () => /u\.dead\.letters/.test(engines.ingestion.health().reason ?? ''), 30_000);
      expect(engines.ingestion.health().reason).toBe(
        `NATS at ${url}: ` +
          'subject u.dead.letters is taken by stream OTHER (u.dead.>, v.>), so SpamOps cannot create its stream U_DEAD_LETTERS: choose other subjects (SPAMOPS_STREAM_*SUBJECT) or take u.dead.letters out of that stream',
      );
      await jsm.streams.delete('OTHER');
      await until('connected once the streams are fixed', async () => engines.ingestion.health().stream === 'connected', 30_000);
    });
  });

  it('a changes stream that refuses what the relay publishes (full, discarding new): /health tells of the failing step while connected', async () => {
    const prepare = (jsm: JetStreamManager) => jsm.streams.add({ name: 'F_CHANGES', subjects: ['f.changes'], max_msgs: 1, discard: 'new' as never });
    await withPreparedNats('f', 'f.dead', prepare, async (srv, engines) => {
      await until('connected', async () => engines.ingestion.health().stream === 'connected', 30_000);
      for (let i = 0; i < 3; i++) {
        await fetch(`${srv.base}/sms`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ recipient_id: 'full', sender_id: 'x', sms_text: `message ${i}` }),
        });
        await new Promise((r) => setTimeout(r, 200));
      }
      const health = await until(
        '/health to tell of the relay',
        async () => {
          const h = await (await fetch(`${srv.base}/health`)).json();
          return h.problems.some((p: { component: string }) => p.component === 'inbox features') ? h : undefined;
        },
        40_000,
      );
      expect(health.status).not.toBe('ok');
      expect(health.ingestion.stream).toBe('connected');
      expect(health.ingestion.featuresFailing.error).toMatch(/^the relay cannot publish the changes to f\.changes: .*maximum messages/);
    });
  });

  it('a NATS server without JetStream: SpamOps serves and says to start it with -js', async () => {
    const plain = await startNats({ jetstream: false });
    const t = await testEngines({ stream: settingsFor(plain.url) });
    try {
      await until('the reason', async () => /runs without JetStream: start it with -js/.test(t.engines.ingestion.health().reason ?? ''));
      expect(t.engines.ingestion.health().stream).toBe('unavailable');
    } finally {
      await t.cleanup();
      await plain.stop();
    }
  });

  it('NATS down at start: SpamOps starts and says why, stores meanwhile (202), and catches up when NATS comes', async () => {
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const srv = await streamingServer(settingsFor(url));
    let nats: NatsServer | undefined;
    try {
      const h = (await (await fetch(`${srv.base}/health`)).json()).ingestion;
      expect(h).toMatchObject({ mode: 'stream', stream: 'unavailable' });
      expect(h.reason).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+: connection refused/);
      const res = await fetch(`${srv.base}/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ recipient_id: 'early', sender_id: 'bird', sms_text: 'anyone there?' }),
      });
      expect(res.status).toBe(202);
      const r = await res.json();
      expect(r.reason).toMatch(/^stored; its v2 features are on their way \(the change stream is unavailable/);
      expect((await srv.engines.storage.users.get('early', r.sms_id))?.sms_text).toBe('anyone there?');
      expect((await srv.engines.ingestion.pending()).map((p) => p.message.sms_id)).toContain(r.sms_id);
      const st = await (await fetch(`${srv.base}/ingestion/stats`)).json();
      expect(st.stream.connected).toBe(false);
      expect((await fetch(`${srv.base}/ingestion/dead-letters`)).status).toBe(503);

      nats = await startNats({ port });
      await until('the stream to connect', async () => srv.engines.ingestion.health().stream === 'connected', 20_000);
      await untilFeatures('the early message to get its features', srv.engines, [r.sms_id]);
      expect(await srv.engines.ingestion.pending()).toEqual([]);

      // the server goes away and comes back with its store: consumption resumes
      await nats.kill();
      await until('the loss to show', async () => srv.engines.ingestion.health().stream === 'unavailable', 20_000);
      await nats.start();
      await until('the stream to reconnect', async () => srv.engines.ingestion.health().stream === 'connected', 30_000);
      const nc = await connect({ servers: url });
      await jetstream(nc).publish('sms.incoming', JSON.stringify({ recipient_id: 'late', sender_id: 'owl', sms_text: 'back again' }), { msgID: 'late-1' });
      await nc.close();
      const [late] = await until('the message published after the restart', async () => {
        const l = await srv.engines.storage.users.listByUser('late');
        return l.length === 1 && l;
      });
      await untilFeatures('its features', srv.engines, [late.sms_id]);
    } finally {
      await srv.close();
      await nats?.stop();
    }
  });
});
