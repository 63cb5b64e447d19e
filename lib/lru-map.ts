/**
 * A Map that holds at most `maxEntries`, dropping the least recently used entry first (a `get`
 * or a `set` counts as a use). For memories that must stay bounded under any traffic but should
 * keep what is still being asked for: the proxy's last confirmed digest of a tag and last report
 * of a copy's use, the portal's store tokens. A Map keeps insertion order, so moving an entry to the end on each use keeps
 * the least recently used one first.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer");
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
