/** Calls to a real helper thread (an eval'd Worker): answers by id, a call's error, a thread that dies. */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ThreadCallError, ThreadCalls } from './thread-calls';

// doubles `x`, answers in reverse order of arrival within a tick, refuses negatives
const DOUBLER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => setTimeout(() => {
  if (m.x < 0) parentPort.postMessage({ id: m.id, error: 'x: expected a number >= 0, got ' + m.x });
  else parentPort.postMessage({ id: m.id, value: m.x * 2 });
}, m.x === 1 ? 30 : 0));
`;

describe('ThreadCalls', () => {
  it('answers each call with its own reply, in any order, and a refused call with ThreadCallError, the thread going on', async () => {
    let started = 0;
    const calls = new ThreadCalls<{ x: number }, number>(() => {
      started++;
      return new Worker(DOUBLER, { eval: true });
    }, 'the doubler');
    try {
      const slow = calls.call({ x: 1 });
      expect(await Promise.all([slow, calls.call({ x: 5 }), calls.call({ x: 0 })])).toEqual([2, 10, 0]);
      const refused = await calls.call({ x: -4 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ThreadCallError);
      expect((refused as Error).message).toBe('x: expected a number >= 0, got -4');
      expect(await calls.call({ x: 21 })).toBe(42);
      expect([calls.usable, started]).toEqual([true, 1]);
    } finally {
      calls.close();
    }
  });

  it('fails the waiting calls when the thread exits, and is unusable from then on', async () => {
    const calls = new ThreadCalls<{ x: number }, number>(() => new Worker('setTimeout(() => process.exit(3), 20)', { eval: true }), 'the quitter');
    const e = await calls.call({ x: 1 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(ThreadCallError);
    expect((e as Error).message).toBe('the quitter exited (3)');
    expect(calls.usable).toBe(false);
  });
});
