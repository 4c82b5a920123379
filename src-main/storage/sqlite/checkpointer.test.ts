/**
 * WAL checkpoints on their own thread: the engines' connection has the automatic checkpoint off
 * while the worker runs, the worker copies the WAL into the database file, and the automatic
 * checkpoint comes back when the worker is gone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { until } from '../../testing/wait';
import { startCheckpointer } from './checkpointer';

const t = tempDir('spamops-checkpointer-');
afterAll(() => t.remove());

describe('the WAL checkpointer', () => {
  it('turns the automatic checkpoint off, checkpoints on its thread, and turns it back on when it stops', async () => {
    const path = join(t.dir, 'x.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE x (k INTEGER PRIMARY KEY, v TEXT)');
    const c = startCheckpointer(db, path);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    const insert = db.prepare('INSERT INTO x (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run('a row of some length '.repeat(4));
    })();
    // nothing in this connection checkpoints now: the database file grows only by the worker's copy
    await until('the worker to copy the WAL into the database file', async () => statSync(path).size > before + 1_000_000);
    await c.close();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect((db.prepare('SELECT COUNT(*) AS n FROM x').get() as { n: number }).n).toBe(20_000);
    db.close();
  });
});
