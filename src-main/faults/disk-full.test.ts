/**
 * F3: a real full disk (a small tmpfs holds the data dir, then a file fills it). Messages keep
 * arriving: each answer must be the truth. 200/202 means stored (it is there after space comes
 * back and the server restarts), 507 means not stored (it never shows up); never a 500, never an
 * unhandled rejection; /health says the disk is full and what to do; once space is back the
 * waiting features arrive and new messages are stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startEngines } from '../setup';
import type { Engines } from '../engines';
import { testConfig } from '../testing/fixtures';
import { bootstrap } from '../setup';
import { SAMPLE_DATASET } from '../testing/fixtures';

const mountPoint = mkdtempSync(join(tmpdir(), 'spamops-full-'));
let mounted = false;
let why: string | undefined;
try {
  if (process.getuid?.() !== 0) throw new Error('needs root to mount a tmpfs');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounted = true;
} catch (e) {
  why = (e as Error).message.split('\n')[0];
}

/** fills the disk (writes until ENOSPC), then gives back `leave` bytes */
function fill(path: string, leave: number): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(16 * 1024, 1);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    ftruncateSync(fd, Math.max(0, size - leave));
    closeSync(fd);
  }
}

describe.skipIf(!mounted)(`F3: the data dir's disk fills up${why ? ` (skipped: ${why})` : ''}`, () => {
  let engines: Engines;
  let app: FastifyInstance;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  const dataDir = join(mountPoint, 'data');
  const filler = join(mountPoint, 'filler.bin');

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    const config = testConfig(dataDir);
    engines = await startEngines(config, { autoBootstrap: false, log: () => undefined });
    await bootstrap(engines, { datasetPath: SAMPLE_DATASET, log: () => undefined, released: true });
    await engines.ingestion.drain();
    const { buildApp } = await import('../api');
    app = await buildApp(engines);
  }, 60_000);

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await app?.close();
    await engines?.close().catch(() => undefined);
    if (mounted) execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  const post = (text: string) =>
    app.inject({
      method: 'POST',
      url: '/sms',
      headers: { host: 'localhost', 'content-type': 'application/json' },
      payload: { recipient_id: 'disk', sender_id: 'filler', sms_text: text },
    });

  it('answers each message truthfully while full, says so in /health, and loses nothing once space is back', async () => {
    // a little room left: the first messages fit, the later ones do not
    fill(filler, 300 * 1024);
    const answers: { text: string; status: number; body: string }[] = [];
    // long texts: each needs new pages in the database, not room left in a page. How many fit
    // depends on how compact the WAL stays (checkpoints every 50 ms keep it small): send until the
    // disk refuses, then a few more, at most 300
    for (let i = 0, refusedAt = -1; i < 300 && (refusedAt < 0 || i < refusedAt + 5); i++) {
      const text = `full disk message ${i} ${'x'.repeat(1900)}`;
      const r = await post(text);
      answers.push({ text, status: r.statusCode, body: r.body });
      if (r.statusCode === 507 && refusedAt < 0) refusedAt = i;
    }
    const statuses = answers.map((a) => a.status);
    for (const a of answers) expect([200, 202, 507], a.body).toContain(a.status);
    expect(statuses).toContain(507); // the disk did refuse (the test can fail)
    expect(statuses.filter((x) => x !== 507).length).toBeGreaterThan(0); // and some fit before
    const refused = answers.find((a) => a.status === 507)!;
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'insufficient_storage' });
    const health = (await app.inject({ method: 'GET', url: '/health', headers: { host: 'localhost' } })).json();
    expect(health.status).toBe('degraded');
    expect(health.problems.map((p: { component: string }) => p.component)).toContain('disk');

    // space back, the server restarted: every message answered 200/202 is there, no 507 one is
    rmSync(filler);
    await app.close();
    await engines.close();
    engines = await startEngines(testConfig(dataDir), { autoBootstrap: false, log: () => undefined });
    const { buildApp } = await import('../api');
    app = await buildApp(engines);
    await engines.ingestion.drain();
    const inbox = (await app.inject({ method: 'GET', url: '/sms/disk', headers: { host: 'localhost' } })).json() as { sms_text: string; sms_id: string }[];
    const stored = new Set(inbox.map((m) => m.sms_text));
    for (const a of answers) expect(stored.has(a.text), `${a.status} for ${a.text.slice(0, 24)}`).toBe(a.status !== 507);
    // the stored ones get their features (late, not lost)
    const ids = inbox.map((m) => m.sms_id);
    const online = await engines.storage.online.read('sms_features2', ids);
    expect(online.filter((r) => r !== undefined)).toHaveLength(ids.length);
    // and the next message is stored with its features at once
    expect((await post('space is back')).statusCode).toBe(200);
    expect(unhandled).toEqual([]);
  }, 120_000);
});
