import { keyOfAddress } from "../lib/http/client-address";

/**
 * Failed license lookups per client address. License IDs carry 160 random bits, so guessing is
 * hopeless, but every guess would cost the portal a lookup: after `maxRefusals` refusals (HTTP 401
 * from the portal itself — unknown, revoked or expired license; refusals answered from the cache
 * cost nothing and don't count) within `windowMs`, an address is blocked for `blockMs`, and its
 * requests for licenses the portal hasn't allowed lately are answered 429 without a lookup.
 * Licenses allowed lately (server.ts keeps them, hashed) still go through, so one bad client behind
 * a shared address (NAT, a load balancer) can't cut off customers who have been pulling.
 *
 * IPv6 clients are counted per /64, the block one subscriber usually gets. In memory, bounded:
 * at most `maxAddresses` entries; when full, the least recently refused entry that isn't blocked
 * goes first. Addresses are only keys here; they are never logged by this module.
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
    if (this.maxRefusals === 0 || this.entries.size === 0) return 0;
    const entry = this.entries.get(keyOfAddress(address));
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  /** Counts one refusal; returns true when this one blocked the address. */
  recordRefusal(clientAddress: string): boolean {
    if (this.maxRefusals === 0) return false;
    const now = this.now();
    const address = keyOfAddress(clientAddress);
    let entry = this.entries.get(address);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      entry = { windowStart: now, refusals: 0, blockedUntil: entry?.blockedUntil ?? 0 };
    }
    // Re-inserted, so the Map's order is least recently refused first (what eviction drops).
    this.entries.delete(address);
    this.entries.set(address, entry);
    entry.refusals++;
    if (this.entries.size > this.maxAddresses) this.evictOne(now);
    if (entry.refusals >= this.maxRefusals && entry.blockedUntil <= now) {
      entry.blockedUntil = now + this.blockMs;
      return true;
    }
    return false;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops the least recently refused entry that isn't blocked (of the oldest 1000), else the oldest. */
  private evictOne(now: number): void {
    let scanned = 0;
    for (const [address, entry] of this.entries) {
      if (entry.blockedUntil <= now) return void this.entries.delete(address);
      if (++scanned >= 1000) break;
    }
    this.entries.delete(this.entries.keys().next().value!);
  }
}
