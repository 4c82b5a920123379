/**
 * `spamops apply` of an earlier stage beside a running server (a hostile probe): it removed the
 * feature view production v2 and v3 read, with its online rows, and the push sources the inbox and
 * feedback write to, without a word; the server never saw the new registry; and the inbox's
 * feature step then failed on every message while /health said ok. Now the apply refuses, naming
 * what uses each definition, unless --force; the server serves a registry another process applied
 * within seconds; and /health says when the feature step keeps failing, and what to do.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures';
import { startServeChild } from '../testing/serve-child';
import { spamopsBatchAsync } from '../testing/cli';
import type { HealthAnswer } from '../../src-shared/health';

const t = tempDir('spamops-apply-');
afterAll(() => t.remove());

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('apply beside a running server', () => {
  it('refuses to remove definitions in use unless forced; the server serves what another process applied; /health tells of a failing feature step', async () => {
    const port = 18900 + Math.floor(Math.random() * 90);
    const base = `http://127.0.0.1:${port}`;
    const server = await startServeChild(t.dir, port, ['--auto-bootstrap']);
    const health = async () => (await (await fetch(`${base}/health`)).json()) as HealthAnswer;
    try {
      const before = (await health()).registry_version;
      expect(before).toBeGreaterThan(0);

      const [refused] = await spamopsBatchAsync([{ args: ['apply', '--stage', '2019'], dataDir: t.dir }]);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/stage 2019 would remove definitions in use/);
      expect(refused.err).toMatch(/feature view sms_features2: used by model v[23] version/);
      expect(refused.err).toMatch(/data source smss2_push: used by the inbox's feature step/);
      expect(refused.err).toMatch(/data source labels_push: used by feedback/);
      expect(refused.err).toMatch(/pass --force/);
      expect((await health()).registry_version).toBe(before); // nothing applied

      const [forced] = await spamopsBatchAsync([{ args: ['apply', '--stage', '2019', '--force'], dataDir: t.dir }]);
      expect(forced.code, forced.err).toBe(0);
      // the server picks up the snapshot the CLI applied (it kept version 1 until a restart)
      await until('the server to serve the new registry', async () => (await health()).registry_version === before + 1);

      // a message the feature step cannot push (no smss2_push any more): /health says so, and what to do
      const sent = await fetch(`${base}/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ recipient_id: 'kim', sender_id: 'lee', sms_text: 'See you at 8' }),
      });
      expect(sent.status).toBe(202); // stored; its features follow
      const problem = await until('/health to tell of the feature step', async () => (await health()).problems.find((p) => p.component === 'inbox features'));
      expect(problem.detail).toMatch(/failed \d+ times in a row: .*smss2_push/);
      expect(problem.remedy).toMatch(/apply the latest stage/);

      // the latest stage again: the waiting message is featured, and /health is ok
      const [back] = await spamopsBatchAsync([{ args: ['apply'], dataDir: t.dir }]);
      expect(back.code, back.err).toBe(0);
      await until('the feature step to recover', async () => (await health()).problems.every((p) => p.component !== 'inbox features'), 60_000);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  }, 180_000);
});
