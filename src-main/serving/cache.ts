/**
 * The prediction cache as serving uses it: a bounded in-memory layer in front of the storage
 * layer's cache (SQLite or Cassandra), so that hot inputs cost a map lookup. Writes go to the
 * storage layer always, to memory from an input's second sight on (a text asked once is not kept:
 * see Doorkeeper); invalidating a version clears both.
 */
import type { PredictionCache } from '../storage';
import { BoundedMap, Doorkeeper, deepFreeze, hash32 } from '../platform';

const MAX_ENTRIES = 20_000;
/** inputs seen lately, by hash: about three times as many as memory keeps */
const DOORKEEPER_SLOTS = 65_536;
/** writes under way, counted by hash (see WritesUnderWay) */
const WRITE_SLOTS = 4096;

export class LayeredPredictionCache implements PredictionCache {
  /** the stored JSON, and the answer made of it once asked (see peekAnswer) */
  private readonly memory = new BoundedMap<string, { json: string; answer?: Readonly<object> }>(MAX_ENTRIES);
  private readonly door = new Doorkeeper(DOORKEEPER_SLOTS);
  private readonly writes = new WritesUnderWay(WRITE_SLOTS);
  /** one more at the start and at the end of each version's invalidation */
  private invalidations = 0;
  constructor(private readonly store: PredictionCache) {}

  private static key(endpoint: string, version: string, inputKey: string): string {
    return `${version}\u0000${endpoint}\u0000${inputKey}`;
  }

  async get(endpoint: string, version: string, inputKey: string): Promise<string | undefined> {
    const k = LayeredPredictionCache.key(endpoint, version, inputKey);
    const hit = this.memory.get(k);
    if (hit !== undefined) return hit.json;
    const hash = hash32(k);
    const slot = this.writes.slotOf(hash);
    const writing = this.writes.answerOf(slot, k);
    if (writing !== undefined) return writing;
    // What the store answers is kept only if nothing could have changed it meanwhile: no write
    // of this input under way or begun during the read (the store may hold the answer it
    // replaces), no invalidation (it may have been read before the invalidation deleted it).
    const quiet = this.writes.quiet(slot);
    const begun = this.writes.begun(slot);
    const invalidations = this.invalidations;
    const stored = await this.store.get(endpoint, version, inputKey);
    const overtaken = !quiet || this.writes.begun(slot) !== begun || this.invalidations !== invalidations;
    if (stored !== undefined && !overtaken && !this.memory.get(k)) this.remember(k, hash, stored);
    return stored;
  }

  /**
   * The answer in memory as sent from the cache (`from_cache: true`), or undefined; no wait: the
   * stored layer is not asked. One frozen object per entry, made on the first hit: a hot input is
   * answered without building an object, and an object of one stable shape is serialized in
   * nanoseconds (a spread copy per request cost about 1.6 µs with its serialization).
   */
  peekAnswer(endpoint: string, version: string, inputKey: string): Readonly<object> | undefined {
    const hit = this.memory.get(LayeredPredictionCache.key(endpoint, version, inputKey));
    if (hit && hit.answer === undefined) {
      const value: unknown = JSON.parse(hit.json);
      if (value && typeof value === 'object' && !Array.isArray(value)) hit.answer = deepFreeze({ ...value, from_cache: true });
    }
    return hit?.answer;
  }

  /**
   * An answer held in memory with the same output is not written again: the stored layer has it,
   * or is being given it (an input asked again with skip_cache, a campaign's one text, would
   * otherwise rewrite its identical row on every request). A failed write forgets the memory
   * entry, so the next answer writes again.
   */
  async set(endpoint: string, version: string, inputKey: string, output: string): Promise<void> {
    const k = LayeredPredictionCache.key(endpoint, version, inputKey);
    const held = this.memory.get(k);
    if (held?.json === output) return;
    const hash = hash32(k);
    if (held) this.memory.set(k, { json: output });
    else this.remember(k, hash, output);
    // seen once: not in memory, so answered from the write until the store has it
    const slot = this.writes.begin(k, hash, this.memory.get(k) === undefined ? output : undefined);
    try {
      await this.store.set(endpoint, version, inputKey, output);
    } catch (e) {
      if (this.memory.get(k)?.json === output) this.memory.delete(k);
      throw e;
    } finally {
      this.writes.end(slot, k, output);
    }
  }

  async invalidateVersion(version: string): Promise<void> {
    this.invalidations++;
    try {
      for (const k of this.memory.keys()) if (k.startsWith(`${version}\u0000`)) this.memory.delete(k);
      this.writes.forget(`${version}\u0000`);
      await this.store.invalidateVersion(version);
    } finally {
      this.invalidations++;
    }
  }

  /** keeps an entry not in memory, if its input was seen before (the oldest dropped first); `hash`: hash32(k) */
  private remember(k: string, hash: number, v: string): void {
    if (this.door.hashSeenBefore(hash)) this.memory.set(k, { json: v });
  }
}

/**
 * The writes of inputs under way, and how many ever began, counted by the input's hash in typed
 * arrays. Two inputs of one slot count as one, which only keeps a stored answer out of memory a
 * little more often.
 *
 * The answer of an input seen once is kept here while its write is under way: the store may not
 * have it yet (SQLite's writes are gathered for 20 ms, then committed on their thread), and the
 * input asked again meanwhile is answered from it, as when memory kept every answer. One answer a
 * slot (a later write's takes it). In arrays of fixed size, not a Map: with a Map that an entry
 * entered and left each request, V8 promoted 155-162 KB a scavenge (v3, a new text each request),
 * with these arrays none. Our reading, not verified: a table the Map was rebuilt from, promoted
 * before it was dropped, still points at its entries, and the young generation's collections take
 * those pointers for live until a full collection.
 */
class WritesUnderWay {
  private readonly underWay: Int32Array;
  private readonly begunCount: Int32Array;
  private readonly keys: (string | undefined)[];
  private readonly answers: (string | undefined)[];
  private readonly mask: number;

  constructor(slots: number) {
    this.underWay = new Int32Array(slots);
    this.begunCount = new Int32Array(slots);
    this.keys = new Array(slots).fill(undefined);
    this.answers = new Array(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** the slot of a key, by its hash32 */
  slotOf(hash: number): number {
    return hash & this.mask;
  }

  /** a write of `key` begins (`hash`: its hash32); `answer`: kept to answer the key until the write ends */
  begin(key: string, hash: number, answer: string | undefined): number {
    const slot = this.slotOf(hash);
    this.underWay[slot]++;
    this.begunCount[slot]++;
    if (answer !== undefined) {
      this.keys[slot] = key;
      this.answers[slot] = answer;
    }
    return slot;
  }

  end(slot: number, key: string, answer: string): void {
    this.underWay[slot]--;
    if (this.keys[slot] === key && this.answers[slot] === answer) this.keys[slot] = this.answers[slot] = undefined;
  }

  /** the answer being written for `key`, if kept */
  answerOf(slot: number, key: string): string | undefined {
    return this.keys[slot] === key ? this.answers[slot] : undefined;
  }

  /** drops the kept answers of the keys that start with `prefix` (a version invalidated) */
  forget(prefix: string): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i]?.startsWith(prefix)) this.keys[i] = this.answers[i] = undefined;
  }

  /** no write of the slot's inputs under way */
  quiet(slot: number): boolean {
    return this.underWay[slot] === 0;
  }

  /** how many writes of the slot's inputs began (it wraps, and is only compared for a change) */
  begun(slot: number): number {
    return this.begunCount[slot];
  }
}
