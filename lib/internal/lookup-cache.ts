import { AnswerCache } from "./answer-cache";
import type { ChangeHub, Subscription } from "./changes-hub";
import type { LookupRequest } from "./contract";
import type { LookupResult } from "./proxy-lookup";

/**
 * The internal lookup API's answers, kept in this portal process for PORTAL_LOOKUP_CACHE_TTL_MS
 * (default 5 s; refusals 1 s at most), so the proxies' lookups (every pull, from every proxy)
 * don't each cost three queries, a decryption and a signature.
 *
 * What keeps it right is the change channel (changes.ts): every change that alters an answer is
 * announced when it commits, and this cache listens on the process's change hub like a proxy's
 * stream does, dropping the answers that name what changed before the hub hands the change on.
 * While the hub isn't listening (starting, reconnecting: changes could be missed) nothing is
 * served from here or kept; losing the connection drops everything. A lookup the proxy asks for
 * with `Cache-Control: no-cache` (it does for a moment after a change: another portal may have
 * heard of it first) is computed afresh. An allowed answer past its license's expiry is never
 * served. What the TTL bounds: a change written to the database without the portal (by hand).
 */
const MAX_NEGATIVE_TTL_MS = 1_000;

export class PortalLookupCache {
  private readonly answers: AnswerCache<LookupResult>;
  private subscription: Subscription | undefined;

  constructor(
    private readonly hub: Pick<ChangeHub, "subscribe" | "listening">,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.answers = new AnswerCache({ ttlMs, negativeTtlMs: Math.min(ttlMs, MAX_NEGATIVE_TTL_MS), now });
  }

  /** `compute`'s answer for `req`, or the one kept from an earlier call. */
  async lookup(req: LookupRequest, compute: () => Promise<LookupResult>, opts: { fresh?: boolean } = {}): Promise<LookupResult> {
    this.subscription ??= this.hub.subscribe({
      change: (event) => this.answers.invalidate(event),
      lost: () => {
        this.subscription = undefined;
        this.answers.clear();
      },
    });
    if (!this.hub.listening) return compute();
    const { answer } = await this.answers.get(req, compute, { bypass: opts.fresh });
    const expiresAt = answer.body.allowed ? answer.body.license?.expiresAt : null;
    if (expiresAt && Date.parse(expiresAt) <= this.now()) return compute();
    return answer;
  }

  /** Stops listening for changes and drops everything. */
  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.answers.clear();
  }

  get size(): number {
    return this.answers.size;
  }
}

const caches = new WeakMap<object, PortalLookupCache>();

/** The cache of `hub`'s process with that TTL (a new one when the TTL changes); undefined when the TTL is 0. */
export function lookupCacheFor(hub: ChangeHub, ttlMs: number): PortalLookupCache | undefined {
  if (ttlMs <= 0) return undefined;
  let cache = caches.get(hub);
  if (!cache || cache.ttlMs !== ttlMs) {
    cache?.close();
    cache = new PortalLookupCache(hub, ttlMs);
    caches.set(hub, cache);
  }
  return cache;
}
