/**
 * The SQLite online store's reads run as one read transaction per call (online-store.ts): a
 * lookup sees what other connections committed before it (another process's materialize, the
 * write-behind thread), the views of one lookup are read as of one moment, and a read from inside
 * a caller's own transaction works. Rows read twice are kept while the file has not changed:
 * any commit of another connection, or any write of this one, and the next read goes to the file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { openSqliteStorage } from '.';
import { SqliteOnlineStore } from './online-store';
import { MAX_KEPT_ROWS } from '../kept-row';
import { SCHEMA } from './schema';
import { openWalWatch, walWatchAddonPath } from './wal-watch';

/** a store on a connection of its own, in memory, with the project's schema */
function inMemory(): { db: Database.Database; store: SqliteOnlineStore } {
  const db = new Database(':memory:');
  db.exec(SCHEMA);
  return { db, store: new SqliteOnlineStore(db) };
}

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
    const { db, store } = inMemory();
    db.exec('BEGIN');
    db.prepare("INSERT INTO online_features VALUES ('v', 'k', '[1,2]', 1, 1)").run();
    const rows = await store.read('v', ['k', 'none']);
    expect(rows).toEqual([{ entityKey: 'k', values: [1, 2], eventTs: 1, createdTs: 1 }, undefined]);
    expect(db.inTransaction).toBe(true);
    db.exec('COMMIT');
    db.close();
  });

  it('rows read twice are kept and answered again while nothing changed; any commit, of any connection, and the next read has it', async () => {
    const path = join(t.dir, 'kept.sqlite');
    const s = openSqliteStorage(path);
    const store = s.online as SqliteOnlineStore;
    const other = new Database(path);
    try {
      await s.online.ensureView('v');
      await s.online.writeBatch('v', [{ entityKey: 'a', values: { x: 1, seq: [1, 2] }, eventTs: 10, createdTs: 10 }]);
      await s.online.read('v', ['a', 'none']);
      expect(store.hotRows).toBe(0); // a key read once is only noted
      const second = await s.online.read('v', ['a', 'none']);
      expect(store.hotRows).toBe(2); // read twice: kept, the absent key as absent
      const again = await s.online.read('v', ['a', 'none']);
      expect(again[0]).toBe(second[0]); // the same row, not read again
      expect(again[1]).toBeUndefined();
      // kept rows are frozen: a reader cannot change what the next one gets
      expect(() => {
        (again[0]!.values.seq as number[]).push(3);
      }).toThrow(TypeError);
      expect(() => {
        again[0]!.values.x = 2;
      }).toThrow(TypeError);

      // another connection (a CLI in another process, a worker thread) commits: seen at once
      other.prepare("UPDATE online_features SET values_json = '{\"x\":5}', event_ts = 20 WHERE view = 'v' AND entity_key = 'a'").run();
      other.prepare("INSERT INTO online_features VALUES ('v', 'none', '{\"x\":6}', 21, 21)").run();
      expect((await s.online.read('v', ['a', 'none'])).map((r) => r?.values.x)).toEqual([5, 6]);

      // this connection writes, through the store or not: seen at once
      await s.online.writeBatch('v', [{ entityKey: 'a', values: { x: 7 }, eventTs: 30, createdTs: 30 }]);
      expect((await s.online.readViews!(['v'], ['a'])).get('v')?.[0]?.values.x).toBe(7);
      // an older event does not overwrite, so nothing changed and the kept row stays right
      await s.online.writeBatch('v', [{ entityKey: 'a', values: { x: 9 }, eventTs: 1, createdTs: 1 }]);
      expect((await s.online.read('v', ['a']))[0]?.values.x).toBe(7);
      await s.online.dropView('v');
      expect(await s.online.read('v', ['a'])).toEqual([undefined]);
    } finally {
      other.close();
      await s.close();
    }
  });

  it('a write of the same connection outside the store is seen by the next read (total_changes)', async () => {
    const { db, store } = inMemory();
    db.prepare(`INSERT INTO online_features VALUES ('v', 'k', '{"x":1}', 1, 1)`).run();
    await store.read('v', ['k']);
    expect((await store.read('v', ['k']))[0]?.values.x).toBe(1);
    expect(store.hotRows).toBe(1);
    db.prepare(`UPDATE online_features SET values_json = '{"x":2}'`).run();
    expect((await store.read('v', ['k']))[0]?.values.x).toBe(2);
    db.close();
  });

  it('at most MAX_KEPT_ROWS rows are kept', async () => {
    const path = join(t.dir, 'bounded.sqlite');
    const s = openSqliteStorage(path);
    const store = s.online as SqliteOnlineStore;
    try {
      await s.online.ensureView('v');
      const keys = Array.from({ length: MAX_KEPT_ROWS + 10 }, (_, i) => `k${i}`);
      await s.online.writeBatch(
        'v',
        keys.map((k, i) => ({ entityKey: k, values: { i }, eventTs: 1, createdTs: 1 })),
      );
      const half = keys.length >> 1;
      await s.online.read('v', keys.slice(0, half));
      await s.online.read('v', keys.slice(0, half));
      expect(store.hotRows).toBe(half);
      for (let pass = 0; pass < 3; pass++) {
        const rows = await s.online.read('v', keys);
        expect(rows.map((r) => r?.values.i)).toEqual(keys.map((_, i) => i));
        expect(store.hotRows).toBeGreaterThan(0);
        expect(store.hotRows).toBeLessThanOrEqual(MAX_KEPT_ROWS);
      }
    } finally {
      await s.close();
    }
  });

  // `npm install` builds the watch (scripts/build-native.mjs); where it could not, SQLite is asked and this says why
  const built = existsSync(walWatchAddonPath());

  it.each([true, false])(
    'whether anything changed, from the wal-index header (%s) or from SQLite: every commit seen, of this connection, another, another process',
    async (watch) => {
      const path = join(t.dir, `watched-${watch}.sqlite`);
      const s = openSqliteStorage(path);
      await s.close(); // the schema, in WAL mode
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      const store = new SqliteOnlineStore(db, { watch });
      const other = new Database(path);
      const put = (c: Database.Database, key: string, x: number, ts: number) =>
        c
          .prepare('INSERT OR REPLACE INTO online_features (view, entity_key, values_json, event_ts, created_ts) VALUES (?, ?, ?, ?, ?)')
          .run('v', key, JSON.stringify({ x }), ts, ts);
      const x = async () => (await store.read('v', ['a', 'b'])).map((r) => r?.values.x);
      try {
        put(db, 'a', 1, 1);
        expect(await x()).toEqual([1, undefined]);
        expect(store.changeCheck.by).toBe(watch && built ? 'wal-index header' : 'data_version');
        if (!watch) expect(store.changeCheck.why).toBe('turned off');
        else if (!built) expect(store.changeCheck.why).toMatch(/not built/);
        expect(await x()).toEqual([1, undefined]);
        expect(store.hotRows).toBe(2);
        // nothing committed: the kept rows answer, again and again (a header that moved without a commit would make the set useless)
        const kept = await store.read('v', ['a']);
        for (let i = 0; i < 50; i++) expect((await store.read('v', ['a']))[0]).toBe(kept[0]);
        // another connection commits; then this one; then another process
        put(other, 'b', 2, 2);
        expect(await x()).toEqual([1, 2]);
        await x();
        expect(store.hotRows).toBe(2);
        put(db, 'a', 3, 3);
        expect(await x()).toEqual([3, 2]);
        await x();
        const script = `const D=require(${JSON.stringify(require.resolve('better-sqlite3'))});const d=new D(${JSON.stringify(path)});d.prepare("UPDATE online_features SET values_json='{\\"x\\":4}' WHERE entity_key='b'").run();d.close()`;
        execFileSync(process.execPath, ['-e', script]);
        expect(await x()).toEqual([3, 4]);
        // a checkpoint by another connection changes no row: the rows read after it are right either way
        other.pragma('wal_checkpoint(TRUNCATE)');
        expect(await x()).toEqual([3, 4]);
        put(other, 'a', 5, 5);
        expect(await x()).toEqual([5, 4]);
        // unwatched (as before the connection closes): SQLite is asked from then on, and still every commit is seen
        store.unwatch();
        expect(store.changeCheck.by).toBe('data_version');
        put(other, 'b', 6, 6);
        expect(await x()).toEqual([5, 6]);
      } finally {
        other.close();
        db.close();
      }
    },
  );

  it('a database opened through a symbolic link is watched where SQLite keeps its -shm (beside the file the link names)', async () => {
    const real = join(t.dir, 'real.sqlite');
    const s = openSqliteStorage(real);
    await s.close();
    const linkDir = join(t.dir, 'linked');
    mkdirSync(linkDir);
    symlinkSync(real, join(linkDir, 'db.sqlite'));
    const db = new Database(join(linkDir, 'db.sqlite'));
    db.pragma('journal_mode = WAL');
    const store = new SqliteOnlineStore(db);
    const other = new Database(real);
    try {
      other.prepare(`INSERT INTO online_features VALUES ('v', 'k', '{"x":1}', 1, 1)`).run();
      await store.read('v', ['k']);
      expect((await store.read('v', ['k']))[0]?.values.x).toBe(1);
      expect(store.changeCheck.by).toBe(built ? 'wal-index header' : 'data_version');
      other.prepare(`UPDATE online_features SET values_json = '{"x":2}'`).run();
      expect((await store.read('v', ['k']))[0]?.values.x).toBe(2);
    } finally {
      store.unwatch();
      other.close();
      db.close();
    }
  });

  it('the watch itself: its generation moves with each commit and only then; a file without a header is refused', () => {
    if (!built) {
      expect(openWalWatch(join(t.dir, 'none.sqlite'))).toEqual({ error: expect.stringMatching(/not built/) });
      return;
    }
    expect(openWalWatch(join(t.dir, 'none.sqlite'))).toEqual({ error: 'cannot open the -shm file' });
    // SQLite's locks on the -shm are POSIX record locks: closing any descriptor of the file would
    // release them all (another process could then re-initialise it under this one). The watch's
    // descriptor stays open: this process's locks on the file are the same before, during and after.
    const locked = join(t.dir, 'locks.sqlite');
    const holder = new Database(locked);
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (x)');
    const locks = () => {
      const inode = statSync(`${locked}-shm`).ino;
      return readFileSync('/proc/locks', 'utf8')
        .split('\n')
        .filter((l) => {
          const f = l.trim().split(/\s+/);
          return f[1] === 'POSIX' && Number(f[4]) === process.pid && Number(f[5]?.split(':')[2]) === inode;
        }).length;
    };
    if (existsSync('/proc/locks')) {
      const held = locks();
      expect(held).toBeGreaterThan(0); // the connection's "the -shm is open here"
      const lw = openWalWatch(locked);
      expect('ok' in lw).toBe(true);
      expect(locks()).toBe(held);
      if ('ok' in lw) lw.ok.close();
      expect(locks()).toBe(held);
    }
    holder.close();
    const path = join(t.dir, 'generation.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    const other = new Database(path);
    const w = openWalWatch(path);
    if (!('ok' in w)) throw new Error(w.error);
    try {
      const g0 = w.ok.generation();
      other.prepare('SELECT count(*) FROM t').get();
      expect(w.ok.generation()).toBe(g0);
      other.prepare('INSERT INTO t VALUES (1)').run();
      const g1 = w.ok.generation();
      expect(g1).not.toBe(g0);
      expect(w.ok.generation()).toBe(g1);
      db.prepare('INSERT INTO t VALUES (2)').run();
      expect(w.ok.generation()).not.toBe(g1);
      w.ok.close();
      expect(() => w.ok.generation()).toThrow(/closed/);
    } finally {
      w.ok.close();
      other.close();
      db.close();
    }
  });
});
