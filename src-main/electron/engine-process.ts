/**
 * The engines and the local API in a plain Node child process (`spamops serve`), for the
 * Electron shell.
 *
 * Why a child and not Electron's main process: native addons (better-sqlite3) are built by
 * `npm install` for the Node that ran it. Electron embeds a Node of another ABI, so loading them
 * in the main process fails ("compiled against a different Node.js version using
 * NODE_MODULE_VERSION …") unless they are rebuilt for Electron, which then breaks the CLI and
 * the tests that run under plain Node. In a child, the desktop app runs the very code path of
 * headless `spamops serve`, which the test suite covers; a crash of the engines is reported in
 * the window instead of taking the window down.
 *
 * No Electron import here: this module is tested under plain Node.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface EngineProcess {
  /** the API's base URL, e.g. http://127.0.0.1:8000 */
  url: string;
  pid: number;
  /** resolves with the exit code (null when killed by a signal) */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone */
  stop(graceMs?: number): Promise<void>;
}

export interface EngineProcessOptions {
  /** the project root (holds bin/spamops.mjs) */
  root: string;
  dataDir: string;
  /** the Node executable; default nodeBinary() */
  node?: string;
  env?: NodeJS.ProcessEnv;
  /** how long bootstrapping may take before the API listens */
  timeoutMs?: number;
  /** every line the engines write to stderr (progress, logs) */
  onLog?: (line: string) => void;
}

/**
 * The plain Node to run the engines with: SPAMOPS_NODE (set by `npm start`), else the Node
 * that runs npm (npm_node_execpath), else `node` from PATH.
 */
export function nodeBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPAMOPS_NODE || env.npm_node_execpath || 'node';
}

const LISTENING = /^SpamOps API listening on (https?:\/\/[^\s,]+)/;

export function startEngineProcess(o: EngineProcessOptions): Promise<EngineProcess> {
  const node = o.node ?? nodeBinary(o.env);
  // stdin is a pipe held by this process: when it dies, however (crash, SIGKILL), the pipe
  // closes and the engines stop (--exit-with-stdin), instead of keeping the port and database
  const child = spawn(node, [join(o.root, 'bin', 'spamops.mjs'), 'serve', '--auto-bootstrap', '--exit-with-stdin', '--data-dir', o.dataDir], {
    cwd: o.root,
    env: { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: undefined },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // and on an orderly exit of this process, whatever state the start is in
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  // 'close' comes after the output is read to its end (and also after a failed spawn)
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      process.removeListener('exit', killOnExit);
      resolve(code);
    }),
  );
  const tail: string[] = [];
  const lines = (stream: NodeJS.ReadableStream, each: (line: string) => void) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        each(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  };
  lines(child.stderr!, (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    o.onLog?.(line);
  });

  const stop = async (graceMs = 10_000) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<EngineProcess>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(2000);
      const last = tail
        .filter((l) => l.trim())
        .slice(-8)
        .join('\n');
      reject(new Error(`the SpamOps engines (${node} bin/spamops.mjs serve) ${why}${last ? `:\n${last}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${Math.round((o.timeoutMs ?? 120_000) / 1000)} s`), o.timeoutMs ?? 120_000);
    child.once('error', (e) => fail(`could not start (${e.message}); set SPAMOPS_NODE to a Node.js executable`));
    child.once('close', (code, signal) => fail(`exited ${signal ? `on ${signal}` : `with code ${code}`} before listening`));
    lines(child.stdout!, (line) => {
      const m = LISTENING.exec(line);
      if (!m || settled) {
        o.onLog?.(line); // the API's request log, errors included
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve({ url: m[1], pid: child.pid!, exited, stop });
    });
  });
}
