import { AuthCache } from "@/lib/oci/auth-cache";
import type { ChangeEvent, LookupRequest, LookupResponse } from "./contract";

/**
 * Lookup answers in memory, each for a few seconds, dropped early by what their answer names
 * when a change says it changed. Used on both ends of the internal lookup API: the proxy's
 * license cache (proxy/license-cache.ts) and the portal's (lookup-cache.ts).
 *
 * Keys hold an HMAC of the license ID under a per-process key (never the ID itself); entries may
 * hold decrypted upstream credentials and are never written to disk or logged (AuthCache does not
 * print its contents). Concurrent misses for one key share one fetch. Failed fetches are not
 * cached. A fetch in flight when something is dropped is answered but not kept: it may have read
 * what the change replaced.
 */
export interface LookupAnswerLike {
  status: 200 | 401 | 403;
  body: LookupResponse;
}

export interface AnswerCacheOptions {
  /** How long an allowed answer is kept. */
  ttlMs: number;
  /** How long a refusal is kept. */
  negativeTtlMs: number;
  maxEntries?: number;
  now?: () => number;
}

export type CacheResult = "hit" | "negative_hit" | "miss";

/**
 * For this long after a change the fetch is told to ask for a fresh answer (`fetch(true)`): the
 * next cache in line (another portal's) may not have heard of the change yet.
 */
export const FRESH_AFTER_CHANGE_MS = 2_000;

export class AnswerCache<A extends LookupAnswerLike> {
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  protected readonly cache: AuthCache;
  protected readonly now: () => number;
  private readonly maxEntries: number;
  /** Cache keys by what their answers name (`<kind>:<id>`); may still list keys that expired. */
  private readonly byId = new Map<string, Set<string>>();
  private indexed = 0;
  /** Bumped by every invalidation: a fetch that started before one is not cached. */
  private generation = 0;
  private changedAt = -Infinity;

  constructor(opts: AnswerCacheOptions) {
    this.ttlMs = opts.ttlMs;
    this.negativeTtlMs = opts.negativeTtlMs;
    this.now = opts.now ?? Date.now;
    this.maxEntries = opts.maxEntries ?? 20_000;
    this.cache = new AuthCache({ maxEntries: this.maxEntries, now: this.now });
  }

  /** The license ID's HMAC under this process's key. */
  fingerprint(licenseId: string): string {
    return this.cache.fingerprint(licenseId);
  }

  /**
   * License, app and the whole image path: the answer names the upstream repository of that path,
   * so it can't be shared with another image. A pull (its manifest, then every layer) is one path.
   * `imagePath`: `req.image` joined, when the caller has it (the proxy's routes read it once per path).
   */
  keyOf(req: LookupRequest, fingerprint = this.fingerprint(req.licenseId), imagePath = req.image?.join("/")): string {
    return `${fingerprint}|${req.appSlug ?? "-"}|${imagePath !== undefined ? `i:${imagePath}` : "-"}`;
  }

  /** True for a while after a change (FRESH_AFTER_CHANGE_MS). */
  changedRecently(): boolean {
    return this.now() - this.changedAt < FRESH_AFTER_CHANGE_MS;
  }

  /**
   * The cached answer, or `fetch`'s, kept for the TTL of its kind. With `bypass` the cached answer
   * is not read (the fresh one is still kept). `fetch` is told whether to ask for a fresh answer.
   */
  async get(req: LookupRequest, fetch: (fresh: boolean) => Promise<A>, opts: { bypass?: boolean; key?: string; settled?: (answer: A) => void } = {}): Promise<{ answer: A; result: CacheResult }> {
    const key = opts.key ?? this.keyOf(req);
    if (!opts.bypass) {
      const hit = this.cache.get<A>(key);
      if (hit) return { answer: hit, result: hit.body.allowed ? "hit" : "negative_hit" };
    }
    const load = async () => {
      const generation = this.generation;
      const value = await fetch(this.changedRecently());
      opts.settled?.(value);
      if (generation !== this.generation) return { value, expiresAt: 0 };
      this.index(key, value);
      return { value, expiresAt: this.now() + (value.body.allowed ? this.ttlMs : this.negativeTtlMs) };
    };
    if (opts.bypass) {
      const { value, expiresAt } = await load();
      this.cache.set(key, value, expiresAt);
      return { answer: value, result: "miss" };
    }
    return { answer: await this.cache.getOrCreate(key, load), result: "miss" };
  }

  /** Drops every answer that names `change`'s license, customer, app, team or registry; how many there were. */
  invalidate(change: ChangeEvent): number {
    this.generation++;
    this.changedAt = this.now();
    const keys = this.byId.get(`${change.kind}:${change.id}`);
    if (!keys) return 0;
    this.byId.delete(`${change.kind}:${change.id}`);
    this.indexed -= keys.size;
    let dropped = 0;
    for (const key of keys) {
      if (this.cache.get(key) !== undefined) dropped++;
      this.cache.delete(key);
    }
    return dropped;
  }

  private index(key: string, answer: A): void {
    const { license, registry } = answer.body;
    const ids = [
      license && `license:${license.id}`,
      license && `customer:${license.customerId}`,
      license && `app:${license.appId}`,
      license && `team:${license.teamId}`,
      registry && `registry:${registry.id}`,
    ];
    for (const id of ids) {
      if (!id) continue;
      let keys = this.byId.get(id);
      if (!keys) this.byId.set(id, (keys = new Set()));
      if (!keys.has(key)) {
        keys.add(key);
        this.indexed++;
      }
    }
    if (this.indexed > 10 * this.maxEntries) this.pruneIndex();
  }

  /** Forgets index entries of answers that expired or were evicted. */
  private pruneIndex(): void {
    this.indexed = 0;
    for (const [id, keys] of this.byId) {
      for (const key of keys) if (this.cache.get(key) === undefined) keys.delete(key);
      if (keys.size === 0) this.byId.delete(id);
      this.indexed += keys.size;
    }
  }

  /** The cached answer for `req` if there is one, without asking anyone. */
  cached(req: LookupRequest): A | undefined {
    return this.cache.get<A>(this.keyOf(req));
  }

  /** Drops every answer (and voids fetches in flight). */
  clear(): void {
    this.generation++;
    this.changedAt = this.now();
    this.cache.clear();
    this.byId.clear();
    this.indexed = 0;
  }

  get size(): number {
    return this.cache.size;
  }
}
