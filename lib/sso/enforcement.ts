import { recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

/**
 * Enforced single sign-on: a password sign-in by a member of a team that requires SSO is refused
 * with the fix in the message. Admins keep a break-glass password path (the provider may be
 * down), recorded in each such team's audit log as `sso.break_glass`. API tokens are not sign-ins
 * and keep working.
 */
export async function assertPasswordSignInAllowed(db: Db, user: { userId: string; email: string }, ip: string | null): Promise<void> {
  const memberships = await db.membership.findMany({
    where: { userId: user.userId, team: { sso: { enforce: true } } },
    select: { role: true, teamId: true, team: { select: { name: true } } },
  });
  if (memberships.length === 0) return;
  const refused = memberships.find((m) => m.role !== "admin");
  if (refused) {
    throw new AppError("forbidden", `${refused.team.name} requires single sign-on: sign in with SSO instead of your password.`);
  }
  await db.$transaction(async (tx) => {
    for (const m of memberships) {
      await recordAudit(tx, m.teamId, { userId: user.userId, email: user.email, ip }, { action: "sso.break_glass", targetType: "user", targetId: user.userId, targetLabel: user.email });
    }
  });
}
