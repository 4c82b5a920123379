/** The bounded map against a plain reference: the same entries after every step of random work. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map';

/** the reference: an array in first-insertion order, the oldest dropped by a scan */
class Reference {
  readonly entries: [number, number][] = [];
  constructor(private readonly max: number) {}
  set(k: number, v: number): void {
    const at = this.entries.findIndex(([key]) => key === k);
    if (at >= 0) this.entries[at][1] = v;
    else {
      if (this.entries.length >= this.max) this.entries.shift();
      this.entries.push([k, v]);
    }
  }
  delete(k: number): void {
    const at = this.entries.findIndex(([key]) => key === k);
    if (at >= 0) this.entries.splice(at, 1);
  }
}

describe('BoundedMap', () => {
  it('holds what the reference holds, in its order, through random sets, sets again and deletes', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const max of [1, 2, 17, 500]) {
      const m = new BoundedMap<number, number>(max);
      const ref = new Reference(max);
      for (let step = 0; step < 20_000; step++) {
        const k = random(3 * max + 5);
        const op = random(10);
        if (op < 7) {
          m.set(k, step);
          ref.set(k, step);
        } else if (op < 9) {
          expect(m.delete(k)).toBe(ref.entries.some(([key]) => key === k));
          ref.delete(k);
        } else {
          // a run of deletes that empties it now and then
          for (const [key] of [...ref.entries])
            if (random(2)) {
              m.delete(key);
              ref.delete(key);
            }
        }
        expect(m.size).toBe(ref.entries.length);
        if (step % 97 === 0) expect([...m.keys()].map((key) => [key, m.get(key)])).toEqual(ref.entries);
      }
    }
  });

  it('emptied and filled again, drops the oldest of the new entries', () => {
    const m = new BoundedMap<string, number>(3);
    for (const k of ['a', 'b', 'c', 'd']) m.set(k, 1);
    for (const k of ['b', 'c', 'd']) m.delete(k);
    for (const k of ['e', 'f', 'g', 'h']) m.set(k, 2);
    expect([...m.keys()]).toEqual(['f', 'g', 'h']);
  });

  it('lets go of what was deleted, in a map that churns below its bound', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const m = new BoundedMap<string, object>(1000);
    // answers set and deleted ten at a time (invalidations, failed writes): the map never fills,
    // and V8 rebuilds its table again and again
    const churn = (from: number) => {
      for (let i = from; i < from + 20_000; i++) {
        m.set(`key ${i}`, {});
        if (i >= 10) m.delete(`key ${i - 10}`);
      }
    };
    const watched = (() => {
      const answer = { payload: new Array(1000).fill(1) };
      m.set('watched', answer);
      return new WeakRef(answer);
    })();
    churn(0); // rebuilt while the watched answer is in the map
    m.delete('watched');
    churn(20_000);
    await new Promise((r) => setTimeout(r, 0)); // a WeakRef holds its target until the job ends
    gc();
    expect(watched.deref()).toBeUndefined();
    expect(m.size).toBe(10);
  });
});
