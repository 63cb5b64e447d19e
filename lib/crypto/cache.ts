/**
 * A small in-memory TTL cache for unwrapped data keys (and, if a caller wants, decrypted secrets),
 * so the proxy's hot path does not ask the KMS on every request.
 *
 * - Memory only: nothing here ever touches the disk.
 * - Bounded: at most `maxEntries`; the oldest entry goes first (FIFO — with one TTL for all
 *   entries, the oldest is also the first to expire, so expiry is a scan from the front).
 * - Buffers are zero-filled when they leave the cache (expiry, eviction, delete, clear). Strings
 *   can't be wiped in JavaScript; prefer Buffers for anything sensitive.
 * - Not printable: util.inspect / JSON.stringify show only the size, so a stray log line can't
 *   dump keys.
 *
 * Callers must use a value synchronously after `get` (e.g. pass it straight to createDecipheriv),
 * because a later eviction wipes the very Buffer they hold.
 */
export interface TtlCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

type Wipeable = Buffer | string;

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class TtlCache<V extends Wipeable> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: TtlCacheOptions) {
    if (!(options.ttlMs > 0) || !(options.maxEntries > 0)) throw new RangeError("TtlCache needs ttlMs > 0 and maxEntries > 0");
    this.ttlMs = options.ttlMs;
    this.maxEntries = Math.floor(options.maxEntries);
    this.now = options.now ?? Date.now;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Takes ownership of `value`: it will be wiped when it leaves the cache. */
  set(key: string, value: V): void {
    const existing = this.entries.get(key);
    if (existing) {
      this.entries.delete(key);
      if (existing.value !== value) wipe(existing.value);
    }
    this.sweep();
    while (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    wipe(entry.value);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.delete(key);
    }
  }

  toJSON(): { size: number } {
    return { size: this.size };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `TtlCache { size: ${this.size} }`;
  }
}

function wipe(value: Wipeable): void {
  if (Buffer.isBuffer(value)) value.fill(0);
}
