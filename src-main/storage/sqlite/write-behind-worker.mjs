// The appends of one SQLite file that nobody waits for (served predictions, the call log), on
// their own thread with their own connection (see write-behind.ts). A lock held by the engines'
// connection is waited for here (busy_timeout), which holds only this thread.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
// per connection: as the engines' (no fsync per commit in WAL; the checkpointer's thread checkpoints)
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
const insertPrediction = db.prepare(
  'INSERT OR IGNORE INTO served_predictions (id, at, model, version, endpoint, features, spam, label, caller, sms_id, oov) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
const insertCall = db.prepare('INSERT INTO spam_calls_log (caller_id, called_at, seq, endpoint, version, input_json, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
const write = {
  // [id, at, model, version, endpoint, features (numbers), spam, label, caller, sms_id, oov]
  predictions: db.transaction((rows) => {
    for (const r of rows) {
      r[5] = JSON.stringify(r[5]);
      insertPrediction.run(r);
    }
  }),
  calls: db.transaction((rows) => {
    for (const r of rows) insertCall.run(r);
  }),
};
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    write[m.table](m.rows);
    parentPort.postMessage({ id: m.id });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e.message, code: e.code });
  }
});
