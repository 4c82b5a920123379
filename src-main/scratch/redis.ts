/**
 * A real redis-server: `redis-server --bind 127.0.0.1 --port <free port>` in a temporary dir,
 * stopped by `stop()`, its folder removed by `remove()`. Debian's `redis-server`; .ci/run installs
 * it. Persistence `aof` (the tests' default): an append-only file, so a restart keeps the keys;
 * `default`: Redis as installed (RDB snapshots on its default schedule, no append-only file), what
 * the bench measures an online store against (its rows are derived data, materialized again from the
 * offline store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, localServer, skipReason, type ServerBinary } from './server-binary';

const REDIS: ServerBinary = { name: 'redis-server', envVar: 'REDIS_SERVER', paths: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'] };

export const redisServerBinary = (): string | undefined => findBinary(REDIS);

/** why redis-server cannot run here, or undefined */
export const redisSkipReason = (): string | undefined => skipReason(REDIS);

export interface RedisServer {
  url: string;
  port: number;
  /** starts it again on the same port (after stop()) */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** its process while it runs (a test freezes it with SIGSTOP) */
  pid(): number | undefined;
  /** stops it and removes its folder */
  remove(): Promise<void>;
}

export async function startRedis(o: { persistence?: 'aof' | 'default' } = {}): Promise<RedisServer> {
  const persistence = o.persistence === 'default' ? [] : ['--save', '', '--appendonly', 'yes'];
  const dir = mkdtempSync(join(tmpdir(), 'spamops-redis-'));
  const server = await localServer(REDIS, (port) => ['--bind', '127.0.0.1', '--port', String(port), ...persistence, '--dir', dir, '--protected-mode', 'yes']);
  await server.start();
  return {
    url: `redis://127.0.0.1:${server.port}/0`,
    port: server.port,
    start: () => server.start(),
    stop: () => server.stop(),
    pid: () => server.pid(),
    async remove() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
