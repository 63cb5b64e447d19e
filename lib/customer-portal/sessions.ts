import type { Db } from "@/lib/db/client";
import { hashToken, randomToken } from "@/lib/auth/tokens";

/**
 * Customer sessions: a customer in the customer portal, signed in with a portal link or their
 * license ID. Their own cookie and table, never a vendor's `Session`: a vendor cookie is not a
 * customer session and a customer cookie is not a vendor session (different table, different
 * hash purpose). A session sees exactly one license; every request re-reads that license, and a
 * revoked or expired license (an archived customer, a deleted app) ends the session.
 */
export const CUSTOMER_SESSION_COOKIE = "portcullis_customer";
const SESSION_HOURS = 12;
const PURPOSE = "customer-session";

/** What a customer session may see: one license of one team. */
export interface CustomerContext {
  db: Db;
  sessionId: string;
  teamId: string;
  teamName: string;
  licenseRowId: string;
  customerId: string;
  appId: string;
}

/** Starts a session for an active license (the caller checked it); the cookie value is the only copy of the token. */
export async function createCustomerSession(db: Db, opts: { teamId: string; licenseRowId: string; licenseExpiresAt: Date | null; ip: string | null }) {
  const token = randomToken();
  const hoursFromNow = new Date(Date.now() + SESSION_HOURS * 3600 * 1000);
  const expiresAt = opts.licenseExpiresAt && opts.licenseExpiresAt < hoursFromNow ? opts.licenseExpiresAt : hoursFromNow;
  await db.customerSession.create({
    data: { tokenHash: hashToken(token, PURPOSE), teamId: opts.teamId, licenseId: opts.licenseRowId, expiresAt, ip: opts.ip },
  });
  return { token, expiresAt };
}

/** The live session for a cookie value, or null: unknown, expired, or its license no longer active (the session is then deleted). */
export async function findCustomerSession(db: Db, token: string | undefined, now = new Date()): Promise<CustomerContext | null> {
  if (!token || token.length > 200) return null;
  const session = await db.customerSession.findUnique({
    where: { tokenHash: hashToken(token, PURPOSE) },
    select: {
      id: true,
      teamId: true,
      expiresAt: true,
      license: {
        select: {
          id: true,
          teamId: true,
          customerId: true,
          appId: true,
          revokedAt: true,
          expiresAt: true,
          team: { select: { name: true } },
          customer: { select: { archivedAt: true } },
          app: { select: { deletedAt: true } },
        },
      },
    },
  });
  if (!session) return null;
  const l = session.license;
  const ended =
    session.expiresAt <= now ||
    l.teamId !== session.teamId ||
    !!l.revokedAt ||
    !!l.customer.archivedAt ||
    !!l.app.deletedAt ||
    (l.expiresAt !== null && l.expiresAt <= now);
  if (ended) {
    await db.customerSession.deleteMany({ where: { id: session.id } });
    return null;
  }
  return { db, sessionId: session.id, teamId: l.teamId, teamName: l.team.name, licenseRowId: l.id, customerId: l.customerId, appId: l.appId };
}

export async function deleteCustomerSession(db: Db, token: string | undefined) {
  if (!token) return;
  await db.customerSession.deleteMany({ where: { tokenHash: hashToken(token, PURPOSE) } });
}
