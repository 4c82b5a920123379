/**
 * A real redis-server for the online store's tests: `redis-server --bind 127.0.0.1 --port <free
 * port>` with an append-only file in a temporary dir (a restart keeps the keys, as a real one does), stopped by `stop()`. Without the binary the
 * tests say skipped with the reason (Debian's `redis-server`; .ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepting, freePort } from './nats';

export function redisServerBinary(): string | undefined {
  if (process.env.REDIS_SERVER && existsSync(process.env.REDIS_SERVER)) return process.env.REDIS_SERVER;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
}

export function redisSkipReason(): string | undefined {
  return redisServerBinary() ? undefined : 'redis-server is not installed (apt-get install -y redis-server; .ci/run installs it, or set REDIS_SERVER)';
}

export interface RedisServer {
  url: string;
  port: number;
  /** starts it again on the same port (after stop()) */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** stops it and removes its folder */
  remove(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const bin = redisServerBinary();
  if (!bin) throw new Error(redisSkipReason());
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'spamops-redis-'));
  let child: ChildProcess | undefined;
  let log = '';
  const exited = () => !child || child.exitCode !== null || child.signalCode !== null;
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    async start() {
      const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'yes', '--dir', dir, '--protected-mode', 'yes'];
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d: Buffer) => {
        log = (log + d.toString()).slice(-4000);
      });
      for (let i = 0; i < 400; i++) {
        if (exited()) throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}): ${log}`);
        if (await accepting(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server did not listen on ${port} within 20 s: ${log}`);
    },
    async stop() {
      if (exited()) return;
      const c = child as ChildProcess;
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    },
    async remove() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
