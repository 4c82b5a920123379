/**
 * The inbox loses nothing when the process is killed while the offline store cannot be written:
 * a real server process, SIGKILL, a restart whose offline follower writes what was pending.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/fixtures';
import { SPAMOPS_BIN as bin, cleanEnv, startServeChild } from '../testing/serve-child';
import { until } from '../testing/wait';

const t = tempDir('spamops-inbox-');
afterAll(() => t.remove());

const startServer = (port: number) => startServeChild(t.dir, port);

describe('inbox durability across a killed process', () => {
  it('a killed process leaves nothing behind: the message is kept and its offline features arrive after the restart', async () => {
    expect(spawnSync(process.execPath, [bin, 'bootstrap', '--models', 'none', '--data-dir', t.dir], { encoding: 'utf8', env: cleanEnv() }).status).toBe(0);
    const port = 18500 + Math.floor(Math.random() * 400);
    const src = join(t.dir, 'offline_data', 'smss2');
    renameSync(src, `${src}.away`);
    writeFileSync(src, 'offline store down');
    let server = await startServer(port);
    const res = await fetch(`http://127.0.0.1:${port}/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient_id: 'kim', sender_id: 'lee', sms_text: 'See you at 8' }),
    });
    expect(res.status).toBe(200); // online: the answer; the offline rows are group-committed behind it
    const { sms_id } = await res.json();
    const stats = () => fetch(`http://127.0.0.1:${port}/ingestion/stats`).then((r) => r.json());
    await until('the offline follower to meet the broken store', async () => (await stats()).offline?.last_error);
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    // the store comes back; a new process must finish the job
    rmSync(src);
    renameSync(`${src}.away`, src);
    server = await startServer(port);
    try {
      const msg = await (await fetch(`http://127.0.0.1:${port}/sms/kim/${sms_id}`)).json();
      expect(msg.sms_text).toBe('See you at 8');
      const online = await (
        await fetch(`http://127.0.0.1:${port}/get-online-features`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ features: ['sms_features2:features'], entities: { sms_id: [sms_id] } }),
        })
      ).json();
      expect(online.results[1].statuses).toEqual(['PRESENT']);
      expect(await (await fetch(`http://127.0.0.1:${port}/inbox/outbox`)).json()).toEqual([]);
      await until('the offline rows to be written', async () => (await stats()).offline?.pending === 0);
      // and the data dir verifies: features equal their text's online and offline, every part listed
      const check = await (await fetch(`http://127.0.0.1:${port}/check`)).json();
      expect(check.findings).toEqual([]);
      expect(check.ok).toBe(true);
    } finally {
      server.kill('SIGTERM');
    }
  });
});
