/**
 * A real redis-server: `redis-server --bind 127.0.0.1 --port <free port>` with an append-only file
 * in a temporary dir (a restart keeps the keys, as a real one does), stopped by `stop()`, its folder
 * removed by `remove()`. Debian's `redis-server`; .ci/run installs it.
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
  /** stops it and removes its folder */
  remove(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'spamops-redis-'));
  const server = await localServer(REDIS, (port) => [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'yes',
    '--dir',
    dir,
    '--protected-mode',
    'yes',
  ]);
  await server.start();
  return {
    url: `redis://127.0.0.1:${server.port}/0`,
    port: server.port,
    start: () => server.start(),
    stop: () => server.stop(),
    async remove() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
