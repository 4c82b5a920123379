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
