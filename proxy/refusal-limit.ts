import { keyOfAddress } from "@/lib/http/client-address";

/**
 * Failed license lookups per client address. License IDs carry 160 random bits, so guessing is
 * hopeless, but every guess would cost the portal a lookup. So a lookup is counted before it is
 * made: `acquire` takes a slot, and the address gets none once its refusals in this window plus
 * its lookups still in flight reach `maxRefusals` — 200 guesses sent at once put at most
 * `maxRefusals` lookups on the portal. The portal's answer settles the slot: a refusal (HTTP 401:
 * unknown, revoked or expired license — also one the portal allowed before) stays counted, and at
 * `maxRefusals` within `windowMs` the address is blocked for `blockMs` (then counting starts
 * afresh); any other answer gives the slot back. Refusals answered from the proxy's short cache cost the portal nothing and don't count.
 *
 * Licenses the portal allowed lately (license-cache.ts) acquire a slot even when the address is
 * blocked, so one bad client behind a shared address (NAT, a load balancer) can't cut off
 * customers who have been pulling; once the portal refuses such a license, that exemption is gone.
 *
 * IPv6 clients are counted per /64, the block one subscriber usually gets. In memory, bounded:
 * at most `maxAddresses` entries (an address with nothing counted has none); when full, the least
 * recently refused entry that isn't blocked and has no lookup in flight goes first. Addresses are
 * only keys here; they are never logged by this module.
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
/** Retry-After for an address whose lookups in flight fill its allowance: they settle in moments. */
const BUSY_RETRY_MS = 1_000;

interface Entry {
  windowStart: number;
  refusals: number;
  inflight: number;
  blockedUntil: number;
}

/** One lookup's place in its address's allowance; settle it exactly once. */
export interface LookupSlot {
  /** The portal refused the license: counts as a refusal (and may block the address). */
  refused(): void;
  /** Any other outcome (allowed, 403, no answer): the slot is given back. */
  release(): void;
}

export type Acquired = { ok: true; slot: LookupSlot } | { ok: false; retryAfterMs: number };

const NO_LIMIT: LookupSlot = { refused: () => {}, release: () => {} };

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

  /**
   * A slot for one portal lookup from `address`, or how long to wait. `exempt` (a license the
   * portal allowed lately) always gets one: it still counts while in flight, and as a refusal if
   * the portal refuses it.
   */
  acquire(address: string, exempt = false): Acquired {
    if (this.maxRefusals === 0) return { ok: true, slot: NO_LIMIT };
    const now = this.now();
    const key = keyOfAddress(address);
    let entry = this.entries.get(key);
    if (entry && now - entry.windowStart >= this.windowMs) {
      entry.windowStart = now;
      entry.refusals = 0;
    }
    if (!exempt && entry) {
      if (entry.blockedUntil > now) return { ok: false, retryAfterMs: entry.blockedUntil - now };
      if (entry.refusals + entry.inflight >= this.maxRefusals) return { ok: false, retryAfterMs: BUSY_RETRY_MS };
    }
    if (!entry) {
      entry = { windowStart: now, refusals: 0, inflight: 0, blockedUntil: 0 };
      this.entries.set(key, entry);
      if (this.entries.size > this.maxAddresses) this.evictOne(now, entry);
    }
    entry.inflight++;
    const held = entry;
    let settled = false;
    const settle = (refused: boolean) => {
      if (settled) return;
      settled = true;
      held.inflight--;
      if (refused) this.countRefusal(key, held);
      else if (held.inflight === 0 && held.refusals === 0 && held.blockedUntil <= this.now() && this.entries.get(key) === held) this.entries.delete(key);
    };
    return { ok: true, slot: { refused: () => settle(true), release: () => settle(false) } };
  }

  /** Counts one refusal without a slot; returns true when this one blocked the address. */
  recordRefusal(clientAddress: string): boolean {
    if (this.maxRefusals === 0) return false;
    const key = keyOfAddress(clientAddress);
    const entry = this.entries.get(key) ?? { windowStart: this.now(), refusals: 0, inflight: 0, blockedUntil: 0 };
    return this.countRefusal(key, entry);
  }

  private countRefusal(key: string, entry: Entry): boolean {
    const now = this.now();
    if (now - entry.windowStart >= this.windowMs) {
      entry.windowStart = now;
      entry.refusals = 0;
    }
    // Re-inserted, so the Map's order is least recently refused first (what eviction drops).
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.refusals++;
    if (this.entries.size > this.maxAddresses) this.evictOne(now, entry);
    if (entry.refusals >= this.maxRefusals && entry.blockedUntil <= now) {
      // Counting starts afresh when the block ends.
      entry.blockedUntil = now + this.blockMs;
      entry.windowStart = entry.blockedUntil;
      entry.refusals = 0;
      return true;
    }
    return false;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops the least recently refused entry that isn't blocked or busy (of the oldest 1000), else the oldest. */
  private evictOne(now: number, keep: Entry): void {
    let scanned = 0;
    for (const [address, entry] of this.entries) {
      if (entry !== keep && entry.blockedUntil <= now && entry.inflight === 0) return void this.entries.delete(address);
      if (++scanned >= 1000) break;
    }
    for (const [address, entry] of this.entries) if (entry !== keep) return void this.entries.delete(address);
  }
}
