import type { Db, Tx } from "@/lib/db/client";
import { licenseIdHashCandidates } from "./license-id";
import { looksLikeLicenseId } from "./license-login";

/**
 * The license check every pull path calls (the registry proxy through the internal API, the
 * Docker token service). The path is the same for every input: a syntax check (bad input never
 * reaches the database), its keyed hashes (HMAC under each configured TOKEN_HASH_KEYS key and the
 * legacy AUTH_SECRET key, lib/auth/hash-keys.ts), one lookup by the unique hash index that matches
 * a row only with the key id it was stored with, then the status checks. No comparison is made on the license ID itself, so timing says
 * nothing about how close a guess was.
 *
 * Revocation bound: nothing here caches. A revoke, an archive or an expiry is seen by the next
 * call, i.e. within the time of one database round trip after the revoking transaction commits.
 * Callers that cache the answer (the proxy) add their own TTL on top and must state it.
 */
export interface ActiveLicense {
  /** The License row's id (not the credential). */
  id: string;
  teamId: string;
  appId: string;
  appSlug: string;
  customerId: string;
  type: "trial" | "paid" | "dev";
  expiresAt: Date | null;
}

type LicenseCheck =
  | { status: "active"; license: ActiveLicense }
  /** Malformed or unknown: the caller answers as to bad credentials (401). */
  | { status: "invalid" }
  | { status: "revoked" | "expired"; license: ActiveLicense }
  /** A valid license of another app: authenticated but not entitled (403). */
  | { status: "wrong_app"; license: ActiveLicense };

export async function checkLicense(db: Db | Tx, licenseId: string, opts: { appSlug?: string; now?: Date } = {}): Promise<LicenseCheck> {
  if (typeof licenseId !== "string" || !looksLikeLicenseId(licenseId)) return { status: "invalid" };
  const row = await db.license.findFirst({
    where: { OR: licenseIdHashCandidates(licenseId) },
    select: {
      id: true,
      teamId: true,
      appId: true,
      customerId: true,
      type: true,
      expiresAt: true,
      revokedAt: true,
      app: { select: { slug: true, deletedAt: true } },
      customer: { select: { archivedAt: true } },
    },
  });
  if (!row) return { status: "invalid" };
  const license: ActiveLicense = {
    id: row.id,
    teamId: row.teamId,
    appId: row.appId,
    appSlug: row.app.slug,
    customerId: row.customerId,
    type: row.type,
    expiresAt: row.expiresAt,
  };
  const now = (opts.now ?? new Date()).getTime();
  // Archiving a customer or deleting an app revokes its licenses; these checks are a second line of defence.
  if (row.revokedAt || row.customer.archivedAt || row.app.deletedAt) return { status: "revoked", license };
  if (row.expiresAt && row.expiresAt.getTime() <= now) return { status: "expired", license };
  if (opts.appSlug !== undefined && opts.appSlug !== row.app.slug) return { status: "wrong_app", license };
  return { status: "active", license };
}

/**
 * The active license with this ID (for this app, when `appSlug` is given), or null for anything
 * else: malformed, unknown, revoked, expired, or another app's. Use `checkLicense` to tell those
 * apart (401 versus 403).
 */
export async function findActiveLicense(db: Db | Tx, licenseId: string, opts: { appSlug?: string } = {}): Promise<ActiveLicense | null> {
  const result = await checkLicense(db, licenseId, opts);
  return result.status === "active" ? result.license : null;
}
