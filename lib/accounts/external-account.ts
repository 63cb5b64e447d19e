import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";

/**
 * What a password check of an account with no password compares against: an empty hash that no
 * password verifies (lib/auth/password.ts answers false for it). Such an account signs in only
 * through an external provider.
 */
export const NO_PASSWORD = "";

/**
 * The account for a verified email from an external provider (GitHub, Google): the existing one
 * with that email, or a new one with no password and no team (the person creates a team or is
 * invited to one). The new account is audited as a sign-up, with the provider named.
 */
export async function accountForVerifiedEmail(db: Db, email: string, provider: string, ip: string | null): Promise<{ userId: string; email: string }> {
  const existing = await db.user.findUnique({ where: { email } });
  if (existing) return { userId: existing.id, email: existing.email };
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, passwordHash: NO_PASSWORD } });
      await recordAudit(tx, null, { userId: user.id, email, ip }, { action: "user.sign_up", targetType: "user", targetId: user.id, targetLabel: email, metadata: { via: provider } });
      return { userId: user.id, email };
    });
  } catch (e) {
    // Two first sign-ins at once: the other one created it.
    if (!isUniqueViolation(e)) throw e;
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    return { userId: user.id, email: user.email };
  }
}
