/**
 * A server asked to stop (SIGTERM) while it imports a large file stops within seconds: the import
 * ends at its next batch, says so, and keeps what it stored (it used to wait for the whole import:
 * a server fed a hostile file kept a core busy for 45 minutes after SIGTERM). Work that cannot stop
 * in time is cut short after 10 s, which kill -9 tests show to be safe.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures';
import { startServeChild } from '../testing/serve-child';
import type { ImportJob } from '../../src-shared/data';

const t = tempDir('spamops-stop-');
afterAll(() => t.remove());

const startServer = (port: number) => startServeChild(t.dir, port, ['--auto-bootstrap']);

describe('stopping a busy server', () => {
  it('stops an import at its next batch on SIGTERM, exits within seconds, and the job says what it kept', async () => {
    const port = 18900 + Math.floor(Math.random() * 90);
    const base = `http://127.0.0.1:${port}`;
    let server = await startServer(port);
    const lines = ['sms_id,text,label'];
    for (let i = 0; i < 600_000; i++) lines.push(`stop${i},message number ${i} about the meeting tomorrow,${i % 5 ? 'ham' : 'spam'}`);
    const form = new FormData();
    form.append('file', new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }), 'large.csv');
    const res = await fetch(`${base}/data/imports`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as ImportJob;
    // once rows are going in, stop it
    for (let i = 0; i < 200; i++) {
      const job = (await (await fetch(`${base}/data/imports/${id}`)).json()) as ImportJob;
      if ((job.steps.find((s) => s.key === 'read')?.done ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    server.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => server.once('exit', (c) => r(c)));
    const took = Date.now() - t0;
    expect(code).toBe(0); // stopped by itself, not cut short
    expect(took).toBeLessThan(9_000);

    server = await startServer(port);
    try {
      const job = (await (await fetch(`${base}/data/imports/${id}`)).json()) as ImportJob;
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/^the server stopped during the import; the [\d,]+ messages before it were imported and are kept/);
      const kept = Number(/the ([\d,]+) messages/.exec(job.error ?? '')![1].replace(/,/g, ''));
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(600_000);
      const summary = (await (await fetch(`${base}/data/summary`)).json()) as { labelled: number };
      expect(summary.labelled).toBe(240 + kept); // the sample and what the job said it kept
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  }, 120_000);
});
