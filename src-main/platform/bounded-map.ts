/**
 * A Map of at most `max` entries that drops the oldest first (by first insertion: setting a key
 * again keeps its place). The oldest is found through one iterator kept from one eviction to the
 * next: a Map keeps a deleted entry's slot until it is rebuilt, and a fresh iterator per eviction
 * walked past every slot deleted before it (9.6 µs a new key at 20,000 entries, against 0.25).
 *
 * The iterator is kept only while evictions advance it. An iterator holds the table it is on, and
 * each table V8 rebuilds the Map into is linked from the one before, entries and all, until the
 * iterator moves on: one made at the start and left there, in a map that churned below its bound
 * (answers set, then deleted by an invalidation), held every entry ever set (120 MB after a
 * million of them, ten at a time in the map).
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  /** where the last eviction stopped; none until the first, and none after a delete */
  private oldest: Iterator<K> | undefined;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** sets `key`, first dropping the oldest entry when `max` are held */
  set(key: K, value: V): void {
    if (this.map.size >= this.max && !this.map.has(key)) {
      let next = this.oldest?.next();
      // done only if it ever walked past the last entry: it sees the entries set after it was made
      if (next === undefined || next.done) {
        this.oldest = this.map.keys();
        next = this.oldest.next();
      }
      this.map.delete(next.value as K);
    }
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    // the map may stay below its bound from now on, and no eviction would move the iterator on
    this.oldest = undefined;
    return this.map.delete(key);
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }
}
