import type { Db } from "@/lib/db/client";
import { hashToken } from "@/lib/auth/tokens";
import { reserveLoginAttempt } from "@/lib/auth/rate-limit";
import { AppError } from "@/lib/errors";
import { checkLicense } from "@/lib/licenses/verify";
import { parseInput } from "@/lib/validations/parse";
import { auditPortalOpen } from "./audit";
import { createCustomerSession } from "./sessions";
import { licenseSignInSchema } from "./schemas";

/**
 * Signs a customer in with their license ID. Limited like the vendor sign-in (lib/auth/rate-limit.ts):
 * every attempt is counted per client address and per license before the ID is looked up, so a
 * guesser gets at most that many lookups per window. The license's counter is keyed by a hash
 * of the ID, never the ID itself. Unknown IDs and revoked or expired licenses get one answer.
 */
const REFUSED = "That license ID is not valid, or its license has been revoked or has expired. Check it with your vendor.";

export async function signInWithLicenseId(db: Db, raw: unknown, ip: string | null) {
  const { licenseId } = parseInput(licenseSignInSchema, raw);
  const reservation = await reserveLoginAttempt(db, { account: `license:${hashToken(licenseId, "portal-sign-in")}`, address: ip });
  const check = await checkLicense(db, licenseId);
  if (check.status !== "active") throw new AppError("unauthenticated", REFUSED, { fields: { licenseId: REFUSED } });
  await reservation.succeeded();
  const l = check.license;
  const session = await createCustomerSession(db, { teamId: l.teamId, licenseRowId: l.id, licenseExpiresAt: l.expiresAt, ip });
  const row = await db.license.findUniqueOrThrow({ where: { id: l.id }, select: { licenseIdHint: true, customer: { select: { name: true } } } });
  await auditPortalOpen(db, { teamId: l.teamId, licenseRowId: l.id, hint: row.licenseIdHint, customerName: row.customer.name, appSlug: l.appSlug, via: "license-id", ip });
  return session;
}
