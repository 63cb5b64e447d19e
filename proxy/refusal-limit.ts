/**
 * Failed license lookups per client address. License IDs carry 160 random bits, so guessing is
 * hopeless, but every guess would cost the portal a lookup: after `maxRefusals` refusals (HTTP 401
 * from the portal: unknown, revoked or expired license) within `windowMs`, an address is blocked
 * for `blockMs`, and its requests that would need a portal lookup are answered 429 locally.
 * Requests whose license answer is already cached keep working, so one bad client behind a shared
 * address (NAT, a load balancer) can't cut off customers who are already pulling.
 *
 * In memory, bounded: at most `maxAddresses` entries, the oldest dropped first. Addresses are only
 * keys here; they are never logged by this module.
 */
export interface RefusalLimitOptions {
  /** Refusals allowed per address per window; 0 disables the limit. Default 30. */
  maxRefusals?: number;
  windowMs?: number;
  blockMs?: number;
  maxAddresses?: number;
  now?: () => number;
}

export const DEFAULT_MAX_REFUSALS = 30;

interface Entry {
  windowStart: number;
  refusals: number;
  blockedUntil: number;
}

export class RefusalLimiter {
  readonly maxRefusals: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: RefusalLimitOptions = {}) {
    this.maxRefusals = opts.maxRefusals ?? DEFAULT_MAX_REFUSALS;
    this.windowMs = opts.windowMs ?? 60_000;
    this.blockMs = opts.blockMs ?? 60_000;
    this.maxAddresses = opts.maxAddresses ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Milliseconds until `address` may ask again; 0 when it isn't blocked. */
  blockedFor(address: string): number {
    if (this.maxRefusals === 0) return 0;
    const entry = this.entries.get(address);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  /** Counts one refusal; returns true when this one blocked the address. */
  recordRefusal(address: string): boolean {
    if (this.maxRefusals === 0) return false;
    const now = this.now();
    let entry = this.entries.get(address);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      entry = { windowStart: now, refusals: 0, blockedUntil: entry?.blockedUntil ?? 0 };
    }
    // Re-inserted, so the Map's order is least recently refused first (what eviction drops).
    this.entries.delete(address);
    this.entries.set(address, entry);
    entry.refusals++;
    if (this.entries.size > this.maxAddresses) this.entries.delete(this.entries.keys().next().value!);
    if (entry.refusals >= this.maxRefusals && entry.blockedUntil <= now) {
      entry.blockedUntil = now + this.blockMs;
      return true;
    }
    return false;
  }

  get size(): number {
    return this.entries.size;
  }
}
