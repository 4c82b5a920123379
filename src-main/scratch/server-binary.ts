/**
 * A server binary (nats-server, redis-server) started on a free loopback port for the tests and the
 * bench: found on the machine (its environment variable, else PATH, else Debian's paths), started,
 * awaited until it accepts connections, stopped. Where it is missing, `skipReason` says why and how
 * to install it, so a test can say "skipped" with the reason instead of failing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';

export interface ServerBinary {
  /** the program's name, e.g. `redis-server` */
  name: string;
  /** the environment variable that names its path, e.g. REDIS_SERVER */
  envVar: string;
  /** where Debian's package puts it */
  paths: string[];
}

/** the binary's path: its environment variable, else on PATH, else one of its usual paths */
export function findBinary(b: ServerBinary): string | undefined {
  const fromEnv = process.env[b.envVar];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const which = spawnSync('sh', ['-c', `command -v ${b.name}`], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return b.paths.find((p) => existsSync(p));
}

/** why the binary cannot be started here, or undefined */
export function skipReason(b: ServerBinary): string | undefined {
  return findBinary(b) ? undefined : `${b.name} is not installed (apt-get install -y ${b.name}; .ci/run installs it, or set ${b.envVar})`;
}

/** a TCP port free on 127.0.0.1 now */
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

/** whether something accepts TCP connections on 127.0.0.1:port */
export async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = tcpConnect({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export interface LocalServer {
  port: number;
  /** starts the binary (again) and resolves once it accepts connections */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s */
  stop(): Promise<void>;
  /** SIGKILL: a crash */
  kill(): Promise<void>;
  /** the running process's id (the bench reads its CPU time) */
  pid(): number | undefined;
}

/** a generous wait: the machine may be loaded with other work */
const READY_WITHIN_MS = 30_000;
const STOP_WITHIN_MS = 10_000;

/** `binary` with `args(port)` on `port` (else a free one); not started until `start()` */
export async function localServer(binary: ServerBinary, args: (port: number) => string[], o: { port?: number } = {}): Promise<LocalServer> {
  const bin = findBinary(binary);
  if (!bin) throw new Error(skipReason(binary));
  const port = o.port ?? (await freePort());
  let child: ChildProcess | undefined;
  let log = '';
  const exited = () => !child || child.exitCode !== null || child.signalCode !== null;
  const exit = (c: ChildProcess) => new Promise((r) => c.once('exit', r));
  return {
    port,
    pid: () => (exited() ? undefined : child?.pid),
    async start() {
      const c = spawn(bin, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      const keep = (d: Buffer) => {
        log = (log + d.toString()).slice(-4000);
      };
      c.stdout?.on('data', keep);
      c.stderr?.on('data', keep);
      const t0 = Date.now();
      while (Date.now() - t0 < READY_WITHIN_MS) {
        if (exited()) throw new Error(`${binary.name} exited (${c.exitCode ?? c.signalCode}): ${log}`);
        if (await accepting(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${binary.name} did not listen on ${port} within ${READY_WITHIN_MS / 1000} s: ${log}`);
    },
    async stop() {
      if (exited()) return;
      const c = child!;
      const gone = exit(c);
      c.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, STOP_WITHIN_MS))]);
      if (!exited()) {
        c.kill('SIGKILL');
        await gone;
      }
    },
    async kill() {
      if (exited()) return;
      const c = child!;
      const gone = exit(c);
      c.kill('SIGKILL');
      await gone;
    },
  };
}
