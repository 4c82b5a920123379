/** The change follower's cursor when a batch's last work goes on (the inbox's verdicts): moved after it, in order. */
import { describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../storage';
import { newTimeUuid } from '../platform';
import { ChangeFollower } from './change-follower';

describe('a change follower whose handler hands back work still going on', () => {
  it('hands the next batch on meanwhile, and moves the cursor past a batch only once its work is done', async () => {
    const users = openSqliteStorage(':memory:').users;
    for (let i = 0; i < 6; i++) await users.insert({ user_id: 'u', sms_id: newTimeUuid(), sender_id: 's', sms_text: `m${i}` });
    const handed: number[] = [];
    const finish: (() => void)[] = [];
    const f = new ChangeFollower(users, {
      cursor: 'test',
      batch: 2,
      handle: async (changes) => {
        handed.push(changes.length);
        return { done: new Promise<void>((resolve) => finish.push(resolve)) };
      },
    });
    const drained = f.drain();
    await new Promise((r) => setTimeout(r, 50));
    // two batches handed on, the second while the first's work goes on; no more (at most two behind)
    expect(handed).toEqual([2, 2]);
    expect(await users.getCursor('test')).toBeUndefined();
    finish[1](); // the second's work done first: the cursor still waits for the first's
    await new Promise((r) => setTimeout(r, 20));
    expect(await users.getCursor('test')).toBeUndefined();
    finish[0]();
    await new Promise((r) => setTimeout(r, 50));
    expect(handed).toEqual([2, 2, 2]);
    const afterTwo = await users.getCursor('test');
    expect(afterTwo).toBeDefined();
    expect((await users.changesAfter(afterTwo, 10)).changes).toHaveLength(2);
    finish[2]();
    expect(await drained).toEqual({ handled: 6, failed: 0 });
    expect((await users.changesAfter(await users.getCursor('test'), 10)).changes).toHaveLength(0);
  });
});

describe('a gathering change follower (the offline rows: one part per gathering)', () => {
  it('waits its gathering time again when woken while it reads, so a steady stream of changes is handed on in few batches', async () => {
    const users = openSqliteStorage(':memory:').users;
    const handed: number[] = [];
    const f = new ChangeFollower(users, {
      cursor: 'gathering',
      gatherMs: 100,
      handle: async (changes) => {
        handed.push(changes.length);
        await new Promise((r) => setTimeout(r, 10)); // a part's write
      },
    });
    f.start();
    // a message every 2 ms for 1 s, each waking the follower (as the feature step's cursor does)
    const started = Date.now();
    let stored = 0;
    while (Date.now() - started < 1000) {
      await users.insert({ user_id: 'u', sms_id: newTimeUuid(), sender_id: 's', sms_text: `m${stored}` });
      stored += 1;
      f.wake();
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 300));
    f.stop();
    // about one batch per 110 ms (the gathering and the write); read back to back it was one per write
    expect(handed.reduce((a, b) => a + b, 0)).toBe(stored);
    expect(handed.length).toBeLessThanOrEqual(14);
    expect(handed.length).toBeGreaterThanOrEqual(5);
  });
});
