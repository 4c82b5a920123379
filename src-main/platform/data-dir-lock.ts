/**
 * One server per data dir, held by the operating system: `serve` (and a command that trains while
 * no server runs) holds an exclusive lock on `<data dir>/server.lock` (SQLite's, a POSIX record
 * lock) for as long as it runs. The kernel drops it when the process ends, however it ends (kill
 * -9, an OOM kill, a container restarted): no lock is ever left behind, and of processes starting
 * at once exactly one takes it. `server.pid` beside it names the holder, for messages only.
 *
 * `server.pid` was the lock itself (created exclusively, deleted when its pid no longer ran), and a
 * hostile probe found both ways it fails: two of four processes starting in the same millisecond
 * both took it (one read the file between its creation and its pid, took it for left behind and
 * deleted it; or deleted a stale file another had just replaced), and a server that was pid 1 in
 * a container refused to start after a kill -9, its own pid "holding" the dir.
 *
 * Commands that find the lock held act as guests: they never resume or fail the server's training
 * runs.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** names the holder (pid, host): written once the lock is taken */
export const LOCK_FILE = 'server.pid';
/** the file whose lock is held */
export const LOCK_DB = 'server.lock';

export interface ProcessId {
  pid: number;
  host: string;
  /** when the process started (ms since 1970): a later process given the same pid is another */
  start?: number;
}

const ME: ProcessId = { pid: process.pid, host: hostname(), start: Math.round(performance.timeOrigin) };
export const thisProcess = (): ProcessId => ({ ...ME });

/**
 * Is this process (on this host) still running? Another host's process is taken to be. A record
 * of this very pid from another start (a container's pid 1 before its restart) is not this process.
 */
export function isAlive(p: ProcessId | undefined): boolean {
  if (!p) return false;
  if (p.host !== ME.host) return true;
  if (p.pid === ME.pid) return p.start === undefined || p.start === ME.start;
  try {
    process.kill(p.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  /** the process holding the lock (this one when acquired; `pid` 0 when its `server.pid` cannot be read) */
  holder: ProcessId;
  acquired: boolean;
  release(): void;
}

function holderOf(file: string): ProcessId {
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as ProcessId;
    if (Number.isInteger(p.pid) && typeof p.host === 'string') return p;
  } catch {
    // not written yet (the holder has just taken the lock), or damaged
  }
  return { pid: 0, host: 'unknown' };
}

/** takes the lock when no live process holds it; otherwise reports who holds it */
export function tryLockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  // a file with a table: SQLite takes no lock on an empty one. Its creation waits a second at most
  // for another's (longer, and a second server would wait out the holder's lock before being refused)
  const db = new Database(join(dataDir, LOCK_DB), { timeout: 1000 });
  try {
    db.exec('CREATE TABLE IF NOT EXISTS held (pid INTEGER)');
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    // held until the connection closes (never committed); the read inside takes the lock
    db.exec('BEGIN EXCLUSIVE');
    db.prepare('SELECT count(*) FROM held').get();
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return { holder: holderOf(file), acquired: false, release: () => undefined };
    throw e;
  }
  const me = thisProcess();
  // whole or not at all: a reader never sees half of it
  const tmp = `${file}.${me.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(me), { mode: 0o600 });
  renameSync(tmp, file);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      if (holderOf(file).pid === me.pid) unlinkSync(file);
    } catch {
      // gone already
    }
    db.close();
  };
  process.once('exit', release);
  return { holder: me, acquired: true, release };
}
