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

/** a store whose reads and writes finish when the test says (Cassandra's round trip, SQLite's gathered writes) */
function heldStore() {
  const rows = new Map<string, string>();
  const held: (() => void)[] = [];
  const later = <T>(f: () => T) => new Promise<T>((resolve) => held.push(() => resolve(f())));
  const store: PredictionCache = {
    get: (e, v, k) => {
      const row = rows.get(`${v}|${e}|${k}`); // read now, answered when released
      return later(() => row);
    },
    set: (e, v, k, o) => later(() => void rows.set(`${v}|${e}|${k}`, o)),
    invalidateVersion: async (v) => {
      for (const k of [...rows.keys()]) if (k.startsWith(`${v}|`)) rows.delete(k);
    },
  };
  const release = async () => {
    while (held.length) held.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { store, rows, release };
}

/** an answer set twice: held in memory from then on */
async function twice(c: LayeredPredictionCache, endpoint: string, version: string, key: string, output: string): Promise<void> {
  await c.set(endpoint, version, key, output);
  await c.set(endpoint, version, key, output);
}

describe('LayeredPredictionCache', () => {
  it('answers an input from memory from its second sight on, and writes through to the storage layer', async () => {
    const { store, reads } = counted();
    const c = new LayeredPredictionCache(store);
    await c.set('text_to_prediction', 'v3', '"hi"', '{"spam":0.1}');
    // seen once: stored, not kept in memory
    expect(await c.get('text_to_prediction', 'v3', '"hi"')).toBe('{"spam":0.1}');
    expect(reads()).toBe(1);
    // seen twice: kept
    expect(await c.get('text_to_prediction', 'v3', '"hi"')).toBe('{"spam":0.1}');
    expect(reads()).toBe(1);
    // a fresh layer (another process) finds it in the store, and keeps it once asked twice
    const other = new LayeredPredictionCache(store);
    for (let i = 0; i < 4; i++) expect(await other.get('text_to_prediction', 'v3', '"hi"')).toBe('{"spam":0.1}');
    expect(reads()).toBe(3);
  });

  it('keeps inputs asked once out of memory: any number of them leaves a hot input there', async () => {
    const { store, reads } = counted();
    const c = new LayeredPredictionCache(store);
    await c.set('e', 'v', 'hot', '{"n":0}');
    await c.get('e', 'v', 'hot');
    for (let i = 0; i < 200_000; i++) await c.set('e', 'v', String(i), '{"n":1}');
    expect(c.peekAnswer('e', 'v', 'hot')).toEqual({ n: 0, from_cache: true });
    let held = 0;
    for (let i = 0; i < 200_000; i++) if (c.peekAnswer('e', 'v', String(i))) held++;
    expect(held).toBe(0);
    const before = reads();
    expect(await c.get('e', 'v', '123')).toBe('{"n":1}'); // from the stored layer
    expect(reads()).toBe(before + 1);
    // a held input's new answer replaces it, though the doorkeeper forgot the input long ago
    await c.set('e', 'v', 'hot', '{"n":2}');
    expect(c.peekAnswer('e', 'v', 'hot')).toEqual({ n: 2, from_cache: true });
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
    // written each time until held (from its second sight), then not again
    for (let i = 0; i < 4; i++) await c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.2}');
    expect(writes).toBe(2);
    // another answer for the input (a new threshold) is written
    await c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.3}');
    expect([writes, await inner.get('text_to_prediction', 'v1', '"same"')]).toEqual([3, '{"spam":0.3}']);
    // a failed write forgets the answer in memory: the next is written
    failNext = true;
    await expect(c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.4}')).rejects.toThrow('disk full');
    expect(c.peekAnswer('text_to_prediction', 'v1', '"same"')).toBeUndefined();
    await c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.4}');
    expect([writes, await inner.get('text_to_prediction', 'v1', '"same"')]).toEqual([5, '{"spam":0.4}']);
    // an input seen once whose write failed is written by the next
    failNext = true;
    await expect(c.set('text_to_prediction', 'v1', '"lost"', '{"spam":0.5}')).rejects.toThrow('disk full');
    await c.set('text_to_prediction', 'v1', '"lost"', '{"spam":0.5}');
    expect([writes, await inner.get('text_to_prediction', 'v1', '"lost"')]).toEqual([7, '{"spam":0.5}']);
    // after a version's invalidation its answers are written again
    await c.invalidateVersion('v1');
    await c.set('text_to_prediction', 'v1', '"same"', '{"spam":0.4}');
    expect([writes, await inner.get('text_to_prediction', 'v1', '"same"')]).toEqual([8, '{"spam":0.4}']);
  });

  it('peeks at memory only, without a wait: one frozen answer per entry; a version forgotten is gone from it', async () => {
    const { store, reads } = counted();
    const c = new LayeredPredictionCache(store);
    await c.set('text_to_prediction', 'v3', '"hi"', '{"prediction":{"spam":0.1}}');
    expect(c.peekAnswer('text_to_prediction', 'v3', '"hi"')).toBeUndefined(); // seen once
    await c.set('text_to_prediction', 'v3', '"hi"', '{"prediction":{"spam":0.1}}');
    const first = c.peekAnswer('text_to_prediction', 'v3', '"hi"');
    expect(first).toEqual({ prediction: { spam: 0.1 }, from_cache: true });
    // the same object each time, which nobody can change (it is sent to every caller)
    expect(c.peekAnswer('text_to_prediction', 'v3', '"hi"')).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen((first as { prediction: object }).prediction)).toBe(true);
    // in the stored layer only (another process wrote it): not in memory until gets bring it
    const other = new LayeredPredictionCache(store);
    expect(other.peekAnswer('text_to_prediction', 'v3', '"hi"')).toBeUndefined();
    await other.get('text_to_prediction', 'v3', '"hi"');
    expect(other.peekAnswer('text_to_prediction', 'v3', '"hi"')).toBeUndefined();
    await other.get('text_to_prediction', 'v3', '"hi"');
    expect(other.peekAnswer('text_to_prediction', 'v3', '"hi"')).toEqual({ prediction: { spam: 0.1 }, from_cache: true });
    expect(reads()).toBe(2);
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
    for (let i = 0; i < 20_001; i++) await twice(c, 'e', 'v', String(i), 'x');
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
    for (let i = 0; i < 45_000; i++) await twice(c, 'e', 'a', String(i), '{"n":1}');
    expect(inMemory('a', 0, 45_000)).toEqual(Array.from({ length: 20_000 }, (_, i) => 25_000 + i));
    // a version forgotten empties memory; the next fill drops in its own order
    await c.invalidateVersion('a');
    for (let i = 0; i < 20_000; i++) await twice(c, 'e', 'b', String(i), '{"n":1}');
    await c.set('e', 'b', '5', '{"n":2}'); // set again: an entry keeps its place
    await twice(c, 'e', 'b', 'new', '{"n":1}');
    expect(inMemory('a', 0, 45_000)).toEqual([]);
    expect(inMemory('b', 0, 20_000)).toEqual(Array.from({ length: 19_999 }, (_, i) => i + 1));
    expect(c.peekAnswer('e', 'b', '5')).toEqual({ n: 2, from_cache: true });
    expect(c.peekAnswer('e', 'b', 'new')).toBeDefined();
  });

  // Found by a hostile review of the second-sight rule: a read of the store that a write or an
  // invalidation overtakes must not put what it read into memory, where hot callers would get it
  // until it is pushed out.
  it('keeps out of memory what a read brings back across an invalidation or a write of its input', async () => {
    // an invalidation (a promotion) while the input's second sight reads the store
    let s = heldStore();
    let c = new LayeredPredictionCache(s.store);
    const first = c.set('text_to_prediction', 'v2', '"hi"', '{"old":1}');
    await s.release();
    await first;
    const read = c.get('text_to_prediction', 'v2', '"hi"');
    await c.invalidateVersion('v2');
    await s.release();
    expect(await read).toBe('{"old":1}'); // read before the invalidation: answered, not kept
    expect(c.peekAnswer('text_to_prediction', 'v2', '"hi"')).toBeUndefined();

    // a read while a new answer's write is under way (the store still holds the one it replaces)
    s = heldStore();
    s.rows.set('v2|text_to_prediction|"hi"', '{"spam":0.9}');
    c = new LayeredPredictionCache(s.store);
    const write = c.set('text_to_prediction', 'v2', '"hi"', '{"spam":0.1}');
    const during = c.get('text_to_prediction', 'v2', '"hi"');
    await s.release();
    await Promise.all([write, during]);
    expect(s.rows.get('v2|text_to_prediction|"hi"')).toBe('{"spam":0.1}');
    expect(c.peekAnswer('text_to_prediction', 'v2', '"hi"')).toBeUndefined();

    // a write that begins while the read is out
    s = heldStore();
    s.rows.set('v2|text_to_prediction|"hi"', '{"spam":0.9}');
    c = new LayeredPredictionCache(s.store);
    const before = c.get('text_to_prediction', 'v2', '"hi"');
    const after = c.set('text_to_prediction', 'v2', '"hi"', '{"spam":0.1}');
    await s.release();
    await Promise.all([before, after]);
    expect(c.peekAnswer('text_to_prediction', 'v2', '"hi"')).toBeUndefined();

    // with nothing in between, the second sight keeps what it read
    s = heldStore();
    s.rows.set('v2|text_to_prediction|"hi"', '{"spam":0.9}');
    c = new LayeredPredictionCache(s.store);
    for (let i = 0; i < 2; i++) {
      const r = c.get('text_to_prediction', 'v2', '"hi"');
      await s.release();
      await r;
    }
    expect(c.peekAnswer('text_to_prediction', 'v2', '"hi"')).toEqual({ spam: 0.9, from_cache: true });
  });

  it('answers an input asked again while its first answer is being written, from that answer', async () => {
    const s = heldStore();
    const c = new LayeredPredictionCache(s.store);
    const settled = (p: Promise<unknown>) => {
      let done = false;
      void p.then(() => (done = true));
      return new Promise<boolean>((r) => setImmediate(() => r(done)));
    };
    const write = c.set('text_to_prediction', 'v3', '"hi"', '{"spam":0.1}'); // seen once, not in memory
    const during = c.get('text_to_prediction', 'v3', '"hi"');
    expect(await settled(during)).toBe(true); // no wait for the store
    expect(await during).toBe('{"spam":0.1}');
    expect(c.peekAnswer('text_to_prediction', 'v3', '"hi"')).toBeUndefined();
    await s.release();
    await write;
    // written: the store answers from now on
    const after = c.get('text_to_prediction', 'v3', '"hi"');
    expect(await settled(after)).toBe(false);
    await s.release();
    expect(await after).toBe('{"spam":0.1}');
    // a version forgotten forgets the answers being written too
    const again = c.set('text_to_prediction', 'v4', '"x"', '{"spam":0.2}');
    await c.invalidateVersion('v4');
    const gone = c.get('text_to_prediction', 'v4', '"x"');
    expect(await settled(gone)).toBe(false);
    await s.release();
    await again;
  });
});
