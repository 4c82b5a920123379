// The WAL checkpointer of one SQLite file, on its own thread with its own connection (see
// checkpointer.ts). A PASSIVE checkpoint copies what it can of the WAL into the database without
// waiting for anyone's locks; a lock held elsewhere just leaves the rest for the next turn.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
let failures = 0;
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (e) {
    // SQLITE_BUSY and the like: tried again next turn; told once it keeps failing
    if (++failures === 20) parentPort.postMessage({ error: e.message });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
