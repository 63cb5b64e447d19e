import type { LookupRequest } from "@/lib/internal/contract";
import { keyOfAddress } from "@/lib/http/client-address";
import { isLicenseUsername, looksLikeLicenseId } from "@/lib/licenses/license-login";
import { ociAnswer, type OciAnswer } from "@/lib/oci/errcode";
import type { CacheResult, LicenseCache } from "./license-cache";
import type { ProxyMetrics } from "./metrics";
import { PortalUnavailableError, type LookupAnswer } from "./portal-client";
import type { RefusalLimiter } from "./refusal-limit";
import { secondsSince } from "./request-context";

/**
 * May this request go on? The license gate answers from the Authorization header and the
 * portal's lookup: credentials read from HTTP Basic `LICENSE_ID:<id>`, the lookup answered from
 * the license cache (license-cache.ts) when it can, each portal lookup counted against its
 * address's refusal allowance (refusal-limit.ts) before it is made, and a license past its expiry
 * refused on every request, cached answer or not. It answers with the lookup (the pull log records
 * refused requests under their license too) or with the OCI error the client gets: 401 with the
 * Basic challenge, 403 DENIED, 429 for an address that must wait, 503 when the portal can't be asked.
 */

export type Credentials = { kind: "none" } | { kind: "invalid" } | { kind: "license"; licenseId: string };
const NO_CREDENTIALS: Credentials = { kind: "none" };

/** HTTP Basic `LICENSE_ID:<license id>` (lib/licenses/license-login.ts: the user name in any case; junk never reaches the portal). */
export function licenseFromAuthorization(header: string | undefined): Credentials {
  if (!header) return { kind: "none" };
  const m = /^Basic\s+([A-Za-z0-9+/=_-]{1,1024})\s*$/i.exec(header);
  if (!m) return { kind: "invalid" };
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return { kind: "invalid" };
  const user = decoded.slice(0, colon);
  const licenseId = decoded.slice(colon + 1).trim();
  if (!isLicenseUsername(user) || !looksLikeLicenseId(licenseId)) return { kind: "invalid" };
  return { kind: "license", licenseId };
}

export type GateDecision =
  | { ok: true; answer: LookupAnswer; cache: CacheResult }
  /** `answer`: the portal's refusal, when there is one; `logError`: what the access log says of a lookup that got no answer. */
  | { ok: false; error: OciAnswer; answer?: LookupAnswer; cache?: CacheResult; logError?: string };

export interface LicenseGateDeps {
  portal: { lookup(req: LookupRequest, opts?: { fresh?: boolean }): Promise<LookupAnswer> };
  licenses: LicenseCache;
  refusals: RefusalLimiter;
  metrics: ProxyMetrics;
  now: () => number;
  realm: string;
}

const LOGIN_HOW = "log in with user LICENSE_ID and your license ID as the password.";
const LOGIN = "Log in with user LICENSE_ID and your license ID as the password.";

export class LicenseGate {
  private readonly challenge: Record<string, string>;
  /**
   * What each connection's last Authorization header was read as, the license's fingerprint
   * included: a client sends the same header on every request of its keep-alive connection, and
   * reading it (a regular expression, base64, the HMAC) was most of the license check's work. It
   * lives as long as its connection (a WeakMap: nothing outlives the socket), like the header
   * itself in the connection's requests; the caches that outlive connections keep fingerprints only.
   */
  private readonly onConnection = new WeakMap<object, { header: string; creds: Credentials; fingerprint: string | undefined }>();

  constructor(private readonly deps: LicenseGateDeps) {
    this.challenge = { "www-authenticate": `Basic realm="${deps.realm.replace(/"/g, "")}"` };
  }

  /** 401 with the Basic challenge. */
  unauthorized(message: string): OciAnswer {
    return ociAnswer("UNAUTHORIZED", message, { headers: this.challenge });
  }

  /** The answer to credentials that can't be looked up: none, or not a license login. */
  refuseCredentials(creds: Exclude<Credentials, { kind: "license" }>): OciAnswer {
    return this.unauthorized(creds.kind === "none" ? `Authentication required: ${LOGIN_HOW}` : LOGIN);
  }

  /**
   * The credentials of a request's Authorization header (licenseFromAuthorization) on `connection`
   * (its socket), with the license's fingerprint (license-cache.ts): read once per connection
   * while its header stays the same.
   */
  credentials(header: string | undefined, connection: object): { creds: Credentials; fingerprint: string | undefined } {
    if (!header) return { creds: NO_CREDENTIALS, fingerprint: undefined };
    const last = this.onConnection.get(connection);
    if (last !== undefined && last.header === header) return last;
    const creds = licenseFromAuthorization(header);
    const read = { header, creds, fingerprint: creds.kind === "license" ? this.deps.licenses.fingerprint(creds.licenseId) : undefined };
    this.onConnection.set(connection, read);
    return read;
  }

