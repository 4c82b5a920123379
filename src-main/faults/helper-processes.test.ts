/**
 * Helper processes a server leaves behind (issue 19, item 15). The engines run under tsx, whose
 * transforms run in an esbuild helper process started by each thread that registers tsx: the
 * server's main thread and every worker (training runs, the drift worker, the verdict helper).
 * A helper stayed idle for the life of its thread, and the helper of an ended worker stayed
 * defunct for the life of the server (after 25 minutes of use a probe found three and one).
 *
 * A real `spamops serve` with tsx's cache off (TSX_DISABLE_CACHE=1: every thread transforms, as on
 * a first start or after an upgrade; with a warm cache no helper starts at all) trains v1 and v2,
 * checks drift on its worker and records an inbox verdict on its helper thread; meanwhile every
 * child process of the server is noted. Once the work is done, no esbuild helper of the server is
 * running or defunct; once it has stopped, none of those it started is left anywhere.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../config';
import { tempDir } from '../testing/fixtures';
import type { RunRecord } from '../../src-shared/training';

const bin = join(appRoot(), 'bin', 'spamops.mjs');
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPAMOPS_') && !k.startsWith('CASSANDRA_')));
const t = tempDir('spamops-helpers-');
afterAll(() => t.remove());

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  comm: string;
  /** start time in clock ticks since boot: with the pid, names one process */
  start: string;
}

function proc(pid: number): Proc | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const rest = s.slice(close + 2).split(' ');
    return { pid, comm: s.slice(s.indexOf('(') + 1, close), state: rest[0], ppid: Number(rest[1]), start: rest[19] };
  } catch {
    return undefined; // gone
  }
}

function childrenOf(ppid: number): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = proc(Number(name));
    if (p && p.ppid === ppid) out.push(p);
  }
  return out;
}

const isEsbuild = (p: Proc) => p.comm === 'esbuild';

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('esbuild helpers of a server', () => {
  it('each ends: none running or defunct once the work is done, none left once the server stopped', async () => {
    const server: ChildProcess = spawn(process.execPath, [bin, 'serve', '--auto-bootstrap', '--data-dir', t.dir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), TSX_DISABLE_CACHE: '1' },
    });
    const pid = server.pid!;
    // every esbuild helper the server starts, by pid and start time
    const seen = new Map<string, Proc>();
    const note = () => {
      for (const p of childrenOf(pid)) if (isEsbuild(p)) seen.set(`${p.pid}:${p.start}`, p);
    };
    const sampler = setInterval(note, 25);
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        server.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
      });
      const post = (path: string, body: unknown) =>
        fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

      // training runs: a worker thread each (v2's LSTM on its own)
      const runs: RunRecord[] = [];
      for (const model of ['v1', 'v2']) {
        // one epoch for the LSTM (a forest has none: its parameters are refused for it)
        const r = await post('/runs', { model, params: model === 'v2' ? { epochs: 1 } : {} });
        expect(r.status).toBe(202);
        runs.push((await r.json()) as RunRecord);
      }
      for (const run of runs)
        await until(
          `run ${run.id}`,
          async () => {
            const r = (await (await fetch(`${base}/runs/${run.id}`)).json()) as RunRecord;
            if (r.status === 'failed' || r.status === 'cancelled') throw new Error(`run ${run.id} ${r.status}: ${r.error}`);
            return r.status === 'succeeded' ? r : undefined;
          },
          180_000,
        );
      // drift on its worker thread; an inbox message, whose verdict is recorded on the helper thread
      expect((await post('/monitoring/check', { model: 'v3' })).status).toBe(200);
      expect((await post('/sms/fiona', { sender_id: 'max', sms_text: 'WIN a FREE prize now, call 0800 123' })).status).toBeLessThan(300);
      await until(
        'the inbox verdict',
        async () => {
          const preds = (await (await fetch(`${base}/monitoring/predictions?model=v3`)).json()) as { endpoint: string }[];
          return preds.some((p) => p.endpoint === 'inbox') ? true : undefined;
        },
        60_000,
      );

      // the cold start made helpers (else this test would prove nothing)
      note();
      expect(seen.size).toBeGreaterThan(0);
      // the work is done: no helper of the server runs or waits to be reaped
      const left = await until(
        'no esbuild helper under the server',
        () => {
          const now = childrenOf(pid).filter(isEsbuild);
          return now.length === 0 ? now : undefined;
        },
        20_000,
      ).catch(() => childrenOf(pid).filter(isEsbuild));
      expect(left.map((p) => `${p.pid} ${p.state === 'Z' ? 'defunct' : `running (${p.state})`}`)).toEqual([]);
    } finally {
      clearInterval(sampler);
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
    }
    // stopped: none of the helpers it started runs anywhere (an orphan would have been re-parented)
    const alive = [...seen.values()].filter((p) => {
      const now = proc(p.pid);
      return now !== undefined && now.start === p.start;
    });
    expect(alive.map((p) => `${p.pid} ${proc(p.pid)?.state}`)).toEqual([]);
  }, 300_000);
});
