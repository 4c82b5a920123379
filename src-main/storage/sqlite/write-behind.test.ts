/**
 * Served predictions and the call log appended on their own thread (write-behind.ts): committed
 * once the caller's promise resolves, errors reach the caller with SQLite's code, and a store
 * whose thread stopped writes on its own connection.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { openSqliteStorage } from '.';
import { SCHEMA } from './schema';
import { SqlitePredictions } from './predictions';
import { WriteBehind } from './write-behind';
import type { PredictionRecord } from '../types';

const t = tempDir('spamops-write-behind-');
afterAll(() => t.remove());

const T0 = Date.now() - 1000;
const record = (i: number): PredictionRecord => ({
  id: `wb-${i}`,
  at: T0 + i,
  model: 'v3',
  version: '1',
  endpoint: 'text_to_prediction',
  features: [i, 2, 3],
  spam: 0.25,
  label: 'ham',
  caller: '127.0.0.1',
  ...(i % 2 ? { sms_id: `sms${i}`, oov: 0.5 } : {}),
});

describe('the write-behind thread', () => {
  it('commits predictions and calls before the promise resolves; a read on the engines connection sees them', async () => {
    const s = openSqliteStorage(join(t.dir, 'a.sqlite'));
    try {
      await s.predictions.appendMany(Array.from({ length: 500 }, (_, i) => record(i)));
      const rows = await s.predictions.recent('v3', 0, 1000);
      expect(rows).toHaveLength(500);
      const one = rows.find((r) => r.id === 'wb-7');
      expect(one).toEqual({ ...record(7) });
      expect(rows.find((r) => r.id === 'wb-8')).toEqual(record(8)); // no sms_id, no oov
      await s.callLog.appendMany([{ caller_id: 'me', called_at: Date.now(), endpoint: 'text_to_prediction', version: 'v3', input_json: '"hi"' }], 3600);
      const calls = [];
      for await (const c of s.callLog.recent('me', 0)) calls.push(c);
      expect(calls.map((c) => c.input_json)).toEqual(['"hi"']);
    } finally {
      await s.close();
    }
  });

  it("hands the thread's SQLite error to the caller, and writes on the store's own connection once the thread is gone", async () => {
    const path = join(t.dir, 'b.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
    const behind = WriteBehind.start(path);
    expect(behind?.usable).toBe(true);
    // a table the thread cannot write (dropped under it): the caller hears why
    db.exec('ALTER TABLE served_predictions RENAME TO away');
    const store = new SqlitePredictions(db, behind);
    await expect(store.appendMany([record(1)])).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_/) });
    db.exec('ALTER TABLE away RENAME TO served_predictions');
    await behind?.close();
    expect(behind?.usable).toBe(false);
    await store.appendMany([record(2)]);
    expect((await store.recent('v3', 0, 10)).map((r) => r.id)).toEqual(['wb-2']);
    db.close();
  });

  it('prunes predictions and purges expired calls on the thread, in chunks, keeping the newest', async () => {
    const path = join(t.dir, 'c.sqlite');
    const s = openSqliteStorage(path);
    try {
      // 12,000 records (more than one chunk of deletes), the oldest 2,000 past the age limit
      const old = Date.now() - 100_000;
      const rows = Array.from({ length: 12_000 }, (_, i) => ({ ...record(i), id: `p-${i}`, at: old + i * 5 }));
      await s.predictions.appendMany(rows);
      const before = old + 2_000 * 5;
      expect(await s.predictions.prune(before, 6_000)).toBe(6_000); // 2,000 by age, then the oldest 4,000 beyond 6,000
      expect(await s.predictions.count()).toBe(6_000);
      const kept = await s.predictions.recent('v3', 0, 10_000);
      expect(kept[kept.length - 1].id).toBe('p-6000');
      expect(kept[0].id).toBe('p-11999');

      // calls appended behind were never purged (only the one-at-a-time append did): 1.5M rows in a long-lived data dir
      const entry = (i: number, at: number) => ({ caller_id: 'c', called_at: at + i, endpoint: 'text_to_prediction', version: 'v3', input_json: `${i}` });
      await s.callLog.appendMany(
        Array.from({ length: 7_000 }, (_, i) => entry(i, Date.now() - 7_200_000)),
        3600,
      );
      const entryAt = Date.now();
      await s.callLog.appendMany([entry(0, entryAt)], 3600);
      const db = new Database(path, { readonly: true });
      try {
        // the 7,000 expired calls were one batch: gone; the new call's batch is left
        expect(db.prepare('SELECT entries FROM spam_calls_log_batches').pluck().all()).toEqual([`[[${entryAt},"text_to_prediction","v3","0"]]`]);
      } finally {
        db.close();
      }
    } finally {
      await s.close();
    }
  });

  it('writes the prediction cache on the thread; an invalidation lands after the writes gathered before it', async () => {
    const s = openSqliteStorage(join(t.dir, 'd.sqlite'));
    try {
      await s.cache.set('text_to_prediction', 'v3', '"a"', '{"spam":0.1}');
      expect(await s.cache.get('text_to_prediction', 'v3', '"a"')).toBe('{"spam":0.1}');
      // a write still gathering when its version is invalidated: gone after, not back later
      const late = s.cache.set('text_to_prediction', 'v3', '"b"', '{"spam":0.2}');
      const other = s.cache.set('text_to_prediction', 'v1', '"b"', '{"spam":0.3}');
      const invalidated = s.cache.invalidateVersion('v3');
      // asked while the thread has yet to delete them: the old answers are not read (a promoted
      // version answered from its predecessor's stored answers)
      expect(await s.cache.get('text_to_prediction', 'v3', '"a"')).toBeUndefined();
      await invalidated;
      await Promise.all([late, other]);
      expect(await s.cache.get('text_to_prediction', 'v3', '"a"')).toBeUndefined();
      expect(await s.cache.get('text_to_prediction', 'v3', '"b"')).toBeUndefined();
      expect(await s.cache.get('text_to_prediction', 'v1', '"b"')).toBe('{"spam":0.3}');
    } finally {
      await s.close();
    }
  });
});