  /** The decision for a license and, on an image route, its app and image path; `fingerprint`: the license's, when known. */
  async check(licenseId: string, address: string, image?: { appSlug: string; image: string[]; imagePath?: string }, fingerprint?: string): Promise<GateDecision> {
    const req: LookupRequest = image ? { licenseId, appSlug: image.appSlug, image: image.image } : { licenseId };
    let looked: { answer: LookupAnswer; cache: CacheResult };
    try {
      looked = await this.lookup(req, address, fingerprint, image?.imagePath);
    } catch (e) {
      return this.lookupFailed(e);
    }
    const { answer, cache } = looked;
    if (answer.body.allowed) return { ok: true, answer, cache };
    const error = answer.status === 401 ? this.unauthorized(answer.body.reason) : ociAnswer("DENIED", answer.body.reason);
    return { ok: false, error, answer, cache };
  }

  /**
   * The portal's answer for a license, from the cache when it can. A lookup the portal is asked
   * for first takes a slot in its address's refusal allowance: an address with too many refusals,
   * or too many lookups in flight, gets AddressBlockedError instead of a portal call — unless the
   * portal allowed this license within the last hour (a customer's retry, not a guess) and hasn't
   * refused it since. An allowed answer past its license's expiry is a refusal.
   */
  private async lookup(req: LookupRequest, address: string, fingerprint: string | undefined, imagePath: string | undefined): Promise<{ answer: LookupAnswer; cache: CacheResult }> {
    const { licenses, refusals, metrics } = this.deps;
    const blockedMs = refusals.blockedFor(address);
    if (blockedMs > 0 && !licenses.cached(req)?.body.allowed && !licenses.recentlyAllowed(req.licenseId)) {
      metrics.refusalBlocks.inc();
      throw new AddressBlockedError(address, blockedMs);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const { answer, result } = await licenses.get(req, (fresh) => this.askPortal(req, address, fresh), { fingerprint, imagePath });
        metrics.licenseCache.inc({ result });
        if (answer.body.allowed && this.isExpired(answer)) {
          licenses.forgetAllowed(req.licenseId);
          return { answer: { status: 401, body: { allowed: false, code: "expired", reason: "The license has expired.", ...(answer.body.license && { license: answer.body.license }) } }, cache: result };
        }
        return { answer, cache: result };
      } catch (e) {
        if (!(e instanceof AddressBlockedError)) throw e;
        // This request joined a lookup for the same license that another address's limit stopped:
        // ask again, as itself.
        if (keyOfAddress(e.address) !== keyOfAddress(address) && attempt < 3) continue;
        metrics.refusalBlocks.inc();
        throw e;
      }
    }
  }

  /** One portal lookup, counted against the address before it is made; `fresh`: past the portal's cache. */
  private async askPortal(req: LookupRequest, address: string, fresh: boolean): Promise<LookupAnswer> {
    const { licenses, refusals, metrics, portal } = this.deps;
    const acquired = refusals.acquire(address, licenses.recentlyAllowed(req.licenseId));
    if (!acquired.ok) throw new AddressBlockedError(address, acquired.retryAfterMs);
    const started = process.hrtime.bigint();
    try {
      const answer = await portal.lookup(req, { fresh });
      if (answer.status === 401) acquired.slot.refused();
      else acquired.slot.release();
      return answer;
    } catch (e) {
      acquired.slot.release();
      metrics.portalErrors.inc({ call: "lookup" });
      throw e;
    } finally {
      metrics.portalLatency.observe(secondsSince(started));
    }
  }

  private isExpired(answer: LookupAnswer): boolean {
    const expiresAt = answer.body.license?.expiresAt;
    return !!expiresAt && Date.parse(expiresAt) <= this.deps.now();
  }

  /** A lookup that didn't get an answer: this address must wait (429), or the portal is down (503). */
  private lookupFailed(e: unknown): GateDecision {
    if (e instanceof AddressBlockedError) {
      const seconds = Math.ceil(e.retryAfterMs / 1000);
      const error = ociAnswer("TOOMANYREQUESTS", `Too many requests with unknown or revoked licenses from this address; try again in ${seconds} s.`, {
        headers: { "retry-after": String(seconds) },
      });
      return { ok: false, error, logError: "too many refused licenses from this address" };
    }
    if (!(e instanceof PortalUnavailableError)) throw e;
    return { ok: false, error: ociAnswer("UNAVAILABLE", "The license check is temporarily unavailable; try again shortly.", { headers: { "retry-after": "5" } }), logError: e.message };
  }
}

class AddressBlockedError extends Error {
  constructor(
    readonly address: string,
    readonly retryAfterMs: number,
  ) {
    super("address blocked after too many refused licenses");
  }
}
