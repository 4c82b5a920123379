/**
 * The SQLite call log keeps a row per caller and batch (call-log.ts): read back newest first across
 * batches that overlap in time, each entry's own time to live and the `since` bound applied, and
 * the calls of a data dir that kept a row per call moved into batches on open.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { tempDir } from '../../testing/fixtures';
import { openSqliteStorage } from '.';
import type { CallLog, CallLogEntry } from '../types';

const t = tempDir('spamops-call-log-');
afterAll(() => t.remove());

const call = (caller: string, at: number, input: string, version = 'v3'): CallLogEntry => ({
  caller_id: caller,
  called_at: at,
  endpoint: 'text_to_prediction',
  version,
  input_json: JSON.stringify(input),
});

async function read(log: CallLog, caller: string, since: number): Promise<string[]> {
  const got: string[] = [];
  for await (const e of log.recent(caller, since)) got.push(JSON.parse(e.input_json) as string);
  return got;
}

describe('the SQLite call log in batches', () => {
  it('reads overlapping batches newest first, the later appended first within a millisecond', async () => {
    const s = openSqliteStorage(join(t.dir, 'a.sqlite'));
    try {
      const now = Date.now();
      // two writers' batches interleaved in time (a server and the CLI on one data dir), and a
      // third batch wholly inside the first's span
      await s.callLog.appendMany([call('me', now - 900, 'a1'), call('me', now - 500, 'a2'), call('me', now - 100, 'a3')], 3600);
      await s.callLog.appendMany([call('me', now - 700, 'b1'), call('me', now - 500, 'b2'), call('me', now - 300, 'b3')], 3600);
      await s.callLog.appendMany([call('me', now - 600, 'c1'), call('other', now - 550, 'x'), call('me', now - 500, 'c2')], 3600);
      expect(await read(s.callLog, 'me', now - 3_600_000)).toEqual(['a3', 'b3', 'c1', 'c2', 'b2', 'a2', 'b1', 'a1'].sort(byTime(now)));
      expect(await read(s.callLog, 'me', now - 3_600_000)).toEqual(['a3', 'b3', 'c1', 'c2', 'b2', 'a2', 'b1', 'a1'].sort(byTime(now)));
      expect(await read(s.callLog, 'other', 0)).toEqual(['x']);
      // `since` cuts inside a batch
      expect(await read(s.callLog, 'me', now - 550)).toEqual(['a3', 'b3', 'c2', 'b2', 'a2']);
    } finally {
      await s.close();
    }
  });

  it('hides an entry past its own time to live in a batch that has not expired, and purges expired batches', async () => {
    const path = join(t.dir, 'b.sqlite');
    const s = openSqliteStorage(path);
    try {
      const now = Date.now();
      // a batch spanning more than its time to live: its first entry has expired, its last not
      // an expired batch is purged by the first write (then at most once a minute)
      await s.callLog.appendMany([call('me', now - 10_000, 'all gone')], 3);
      await s.callLog.appendMany([call('me', now - 5_000, 'gone'), call('me', now - 1_000, 'kept')], 3);
      expect(await read(s.callLog, 'me', 0)).toEqual(['kept']);
      const db = new Database(path, { readonly: true });
      try {
        expect(db.prepare('SELECT count(*) FROM spam_calls_log_batches').pluck().get()).toBe(1);
      } finally {
        db.close();
      }
    } finally {
      await s.close();
    }
  });

  it('moves the calls of a data dir that kept a row per call into batches on open, in order', async () => {
    const path = join(t.dir, 'c.sqlite');
    const now = Date.now();
    const old = new Database(path);
    old.exec(`CREATE TABLE spam_calls_log (
      caller_id TEXT NOT NULL, called_at INTEGER NOT NULL, seq INTEGER NOT NULL, endpoint TEXT NOT NULL,
      version TEXT NOT NULL, input_json TEXT NOT NULL, expires_at INTEGER NOT NULL,
      PRIMARY KEY (caller_id, called_at, seq));`);
    const insert = old.prepare('INSERT INTO spam_calls_log VALUES (?, ?, ?, ?, ?, ?, ?)');
    // 200 calls over three minutes, two of the same millisecond, one expired, one of another caller,
    // and a text with quotes, a newline and an emoji
    let seq = 0;
    for (let i = 0; i < 200; i++)
      insert.run('me', now - 180_000 + i * 800, ++seq, 'text_to_prediction', 'v3', JSON.stringify(`t${i}`), now - 180_000 + i * 800 + 3_600_000);
    insert.run('me', now - 1000, ++seq, 'text_to_prediction', 'v3@2', JSON.stringify('same ms, first'), now + 3_599_000);
    insert.run('me', now - 1000, ++seq, 'features_to_prediction', 'v1', '[1,2.5,3]', now + 3_599_000);
    insert.run('me', now - 2000, ++seq, 'text_to_prediction', 'v3', JSON.stringify('say "hi"\n😀'), now + 3_598_000);
    insert.run('me', now - 7_200_000, ++seq, 'text_to_prediction', 'v3', JSON.stringify('expired'), now - 3_600_000);
    insert.run('you', now - 5000, ++seq, 'text_to_prediction', 'v3', JSON.stringify('yours'), now + 3_595_000);
    old.close();

    const s = openSqliteStorage(path);
    try {
      const got: CallLogEntry[] = [];
      for await (const e of s.callLog.recent('me', 0)) got.push(e);
      expect(got).toHaveLength(203);
      expect(got[0]).toEqual({ caller_id: 'me', called_at: now - 1000, endpoint: 'features_to_prediction', version: 'v1', input_json: '[1,2.5,3]' });
      expect(got[1]).toMatchObject({ called_at: now - 1000, version: 'v3@2', input_json: JSON.stringify('same ms, first') });
      expect(got[2].input_json).toBe(JSON.stringify('say "hi"\n😀'));
      expect(got.slice(3).map((e) => e.input_json)).toEqual(Array.from({ length: 200 }, (_, i) => JSON.stringify(`t${199 - i}`)));
      expect(await read(s.callLog, 'you', 0)).toEqual(['yours']);
    } finally {
      await s.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'spam_calls_log'").get()).toBeUndefined();
      // one batch per caller and minute
      expect(db.prepare('SELECT count(*) FROM spam_calls_log_batches').pluck().get()).toBeLessThanOrEqual(6);
    } finally {
      db.close();
    }
  });
});

/** the entries' order by their times (a test's expectation written by name) */
function byTime(now: number) {
  const at: Record<string, number> = { a1: now - 900, a2: now - 500, a3: now - 100, b1: now - 700, b2: now - 500, b3: now - 300, c1: now - 600, c2: now - 500 };
  // newest first; of the same millisecond, the later appended first (c2, then b2, then a2)
  const appended = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2'];
  return (x: string, y: string) => at[y] - at[x] || appended.indexOf(y) - appended.indexOf(x);
}
