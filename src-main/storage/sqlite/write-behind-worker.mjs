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
const setCache = db.prepare('INSERT OR REPLACE INTO model_serving_api_cache (endpoint, version, input_key, output) VALUES (?, ?, ?, ?)');
const clearCache = db.prepare('DELETE FROM model_serving_api_cache WHERE version = ?');
// as call-log.ts (INSERT_CALL_BATCH, DELETE_EXPIRED_CALL_BATCHES; this plain module cannot import it): one row per caller and batch
const insertCalls = db.prepare('INSERT INTO spam_calls_log_batches (caller_id, first_at, last_at, ttl_ms, expires_at, entries) VALUES (?, ?, ?, ?, ?, ?)');

// Deletes in transactions of CHUNK rows: the engines' connection waits for this one's write lock
// (it retries without holding its event loop, busy.ts), so no single delete holds it for long.
const CHUNK = 5000;
function deleteInChunks(sql, value) {
  const q = db.prepare(sql);
  let n = 0;
  for (;;) {
    const changes = q.run(value, CHUNK).changes;
    n += changes;
    if (changes < CHUNK) return n;
  }
}
const expiredCalls = 'DELETE FROM spam_calls_log_batches WHERE rowid IN (SELECT rowid FROM spam_calls_log_batches WHERE expires_at <= ? LIMIT ?)';
const CALLS_PURGE_EVERY_MS = 60_000;
let lastCallsPurge = 0;

const write = {
  // [id, at, model, version, endpoint, features (numbers, or their JSON), spam, label, caller, sms_id, oov]
  predictions: db.transaction((rows) => {
    for (const r of rows) {
      if (typeof r[5] !== 'string') r[5] = JSON.stringify(r[5]);
      insertPrediction.run(r);
    }
  }),
  // [caller_id, first_at, last_at, ttl_ms, expires_at, entries] (call-log.ts: callBatchRows)
  calls: (rows) => {
    db.transaction(() => {
      for (const r of rows) insertCalls.run(r);
    })();
    // SQLite has no TTL: expired calls (hidden on read) are purged at most once a minute. A purge
    // that fails is tried again next time: it is not the append's failure (the calls are
    // committed; a caller told otherwise would append them again)
    const now = Date.now();
    if (now - lastCallsPurge > CALLS_PURGE_EVERY_MS) {
      lastCallsPurge = now;
      try {
        deleteInChunks(expiredCalls, now);
      } catch {
        // the lock held past busy_timeout, or the disk full: next minute
      }
    }
  },
  // [endpoint, version, input_key, output]
  cache: db.transaction((rows) => {
    for (const r of rows) setCache.run(r);
  }),
  invalidateCache: (version) => {
    clearCache.run(version);
  },
  // served predictions older than `before`, then the oldest beyond `maxRows` (rows of the same
  // millisecond as the last one kept may go too); returns how many went
  prune: ({ before, maxRows }) => {
    let n = deleteInChunks('DELETE FROM served_predictions WHERE rowid IN (SELECT rowid FROM served_predictions WHERE at < ? LIMIT ?)', before);
    const cut = db.prepare('SELECT at FROM served_predictions ORDER BY at DESC LIMIT 1 OFFSET ?').get(maxRows);
    if (cut) n += deleteInChunks('DELETE FROM served_predictions WHERE rowid IN (SELECT rowid FROM served_predictions WHERE at <= ? LIMIT ?)', cut.at);
    return n;
  },
};
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const result = write[m.table](m.rows);
    parentPort.postMessage({ id: m.id, result });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e.message, code: e.code });
  }
});
