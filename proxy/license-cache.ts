import crypto from "node:crypto";
import { AnswerCache, type CacheResult } from "@/lib/internal/answer-cache";
import type { LookupRequest } from "@/lib/internal/contract";
import type { LookupAnswer } from "./portal-client";

export type { CacheResult } from "@/lib/internal/answer-cache";

/**
 * The portal's lookup answers, in memory only, for a few seconds. The TTL is the revocation
 * bound: a license revoked in the portal is refused by this proxy at most `ttlMs` (plus one
 * lookup) later. Refusals are kept for a shorter `negativeTtlMs`, so a client retrying with a bad
 * license doesn't hammer the portal, and a license just created works almost at once.
 *
 * Keys hold an HMAC of the license ID under a per-process key (never the ID itself); entries
 * hold decrypted upstream credentials and are never written to disk or logged. Concurrent misses
 * for one key share one portal call: a pull asks for the manifest and then all layers at once.
 * Failed calls are not cached: when the portal is down, what is cached keeps serving until it
 * expires, then requests fail closed.
 *
 * Entries can also be dropped before they expire by what their answer names (`invalidate`: a
 * license, its customer, app or team, the registry), when the portal says one changed
 * (change-feed.ts). A lookup in flight when something is dropped is answered but not kept: it
 * may have been read before the change. For a moment after a change the portal is asked for a
 * fresh answer (`fetch(true)`), past its own cache (lib/internal/answer-cache.ts).
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

/**
 * HMAC-SHA256 (RFC 2104) under a key made for this process, as two one-shot hashes: on every
 * request's path, where a `crypto.createHmac` object (a key object and a stream each time) costs
 * several times as much. The inner digest comes back as hex, written into the outer block: a
 * Buffer result (`"buffer"`) costs more than the hash itself on Node 20.
 */
export function licenseFingerprinter(key: Buffer = crypto.randomBytes(32)): (licenseId: string) => string {
  const block = Buffer.alloc(64);
  (key.length > 64 ? crypto.hash("sha256", key, "buffer") : key).copy(block);
  const inner = Buffer.from(block.map((b) => b ^ 0x36));
  const outer = Buffer.alloc(64 + 32);
  Buffer.from(block.map((b) => b ^ 0x5c)).copy(outer);
  return (licenseId) => {
    outer.write(crypto.hash("sha256", Buffer.concat([inner, Buffer.from(licenseId, "utf8")]), "hex"), 64, "hex");
    return crypto.hash("sha256", outer, "base64url").slice(0, 32);
  };
}

export class LicenseCache extends AnswerCache<LookupAnswer> {
  /** Fingerprints of licenses the portal allowed, with when it last did (see recentlyAllowed). */
  private readonly allowed = new Map<string, number>();
  private readonly maxAllowed: number;
  private readonly fingerprintOf = licenseFingerprinter();

  constructor(opts: LicenseCacheOptions = {}) {
    super({ ttlMs: opts.ttlMs ?? DEFAULT_LICENSE_TTL_MS, negativeTtlMs: opts.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS, maxEntries: opts.maxEntries ?? 20_000, ...(opts.now && { now: opts.now }) });
    this.maxAllowed = opts.maxEntries ?? 20_000;
  }

  /** The license ID's HMAC under this process's key: what keys and the allowed list hold instead of the ID. */
  override fingerprint(licenseId: string): string {
    return this.fingerprintOf(licenseId);
  }

  /**
   * Did the portal allow this license within `withinMs`? Not an authorization (the portal is
   * still asked): it only tells a customer's retry from a guess when an address is rate limited.
   */
  recentlyAllowed(licenseId: string, withinMs = RECENTLY_ALLOWED_MS): boolean {
    const at = this.allowed.get(this.fingerprint(licenseId));
    return at !== undefined && this.now() - at < withinMs;
  }

  /** The portal refused this license (revoked, expired): it is no longer told apart from a guess. */
  forgetAllowed(licenseId: string): void {
    this.allowed.delete(this.fingerprint(licenseId));
  }

  private rememberAllowed(fingerprint: string): void {
    this.allowed.delete(fingerprint);
    this.allowed.set(fingerprint, this.now());
    if (this.allowed.size > this.maxAllowed) this.allowed.delete(this.allowed.keys().next().value!);
  }

  /**
   * The cached answer, or the portal's (`fetch`, told whether to ask past the portal's cache);
   * `fingerprint` (the license ID's) and `imagePath` (`req.image` joined): when the caller has them.
   */
  override get(
    req: LookupRequest,
    fetch: (fresh: boolean) => Promise<LookupAnswer>,
    opts: { fingerprint?: string; imagePath?: string; bypass?: boolean } = {},
  ): Promise<{ answer: LookupAnswer; result: CacheResult }> {
    const fingerprint = opts.fingerprint ?? this.fingerprint(req.licenseId);
    return super.get(req, fetch, {
      bypass: opts.bypass,
      key: this.keyOf(req, fingerprint, opts.imagePath),
      settled: (answer) => {
        if (answer.body.allowed) this.rememberAllowed(fingerprint);
        else if (answer.status === 401) this.allowed.delete(fingerprint);
      },
    });
  }
}
