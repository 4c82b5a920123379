/** A real `spamops serve` process for tests that kill it: started on a data dir and a port, once it listens. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { appRoot } from '../config';

export const SPAMOPS_BIN = join(appRoot(), 'bin', 'spamops.mjs');

/** this process's environment without SPAMOPS_* and CASSANDRA_* (a child's settings are its data dir's) */
export const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPAMOPS_') && !k.startsWith('CASSANDRA_')));

/** `serve` on the data dir and port, with more arguments when given (`--auto-bootstrap`) */
export async function startServeChild(dataDir: string, port: number, args: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SPAMOPS_BIN, 'serve', ...args, '--data-dir', dataDir, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv(),
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
  });
  return child;
}
