/** The layered prediction cache: memory in front of the storage layer, bounded, invalidated by version. */
import { describe, expect, it } from 'vitest';
import { openSqliteStorage, type PredictionCache } from '../storage';
import { LayeredPredictionCache } from './cache';

/** the SQLite cache, counting the reads that reach it */
function counted(): { store: PredictionCache; reads: () => number } {
  const inner = openSqliteStorage(':memory:').cache;
  let reads = 0;
  return {
    store: {
      get: (...a) => {
        reads++;
        return inner.get(...a);
      },
      set: (...a) => inner.set(...a),
      invalidateVersion: (v) => inner.invalidateVersion(v),
    },
    reads: () => reads,
  };
}

describe('LayeredPredictionCache', () => {
  it('answers a hot input from memory and writes through to the storage layer', async () => {
    const { store, reads } = counted();
    const c = new LayeredPredictionCache(store);
    await c.set('text_to_prediction', 'v3', '"hi"', '{"spam":0.1}');
    expect(await c.get('text_to_prediction', 'v3', '"hi"')).toBe('{"spam":0.1}');
    expect(reads()).toBe(0);
    // a fresh layer (another process) finds it in the store, then keeps it in memory
    const other = new LayeredPredictionCache(store);
    expect(await other.get('text_to_prediction', 'v3', '"hi"')).toBe('{"spam":0.1}');
    expect(await other.get('text_to_prediction', 'v3', '"hi"')).toBe('{"spam":0.1}');
    expect(reads()).toBe(1);
  });

  it('writes an answer it already holds only once; a failed write is tried again by the next', async () => {
    const inner = openSqliteStorage(':memory:').cache;
    let writes = 0;
    let failNext = false;
    const c = new LayeredPredictionCache({
      get: (...a) => inner.get(...a),
      set: async (...a) => {
        writes++;
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        return inner.set(...a);
      },
      invalidateVersion: (v) => inner.invalidateVersion(v),
    });
    await c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.2}');
    await c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.2}');
    expect(writes).toBe(1);
    // another answer for the input (a new threshold) is written
    await c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.3}');
    expect([writes, await inner.get('text_to_prediction', 'v1', '"same"')]).toEqual([2, '{"spam":0.3}']);
    failNext = true;
    await expect(c.set('text_to_prediction', 'v1', '"lost"', '{"spam":0.4}')).rejects.toThrow('disk full');
    await c.set('text_to_prediction', 'v1', '"lost"', '{"spam":0.4}');
    expect([writes, await inner.get('text_to_prediction', 'v1', '"lost"')]).toEqual([4, '{"spam":0.4}']);
    // after a version's invalidation its answers are written again
    await c.invalidateVersion('v1');
    await c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.3}');
    expect([writes, await inner.get('text_to_prediction', 'v1', '"same"')]).toEqual([5, '{"spam":0.3}']);
  });

  it('peeks at memory only, without a wait: one frozen answer per entry; a version forgotten is gone from it', async () => {
    const { store, reads } = counted();
    const c = new LayeredPredictionCache(store);
    await c.set('text_to_prediction', 'v3', '"hi"', '{"prediction":{"spam":0.1}}');
    const first = c.peekAnswer('text_to_prediction', 'v3', '"hi"');
    expect(first).toEqual({ prediction: { spam: 0.1 }, from_cache: true });
    // the same object each time, which nobody can change (it is sent to every caller)
    expect(c.peekAnswer('text_to_prediction', 'v3', '"hi"')).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen((first as { prediction: object }).prediction)).toBe(true);
    // in the stored layer only (another process wrote it): not in memory until a get brings it
    const other = new LayeredPredictionCache(store);
    expect(other.peekAnswer('text_to_prediction', 'v3', '"hi"')).toBeUndefined();
    await other.get('text_to_prediction', 'v3', '"hi"');
    expect(other.peekAnswer('text_to_prediction', 'v3', '"hi"')).toEqual({ prediction: { spam: 0.1 }, from_cache: true });
    expect(reads()).toBe(1);
    await c.invalidateVersion('v3');
    expect(c.peekAnswer('text_to_prediction', 'v3', '"hi"')).toBeUndefined();
  });

  it('keeps endpoints and versions apart and forgets a whole version in both layers', async () => {
    const { store } = counted();
    const c = new LayeredPredictionCache(store);
    await c.set('text_to_prediction', 'v3', 'k', 'a');
    await c.set('text_to_features', 'v3', 'k', 'b');
    await c.set('text_to_prediction', 'v1', 'k', 'c');
    expect(await c.get('text_to_features', 'v3', 'k')).toBe('b');
    await c.invalidateVersion('v3');
    expect(await c.get('text_to_prediction', 'v3', 'k')).toBeUndefined();
    expect(await c.get('text_to_features', 'v3', 'k')).toBeUndefined();
    expect(await new LayeredPredictionCache(store).get('text_to_prediction', 'v3', 'k')).toBeUndefined();
    expect(await c.get('text_to_prediction', 'v1', 'k')).toBe('c');
  });

  it('holds at most 20,000 entries in memory, dropping the oldest first', async () => {
    const { store, reads } = counted();
    const c = new LayeredPredictionCache(store);
    for (let i = 0; i < 20_001; i++) await c.set('e', 'v', String(i), 'x');
    const before = reads();
    await c.get('e', 'v', '20000'); // newest: memory
    expect(reads()).toBe(before);
    expect(await c.get('e', 'v', '0')).toBe('x'); // oldest: dropped from memory, still stored
    expect(reads()).toBe(before + 1);
  });

  it('goes on dropping exactly the oldest, past many evictions, a version forgotten and an input set again', async () => {
    const { store } = counted();
    const c = new LayeredPredictionCache(store);
    const inMemory = (v: string, from: number, to: number) => {
      const held: number[] = [];
      for (let i = from; i < to; i++) if (c.peekAnswer('e', v, String(i))) held.push(i);
      return held;
    };
    for (let i = 0; i < 45_000; i++) await c.set('e', 'a', String(i), '{"n":1}');
    expect(inMemory('a', 0, 45_000)).toEqual(Array.from({ length: 20_000 }, (_, i) => 25_000 + i));
    // a version forgotten empties memory; the next fill drops in its own order
    await c.invalidateVersion('a');
    for (let i = 0; i < 20_000; i++) await c.set('e', 'b', String(i), '{"n":1}');
    await c.set('e', 'b', '5', '{"n":2}'); // set again: an entry keeps its place
    await c.set('e', 'b', 'new', '{"n":1}');
    expect(inMemory('a', 0, 45_000)).toEqual([]);
    expect(inMemory('b', 0, 20_000)).toEqual(Array.from({ length: 19_999 }, (_, i) => i + 1));
    expect(c.peekAnswer('e', 'b', '5')).toEqual({ n: 2, from_cache: true });
    expect(c.peekAnswer('e', 'b', 'new')).toBeDefined();
  });
});
