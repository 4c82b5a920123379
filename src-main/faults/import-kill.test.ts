/**
 * kill -9 in the middle of an import (a real `spamops serve` process, a real upload): the next
 * start finds the job, says where it stopped and how far it got, runs the steps after the read
 * again so that the offline sources and the online store hold every row the warehouse kept, and
 * deletes the upload the killed process left. Before, the job was gone (404), its rows were in the
 * warehouse without features (a training run dropped them) and the upload stayed for good.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/fixtures';
import { SPAMOPS_BIN as bin, cleanEnv, startServeChild } from '../testing/serve-child';
import { until } from '../testing/wait';

const t = tempDir('spamops-import-kill-');
afterAll(() => t.remove());

const startServer = (port: number) => startServeChild(t.dir, port);

const ROWS = 150_000;

describe('kill -9 during an import', () => {
  it('the next start says where the job stopped, brings its stored rows into the feature store and deletes the upload', async () => {
    expect(spawnSync(process.execPath, [bin, 'bootstrap', '--models', 'none', '--data-dir', t.dir], { encoding: 'utf8', env: cleanEnv() }).status).toBe(0);
    const csv = join(t.dir, 'big.csv');
    const lines = ['sms_id,text,label'];
    for (let i = 0; i < ROWS; i++) lines.push(`kill${String(i).padStart(7, '0')},message number ${i} call now to win,${i % 7 === 0 ? 'spam' : 'ham'}`);
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const port = 18100 + Math.floor(Math.random() * 300);
    const base = `http://127.0.0.1:${port}`;
    let server = await startServer(port);
    const before = (await (await fetch(`${base}/data/summary`)).json()).labelled as number;
    const form = new FormData();
    form.append('file', new Blob([readFileSync(csv)]), 'big.csv');
    const started = await fetch(`${base}/data/imports`, { method: 'POST', body: form });
    expect(started.status).toBe(202);
    const { id } = await started.json();
    // well into the read: rows stored, the import far from its end
    await until(
      'the import to store rows',
      async () => {
        const j = await (await fetch(`${base}/data/imports/${id}`)).json();
        return (j.steps.find((s: { key: string }) => s.key === 'read')?.done ?? 0) >= 20_000 || undefined;
      },
      60_000,
    );
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    expect(readdirSync(join(t.dir, 'imports')).filter((f) => f.endsWith('.upload'))).toHaveLength(1);

    server = await startServer(port);
    try {
      const job = await until(
        'the interrupted import to be finished after the restart',
        async () => {
          const r = await fetch(`${base}/data/imports/${id}`);
          expect(r.status).toBe(200);
          const j = await r.json();
          return j.status === 'running' ? undefined : j;
        },
        120_000,
      );
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/^interrupted during "Rows imported into the warehouse" \(at least \d+ new rows stored of \d+ read\): the server stopped/);
      expect(job.error).toMatch(/import the file again to add the rest/);
      const steps = Object.fromEntries(job.steps.map((s: { key: string; status: string }) => [s.key, s.status]));
      expect(steps).toEqual({ upload: 'done', read: 'failed', 'offline-sources': 'done', apply: 'done', materialize: 'done' });
      const stored = (await (await fetch(`${base}/data/summary`)).json()).labelled as number;
      expect(stored).toBeGreaterThan(before);
      expect(stored).toBeLessThan(before + ROWS);
      // every row the warehouse kept is in the offline source the training reads: none dropped
      const rebuilt = job.steps.find((s: { key: string }) => s.key === 'offline-sources').detail as string;
      expect(rebuilt).toContain(`smss1 ${stored} rows`);
      expect(readdirSync(join(t.dir, 'imports')).filter((f) => f.endsWith('.upload'))).toEqual([]);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  }, 300_000);
});
