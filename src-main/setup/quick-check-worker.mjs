// SQLite's quick_check of one file, on a thread of its own (check.ts): a file of gigabytes takes
// seconds, which on the serving thread (GET /check) would hold every request. A plain module: the
// thread needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

let db;
try {
  db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  parentPort.postMessage({ rows: db.prepare('PRAGMA quick_check(5)').pluck().all() });
} catch (e) {
  parentPort.postMessage({ code: e.code, message: e.message });
} finally {
  db?.close();
}
