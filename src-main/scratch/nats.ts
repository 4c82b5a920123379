/**
 * A real nats-server with JetStream: `nats-server -js -a 127.0.0.1 -p <free port> -sd <temporary
 * dir>`, stopped (and its store removed) by `stop()`. Debian's `nats-server`; .ci/run installs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, localServer, skipReason, type ServerBinary } from './server-binary';

const NATS: ServerBinary = {
  name: 'nats-server',
  envVar: 'NATS_SERVER',
  paths: ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'],
};

export const natsServerBinary = (): string | undefined => findBinary(NATS);

/** why nats-server cannot run here, or undefined */
export const natsSkipReason = (): string | undefined => skipReason(NATS);

export interface NatsServer {
  url: string;
  port: number;
  /** starts it again on the same port and store (after stop({ keepStore: true }) or kill()) */
  start(): Promise<void>;
  /** SIGKILL, store kept */
  kill(): Promise<void>;
  stop(o?: { keepStore?: boolean }): Promise<void>;
  /** the server's process id while it runs */
  pid(): number | undefined;
}

export async function startNats(o: { port?: number; jetstream?: boolean } = {}): Promise<NatsServer> {
  const store = mkdtempSync(join(tmpdir(), 'spamops-nats-'));
  const server = await localServer(NATS, (port) => ['-a', '127.0.0.1', '-p', String(port), ...(o.jetstream === false ? [] : ['-js', '-sd', store])], o);
  await server.start();
  return {
    url: `nats://127.0.0.1:${server.port}`,
    port: server.port,
    start: () => server.start(),
    kill: () => server.kill(),
    pid: () => server.pid(),
    async stop(s = {}) {
      await server.stop();
      if (!s.keepStore) rmSync(store, { recursive: true, force: true });
    },
  };
}
