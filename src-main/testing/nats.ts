/**
 * A real nats-server with JetStream for the stream's tests: `nats-server -js -a 127.0.0.1 -p <free
 * port> -sd <temporary dir>`, stopped (and its store removed) by `stop()`. Without the binary the
 * tests say skipped with the reason (Debian's `nats-server`; .ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** the nats-server binary: NATS_SERVER, else on PATH, else Debian's /usr/sbin/nats-server */
export function natsServerBinary(): string | undefined {
  if (process.env.NATS_SERVER && existsSync(process.env.NATS_SERVER)) return process.env.NATS_SERVER;
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));
}

/** why the stream's tests cannot run here, or undefined */
export function natsSkipReason(): string | undefined {
  return natsServerBinary() ? undefined : 'nats-server is not installed (apt-get install -y nats-server; .ci/run installs it, or set NATS_SERVER)';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = tcpConnect({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export interface NatsServer {
  url: string;
  port: number;
  /** starts it again on the same port and store (after stop({ keepStore: true }) or kill()) */
  start(): Promise<void>;
  /** SIGKILL, store kept */
  kill(): Promise<void>;
  stop(o?: { keepStore?: boolean }): Promise<void>;
}

export async function startNats(o: { port?: number; jetstream?: boolean } = {}): Promise<NatsServer> {
  const bin = natsServerBinary();
  if (!bin) throw new Error(natsSkipReason());
  const port = o.port ?? (await freePort());
  const store = mkdtempSync(join(tmpdir(), 'spamops-nats-'));
  let child: ChildProcess | undefined;
  let log = '';
  const exited = () => !child || child.exitCode !== null || child.signalCode !== null;
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    async start() {
      const args = ['-a', '127.0.0.1', '-p', String(port), ...(o.jetstream === false ? [] : ['-js', '-sd', store])];
      child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (d: Buffer) => {
        log = (log + d.toString()).slice(-4000);
      });
      for (let i = 0; i < 200; i++) {
        if (exited()) throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode}): ${log}`);
        if (await accepting(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`nats-server did not listen on ${port} within 10 s: ${log}`);
    },
    async kill() {
      if (exited()) return;
      const c = child!;
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    },
    async stop(s = {}) {
      if (!exited()) {
        const c = child!;
        c.kill('SIGTERM');
        await Promise.race([new Promise((r) => c.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
        if (!exited()) c.kill('SIGKILL');
      }
      if (!s.keepStore) rmSync(store, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
