/**
 * The SQLite file locked by another program: a second connection, in another process, holds
 * BEGIN EXCLUSIVE (as a sqlite3 shell left inside a transaction does) while POST /sms and the
 * stream's entry subject (a real nats-server) bring messages. Writes are refused with 503 and
 * Retry-After (they were 500 `database is locked` after 5-15 s), /health answers at once and says
 * storage_busy (it stalled 5-15 s behind the waiting writes), stream messages are delivered again
 * past maxDeliver without reaching the dead letters (all of them did), and once the lock goes
 * every message is stored and gets its features.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { appRoot } from '../config';
import { SAMPLE_DATASET, startTestServer, testEngines } from '../testing/fixtures';
import { natsSkipReason, startNats, type NatsServer } from '../testing/nats';
import type { HealthAnswer } from '../../src-shared/health';
import { until, untilFeatures } from '../testing/wait';

const skip = natsSkipReason();
const MAX_DELIVER = 2;
const N = 20;

/** another process holding BEGIN EXCLUSIVE on the file (better-sqlite3, a connection of its own) until release() */
async function holdLock(file: string): Promise<{ release: () => Promise<void> }> {
  const script = `
    const db = new (require('better-sqlite3'))(process.env.LOCK_FILE);
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    process.stdin.on('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], {
    cwd: appRoot(),
    env: { ...process.env, LOCK_FILE: file },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before locking`)));
  });
  return {
    release: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin?.write('commit\n');
      await exited;
    },
  };
}

describe.skipIf(!!skip)(`the SQLite file locked by another program${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let nats: NatsServer;
  let t: Awaited<ReturnType<typeof testEngines>>;
  let base: string;
  let closeServer: () => Promise<void>;
  let nc: NatsConnection;
  let js: JetStreamClient;

  beforeAll(async () => {
    nats = await startNats();
    const { bootstrap } = await import('../setup');
    t = await testEngines({
      stream: {
        servers: [nats.url],
        subject: 'sms.incoming',
        changesSubject: 'sms.changes',
        deadLetterSubject: 'sms.dead',
        maxDeliver: MAX_DELIVER,
        ackWaitMs: 10_000,
      },
    });
    await bootstrap(t.engines, { datasetPath: SAMPLE_DATASET, log: () => undefined });
    const s = await startTestServer(t.engines);
    base = s.base;
    closeServer = s.close;
    await until('the stream to connect', async () => t.engines.ingestion.health().stream === 'connected');
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
  }, 120_000);
  afterAll(async () => {
    await nc?.close();
    await closeServer?.();
    await t?.cleanup();
    await nats?.stop();
  });

  const health = async (): Promise<{ ms: number; body: HealthAnswer }> => {
    const t0 = performance.now();
    const r = await fetch(`${base}/health`);
    const body = (await r.json()) as HealthAnswer;
    return { ms: performance.now() - t0, body };
  };
  const postSms = (text: string) =>
    fetch(`${base}/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient_id: 'locked', sender_id: 'poster', sms_text: text }),
    });

  it('answers 503 with Retry-After and a fast /health saying storage_busy, redelivers stream messages instead of dead letters, and stores all once the lock goes', async () => {
    const lock = await holdLock(t.engines.storage.location);
    try {
      let answeredAt: number | undefined;
      const posts = Promise.all([0, 1, 2].map((i) => postSms(`posted while locked ${i}`))).finally(() => {
        answeredAt = Date.now();
      });
      await Promise.all(
        Array.from({ length: N }, (_, i) =>
          js.publish('sms.incoming', JSON.stringify({ recipient_id: 'locked', sender_id: 'streamer', sms_text: `streamed while locked ${i}` })),
        ),
      );

      // /health while the writes wait: at once, and storage_busy once a write met the lock
      const pings: number[] = [];
      let busy: HealthAnswer | undefined;
      while (answeredAt === undefined || (!busy && Date.now() - answeredAt < 5000)) {
        const h = await health();
        pings.push(h.ms);
        if (h.body.storage.state === 'storage_busy') busy = h.body;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(Math.max(...pings), `/health took ${pings.map((p) => p.toFixed(0)).join(', ')} ms`).toBeLessThan(1000);
      expect(busy?.status).toBe('degraded');
      expect(busy?.problems.find((p) => p.component === 'storage')?.detail).toMatch(/^storage_busy: .*spamops\.sqlite has been locked by another connection/);

      for (const r of await posts) {
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        const body = (await r.json()) as { error: string; detail: string };
        expect(body.error).toBe('storage_busy');
        expect(body.detail).toMatch(/locked by another connection .*nothing was written/);
      }

      // each stream message delivered more often than maxDeliver while the lock lasts, none to the dead letters
      await until(
        `every stream message delivered more than ${MAX_DELIVER} times`,
        async () => ((await t.engines.ingestion.stats()).incoming?.redelivered ?? 0) >= N * MAX_DELIVER,
      );
      expect((await t.engines.ingestion.stats()).dead_letters).toBe(0);
      expect(await t.engines.storage.users.listByUser('locked')).toHaveLength(0);
    } finally {
      await lock.release();
    }

    // the lock gone: every stream message stored, with its features; nothing in the dead letters
    const stored = await until('the stream messages stored', async () => {
      const s = await t.engines.storage.users.listByUser('locked');
      return s.length >= N && s;
    });
    expect(stored.map((m) => m.sms_text).sort()).toEqual(Array.from({ length: N }, (_, i) => `streamed while locked ${i}`).sort());
    await untilFeatures(
      'their features',
      t.engines,
      stored.map((m) => m.sms_id),
    );
    expect((await t.engines.ingestion.stats()).dead_letters).toBe(0);
    await until('/health to say the storage is ok again', async () => (await health()).body.storage.state === 'ok');
    const after = await postSms('posted after the lock');
    expect([200, 202]).toContain(after.status);
  }, 240_000);
});
