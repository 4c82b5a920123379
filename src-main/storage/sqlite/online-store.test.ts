/**
 * The SQLite online store's reads run as one read transaction per call (online-store.ts): a
 * lookup sees what other connections committed before it (another process's materialize, the
 * write-behind thread), the views of one lookup are read as of one moment, and a read from inside
 * a caller's own transaction works.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { openSqliteStorage } from '.';
import { SqliteOnlineStore } from './online-store';

const t = tempDir('spamops-online-sqlite-');
afterAll(() => t.remove());

describe('the SQLite online store: reads', () => {
  it("each read sees other connections' commits; several views are read in one transaction", async () => {
    const path = join(t.dir, 'online.sqlite');
    const s = openSqliteStorage(path);
    const other = new Database(path);
    try {
      await s.online.ensureView('v1');
      await s.online.ensureView('v2');
      const put = other.prepare('INSERT OR REPLACE INTO online_features (view, entity_key, values_json, event_ts, created_ts) VALUES (?, ?, ?, ?, ?)');
      put.run('v1', 'a', '{"x":1}', 10, 10);
      const first = await s.online.readViews!(['v1', 'v2'], ['a', 'b']);
      expect(first.get('v1')?.map((r) => r?.values.x)).toEqual([1, undefined]);
      expect(first.get('v2')).toEqual([undefined, undefined]);
      // committed by another connection between two reads: the next read has it
      other.transaction(() => {
        put.run('v1', 'b', '{"x":2}', 11, 11);
        put.run('v2', 'a', '{"y":3}', 12, 12);
      })();
      const second = await s.online.readViews!(['v1', 'v2'], ['a', 'b']);
      expect(second.get('v1')?.map((r) => r?.values.x)).toEqual([1, 2]);
      expect(second.get('v2')?.map((r) => r?.values.y)).toEqual([3, undefined]);
      expect((await s.online.read('v1', ['b', 'a'])).map((r) => r?.eventTs)).toEqual([11, 10]);
      // the read transaction is over: another connection can write (and checkpoint) at once
      other.pragma('busy_timeout = 0');
      put.run('v2', 'b', '{"y":4}', 13, 13);
      expect(other.pragma('wal_checkpoint(TRUNCATE)', { simple: true })).toBe(0);
      expect((await s.online.read('v2', ['a', 'b'])).map((r) => r?.values.y)).toEqual([3, 4]);
    } finally {
      other.close();
      await s.close();
    }
  });

  it('a read inside an open transaction of the same connection reads it (a savepoint, not a second BEGIN)', async () => {
    const db = new Database(':memory:');
    db.exec(
      'CREATE TABLE online_features (view TEXT NOT NULL, entity_key TEXT NOT NULL, values_json TEXT NOT NULL, event_ts INTEGER NOT NULL, created_ts INTEGER NOT NULL, PRIMARY KEY (view, entity_key)) WITHOUT ROWID',
    );
    const store = new SqliteOnlineStore(db);
    db.exec('BEGIN');
    db.prepare("INSERT INTO online_features VALUES ('v', 'k', '[1,2]', 1, 1)").run();
    const rows = await store.read('v', ['k', 'none']);
    expect(rows).toEqual([{ entityKey: 'k', values: [1, 2], eventTs: 1, createdTs: 1 }, undefined]);
    expect(db.inTransaction).toBe(true);
    db.exec('COMMIT');
    db.close();
  });
});
