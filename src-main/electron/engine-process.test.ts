/** The Electron shell's engine process, under plain Node: starts, answers, stops; failures are reported. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { appRoot } from '../config';
import { tempDir } from '../testing/fixtures';
import { nodeBinary, startEngineProcess } from './engine-process';

describe('engine process for the desktop shell', () => {
  it('runs `spamops serve` in a child, reports its URL, serves the API, stops on request', async () => {
    const t = tempDir();
    const logs: string[] = [];
    try {
      const p = await startEngineProcess({
        root: appRoot(),
        dataDir: t.dir,
        node: process.execPath,
        env: { ...process.env, SPAMOPS_PORT: '0' },
        onLog: (l) => logs.push(l),
      });
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${p.url}/health`);
      expect(health.status).toBe(200);
      expect((await health.json()).bootstrapped).toBe(true);
      expect(logs.some((l) => /bootstrap/.test(l))).toBe(true);
      await p.stop();
      expect(await p.exited).toBe(0);
      await expect(fetch(`${p.url}/health`)).rejects.toThrow();
    } finally {
      t.remove();
    }
  }, 120_000);

  it('rejects with the reason when the engines cannot start', async () => {
    const t = tempDir();
    try {
      await expect(
        startEngineProcess({ root: appRoot(), dataDir: t.dir, node: process.execPath, env: { ...process.env, SPAMOPS_PORT: 'eighty' } }),
      ).rejects.toThrow(/exited with code 1 before listening:[\s\S]*SPAMOPS_PORT: expected an integer from 0 to 65535, got "eighty"/);
      await expect(startEngineProcess({ root: appRoot(), dataDir: t.dir, node: '/nonexistent/node' })).rejects.toThrow(/could not start .*SPAMOPS_NODE/);
    } finally {
      t.remove();
    }
  }, 60_000);

  it('stops the engines when the parent is gone (its end of stdin closes), so no orphan keeps the port', async () => {
    const t = tempDir();
    try {
      const child = spawn(process.execPath, [join(appRoot(), 'bin', 'spamops.mjs'), 'serve', '--exit-with-stdin', '--data-dir', t.dir, '--port', '0'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          const m = /listening on (http:\/\/\S+?)[\s,]/.exec(d.toString());
          if (m) resolve(m[1]);
        });
        child.once('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      child.stdin.end(); // what the parent's death does
      expect(await exited).toBe(0);
    } finally {
      t.remove();
    }
  }, 60_000);

  it('finds the Node to run with', () => {
    expect(nodeBinary({ SPAMOPS_NODE: '/opt/node', npm_node_execpath: '/usr/bin/node' })).toBe('/opt/node');
    expect(nodeBinary({ npm_node_execpath: '/usr/bin/node' })).toBe('/usr/bin/node');
    expect(nodeBinary({})).toBe('node');
  });
});
