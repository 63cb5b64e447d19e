import crypto from "node:crypto";
import util from "node:util";

/**
 * In-memory cache for upstream auth material: Bearer tokens per (registry, scope, credentials),
 * ECR authorization per key, and the challenge each registry answered with. Shared by every
 * client in the process by default, so the proxy's hot path asks a token realm (or AWS) once per
 * token lifetime, not once per request.
 *
 * - Each entry has its own expiry (tokens say how long they live).
 * - Concurrent misses for one key share one fetch (a cold pull asks for many blobs at once).
 * - Failed fetches are not cached.
 * - Keys never contain credentials: callers put `fingerprint(credentials)` in them, an HMAC under
 *   a key that lives only in this process.
 * - Bounded (oldest first), memory only, and not printable.
 */
interface AuthCacheOptions {
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  value: unknown;
  expiresAt: number;
}

export class AuthCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly hmacKey = crypto.randomBytes(32);

  constructor(opts: AuthCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 5000;
    this.now = opts.now ?? Date.now;
  }

  /** A stable, non-reversible identifier for credentials (or anything secret) within this process. */
  fingerprint(secret: unknown): string {
    return crypto.createHmac("sha256", this.hmacKey).update(JSON.stringify(secret ?? null)).digest("base64url").slice(0, 32);
  }

  get<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  set(key: string, value: unknown, expiresAt: number): void {
    this.entries.delete(key);
    if (expiresAt <= this.now()) return;
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Cached value, or one fetch shared by all concurrent callers; `create` says when its value expires. */
  async getOrCreate<T>(key: string, create: () => Promise<{ value: T; expiresAt: number }>): Promise<T> {
    const hit = this.get<T>(key);
    if (hit !== undefined) return hit;
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    const p = create()
      .then(({ value, expiresAt }) => {
        this.set(key, value, expiresAt);
        return value;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  get size(): number {
    return this.entries.size;
  }

  [util.inspect.custom]() {
    return `AuthCache(${this.entries.size} entries)`;
  }

  toJSON() {
    return { entries: this.entries.size };
  }
}

/** The process-wide cache clients use unless given their own. */
export const defaultAuthCache = new AuthCache();

/**
 * When to stop using something that expires at `expiresAtMs`: shortly before, so a request never
 * goes out with a token that dies in flight — 30 s early, or halfway for very short lifetimes.
 */
export function refreshAt(issuedAtMs: number, expiresAtMs: number, marginMs = 30_000): number {
  const lifetime = expiresAtMs - issuedAtMs;
  return lifetime > 2 * marginMs ? expiresAtMs - marginMs : issuedAtMs + lifetime / 2;
}
