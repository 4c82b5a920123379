/**
 * One server per data dir: `serve` holds `<data dir>/server.pid` while it runs. A second server
 * on the same dir is refused with the first one's pid; a lock left by a process that died (kill
 * -9, power loss) is taken over at once, since its pid no longer runs. Commands that find the
 * lock held act as guests: they never resume or fail the server's training runs.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'server.pid';

export interface ProcessId {
  pid: number;
  host: string;
}

export const thisProcess = (): ProcessId => ({ pid: process.pid, host: hostname() });

/** is this process (on this host) still running? Another host's process is taken to be. */
export function isAlive(p: ProcessId | undefined): boolean {
  if (!p) return false;
  if (p.host !== hostname()) return true;
  if (p.pid === process.pid) return true;
  try {
    process.kill(p.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  /** the process holding the lock (this one when acquired) */
  holder: ProcessId;
  acquired: boolean;
  release(): void;
}

/** takes the lock when free (or left by a dead process); otherwise reports who holds it */
export function tryLockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  const me = thisProcess();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if ((JSON.parse(readFileSync(file, 'utf8')) as ProcessId).pid === me.pid) unlinkSync(file);
        } catch {
          // gone already
        }
      };
      process.once('exit', release);
      return { holder: me, acquired: true, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: ProcessId | undefined;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as ProcessId;
    } catch {
      holder = undefined; // half-written or unreadable: treat as left behind
    }
    if (holder && isAlive(holder)) return { holder, acquired: false, release: () => undefined };
    try {
      unlinkSync(file); // left by a process that is gone
    } catch {
      // another process took it over meanwhile: try again
    }
  }
  throw new Error(`cannot take the lock ${file}: it changes hands too fast`);
}
