/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses 1,000 WAL pages, on the thread that commits: under load that was a request held for
 * several milliseconds every few hundred commits (the serving routes' p99 halved without it). The
 * connection the engines use turns it off, and a worker thread with its own connection checkpoints
 * the file every 50 ms instead. Where the worker cannot start or stops working, the automatic
 * checkpoint is turned back on: the WAL never grows unbounded.
 */
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
/**
 * Small and often: at 2 s a checkpoint's writes held requests as long as the automatic one did
 * (serving's p99 12-14 ms under wrk); at 50 ms, 5-6 ms in 3 runs of 4 (250 ms: 2 of 4).
 */
const CHECKPOINT_EVERY_MS = 50;

/** the worker's script (a plain module: the thread needs no TypeScript loader) */
const SCRIPT = new URL('./checkpoint-worker.mjs', import.meta.url);

export interface Checkpointer {
  close(): Promise<void>;
}

export function startCheckpointer(db: Database.Database, path: string, everyMs = CHECKPOINT_EVERY_MS): Checkpointer {
  const fallBack = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  };
  let worker: Worker;
  try {
    worker = new Worker(SCRIPT, { workerData: { path, everyMs } });
  } catch {
    return { close: async () => undefined };
  }
  db.pragma('wal_autocheckpoint = 0');
  worker.unref();
  let exited = false;
  worker.on('message', (m: { error?: string }) => {
    if (m.error) fallBack();
  });
  worker.on('error', fallBack);
  worker.on('exit', () => {
    exited = true;
    fallBack();
  });
  return {
    async close() {
      if (exited) return;
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      worker.postMessage('close');
      await done;
    },
  };
}
