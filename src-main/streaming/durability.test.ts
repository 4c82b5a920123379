/**
 * Exactly once in effect across a killed process: `spamops serve --stream` as a child, N messages
 * published with Nats-Msg-Id, SIGKILL while it is storing them, a restart: exactly N stored, each
 * once, all with online features, nothing left pending. Needs nats-server (skipped otherwise).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import Database from 'better-sqlite3';
import { appRoot } from '../config';
import { tempDir } from '../testing/fixtures';
import { freePort, natsSkipReason, startNats, type NatsServer } from '../testing/nats';

const skip = natsSkipReason();
const bin = join(appRoot(), 'bin', 'spamops.mjs');
const N = 3000;
const t = tempDir('spamops-stream-kill-');
let nats: NatsServer | undefined;
let server: ChildProcess | undefined;
afterAll(async () => {
  server?.kill('SIGKILL');
  await nats?.stop();
  t.remove();
});

const env = (url: string) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPAMOPS_') && !k.startsWith('CASSANDRA_'))),
  SPAMOPS_STREAM_URL: url,
  // unacknowledged messages come back 2 s after the kill instead of 10
  SPAMOPS_STREAM_ACK_WAIT_MS: '2000',
});

/** what the server said last (stdout and stderr), and how it ended if it did: a failure names them */
let said = '';
let ended: string | undefined;
const serverState = () => `the server ${ended ?? 'still runs'}; its last output: ${said}`;

async function startServer(port: number, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--data-dir', t.dir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: env(url) });
  said = '';
  ended = undefined;
  const hear = (d: Buffer) => {
    said = (said + d.toString()).slice(-3000);
  };
  child.stderr!.on('data', hear);
  child.stdout!.on('data', hear);
  child.once('exit', (c, signal) => {
    ended = `exited with ${c ?? signal}`;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('SpamOps API listening') && resolve());
    child.once('exit', (c) => reject(new Error(`server exited with ${c}: ${said}`)));
  });
  return child;
}

/** a request to the server; a refused one says how the server is (it was seen refused right after it listened, once, in a busy suite) */
async function ask(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw new Error(`${(e as Error).message} (${String((e as Error).cause ?? '')}); ${serverState()}`);
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, withinMs: number, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > withinMs) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe.skipIf(!!skip)(`stream ingestion across kill -9${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it(`publish ${N}, SIGKILL mid-way, restart: exactly ${N} stored, all with features`, async () => {
    const boot = spawnSync(process.execPath, [bin, 'bootstrap', '--models', 'none', '--data-dir', t.dir], { encoding: 'utf8', env: env('') });
    expect(boot.status, boot.stderr).toBe(0);
    nats = await startNats();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await startServer(port, nats.url);
    await until('the stream', async () => (await (await ask(`${base}/health`)).json()).ingestion.stream === 'connected', 20_000);
    const stored = async () => (await (await ask(`${base}/sms/kill9?limit=99999`)).json()) as { sms_id: string; sms_text: string }[];

    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    const body = (i: number) => JSON.stringify({ recipient_id: 'kill9', sender_id: `p${i % 13}`, sms_text: `message number ${i} of the kill test` });
    const published = (async () => {
      for (let i = 0; i < N; i += 250)
        await Promise.all(Array.from({ length: Math.min(250, N - i) }, (_, k) => js.publish('sms.incoming', body(i + k), { msgID: `kill-${i + k}` })));
    })();
    // kill it while it is storing: some stored, not all (counted in the SQLite file, a cheap read
    // every few milliseconds, so the kill comes early whatever the machine's speed)
    const db = new Database(join(t.dir, 'spamops.sqlite'), { readonly: true, fileMustExist: true });
    const count = db.prepare("SELECT COUNT(*) AS n FROM smss_by_users WHERE user_id = 'kill9'");
    const storedNow = () => (count.get() as { n: number }).n;
    await until('a tenth stored', async () => storedNow() >= N / 10, 60_000, 2);
    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    const atKill = storedNow();
    db.close();
    await published;
    expect(atKill).toBeLessThan(N);

    server = await startServer(port, nats.url);
    // a publisher that did not hear its acknowledgements publishes again: dropped as duplicates
    const again = await Promise.all(Array.from({ length: 100 }, (_, i) => js.publish('sms.incoming', body(i), { msgID: `kill-${i}` })));
    expect(again.every((a) => a.duplicate)).toBe(true);
    await nc.close();

    const all = await until(
      `${N} stored`,
      async () => {
        const s = await stored();
        return s.length >= N && s;
      },
      120_000,
      250,
    );
    const stats = await until(
      'the consumers and the relay to catch up',
      async () => {
        const s = await (await ask(`${base}/ingestion/stats`)).json();
        const idle =
          s.change_log.pending === 0 && s.incoming.pending === 0 && s.incoming.ack_pending === 0 && s.features.pending === 0 && s.features.ack_pending === 0;
        return idle && s;
      },
      60_000,
      250,
    );
    const ids = all.map((m) => m.sms_id);
    const online = await (
      await ask(`${base}/get-online-features`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: ['sms_features2:features'], entities: { sms_id: ids } }),
      })
    ).json();
    const withFeatures = online.results[1].statuses.filter((s: string) => s === 'PRESENT').length;
    const afterRestart = (await stored()).length;
    console.log(
      `kill -9 test: ${atKill} of ${N} stored when killed; after the restart ${afterRestart} stored, ${withFeatures} with online features ` +
        `(redelivered after the restart: ${stats.incoming.redelivered} entry messages, ${stats.features.redelivered} change events)`,
    );
    expect(afterRestart).toBe(N);
    expect(new Set(all.map((m) => m.sms_text)).size).toBe(N);
    expect(withFeatures).toBe(N);
    expect(await (await ask(`${base}/inbox/outbox`)).json()).toEqual([]);
    expect(await (await ask(`${base}/ingestion/dead-letters`)).json()).toEqual([]);
    // and the data dir verifies: every message's features online and offline are its own text's, each id held once, each part listed
    const check = await (await ask(`${base}/check`)).json();
    expect(check.findings).toEqual([]);
    expect(check.messages).toBeGreaterThanOrEqual(N); // with the sample inbox
    server.kill('SIGTERM');
  });
});
