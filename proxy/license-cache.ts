import { AuthCache } from "@/lib/oci/auth-cache";
import type { ChangeEvent, LookupRequest } from "@/lib/internal/contract";
import type { LookupAnswer } from "./portal-client";

/**
 * The portal's lookup answers, in memory only, for a few seconds. The TTL is the revocation
 * bound: a license revoked in the portal is refused by this proxy at most `ttlMs` (plus one
 * lookup) later. Refusals are kept for a shorter `negativeTtlMs`, so a client retrying with a bad
 * license doesn't hammer the portal, and a license just created works almost at once.
 *
 * Keys hold an HMAC of the license ID under a per-process key (never the ID itself); entries
 * hold decrypted upstream credentials and are never written to disk or logged (AuthCache does
 * not print its contents). Concurrent misses for one key share one portal call: a pull asks for
 * the manifest and then all layers at once. Failed calls are not cached: when the portal is down,
 * what is cached keeps serving until it expires, then requests fail closed.
 *
 * Entries can also be dropped before they expire by what their answer names (`invalidate`: a
 * license, its customer, app or team, the registry), when the portal says one changed
 * (change-feed.ts). A lookup in flight when something is dropped is answered but not kept: it
 * may have been read before the change.
 */
export const DEFAULT_LICENSE_TTL_MS = 5_000;
const DEFAULT_NEGATIVE_TTL_MS = 1_000;
const RECENTLY_ALLOWED_MS = 60 * 60_000;

export interface LicenseCacheOptions {
  ttlMs?: number;
  negativeTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export type CacheResult = "hit" | "negative_hit" | "miss";

export class LicenseCache {
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  private readonly cache: AuthCache;
  private readonly now: () => number;
  /** Fingerprints of licenses the portal allowed, with when it last did (see recentlyAllowed). */
  private readonly allowed = new Map<string, number>();
  private readonly maxAllowed: number;
  private readonly maxEntries: number;
  /** Cache keys by what their answers name (`<kind>:<id>`); may still list keys that expired. */
  private readonly byId = new Map<string, Set<string>>();
  private indexed = 0;
  /** Bumped by every invalidation: a lookup that started before one is not cached. */
  private generation = 0;

  constructor(opts: LicenseCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_LICENSE_TTL_MS;
    this.negativeTtlMs = opts.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS;
    this.now = opts.now ?? Date.now;
    this.cache = new AuthCache({ maxEntries: opts.maxEntries ?? 20_000, now: this.now });
    this.maxAllowed = opts.maxEntries ?? 20_000;
    this.maxEntries = opts.maxEntries ?? 20_000;
  }

  /**
   * Did the portal allow this license within `withinMs`? Not an authorization (the portal is
   * still asked): it only tells a customer's retry from a guess when an address is rate limited.
   */
  recentlyAllowed(licenseId: string, withinMs = RECENTLY_ALLOWED_MS): boolean {
    const at = this.allowed.get(this.cache.fingerprint(licenseId));
    return at !== undefined && this.now() - at < withinMs;
  }

  /** The portal refused this license (revoked, expired): it is no longer told apart from a guess. */
  forgetAllowed(licenseId: string): void {
    this.allowed.delete(this.cache.fingerprint(licenseId));
  }

  private rememberAllowed(licenseId: string): void {
    const key = this.cache.fingerprint(licenseId);
    this.allowed.delete(key);
    this.allowed.set(key, this.now());
    if (this.allowed.size > this.maxAllowed) this.allowed.delete(this.allowed.keys().next().value!);
  }

  /**
   * License, app and the whole image path: the answer names the upstream repository of that path,
   * so it can't be shared with another image. A pull (its manifest, then every layer) is one path.
   */
  keyOf(req: LookupRequest): string {
    return `${this.cache.fingerprint(req.licenseId)}|${req.appSlug ?? "-"}|${req.image ? `i:${req.image.join("/")}` : "-"}`;
  }

  async get(req: LookupRequest, fetch: () => Promise<LookupAnswer>): Promise<{ answer: LookupAnswer; result: CacheResult }> {
    const key = this.keyOf(req);
    const hit = this.cache.get<LookupAnswer>(key);
    if (hit) return { answer: hit, result: hit.body.allowed ? "hit" : "negative_hit" };
    const answer = await this.cache.getOrCreate(key, async () => {
      const generation = this.generation;
      const value = await fetch();
      if (value.body.allowed) this.rememberAllowed(req.licenseId);
      else if (value.status === 401) this.forgetAllowed(req.licenseId);
      if (generation !== this.generation) return { value, expiresAt: 0 };
      this.index(key, value);
      return { value, expiresAt: this.now() + (value.body.allowed ? this.ttlMs : this.negativeTtlMs) };
    });
    return { answer, result: "miss" };
  }

  /** Drops every answer that names `change`'s license, customer, app, team or registry; how many there were. */
  invalidate(change: ChangeEvent): number {
    this.generation++;
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

  private index(key: string, answer: LookupAnswer): void {
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
  cached(req: LookupRequest): LookupAnswer | undefined {
    return this.cache.get<LookupAnswer>(this.keyOf(req));
  }

  /** Drops every answer (and voids lookups in flight). */
  clear(): void {
    this.generation++;
    this.cache.clear();
    this.byId.clear();
    this.indexed = 0;
  }

  get size(): number {
    return this.cache.size;
  }
}
