import { recordAudit } from "@/lib/audit/record";
import { accountForVerifiedEmail } from "@/lib/accounts/external-account";
import type { Db } from "@/lib/db/client";
import type { TeamSso } from "@/lib/generated/prisma/client";
import { isUniqueViolation } from "@/lib/errors";
import { roleForGroups } from "./operations";

/**
 * Just-in-time membership: the first single sign-on of a person at a verified domain creates
 * their account (no password) and their membership with the mapped role (or the default role);
 * with a groups claim configured, the mapped role is applied again at every sign-in — except
 * that it never demotes the team's last admin.
 */

/** The groups a claim lists: an array of strings, or one string. */
export function groupsOf(claims: Record<string, unknown>, claim: string | null): string[] {
  if (!claim) return [];
  const value = claims[claim];
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === "string") : [];
}

export async function joinThroughSso(db: Db, sso: TeamSso, claims: Record<string, unknown>, email: string, ip: string | null): Promise<{ userId: string }> {
  const user = await accountForVerifiedEmail(db, email, "sso", ip);
  const groups = groupsOf(claims, sso.groupsClaim);
  const mapped = roleForGroups(sso, groups);
  const actor = { userId: user.userId, email: user.email, ip };
  const target = { targetType: "user", targetId: user.userId, targetLabel: user.email };
  try {
    await db.$transaction(async (tx) => {
      const membership = await tx.membership.findUnique({ where: { teamId_userId: { teamId: sso.teamId, userId: user.userId } } });
      if (!membership) {
        await tx.membership.create({ data: { teamId: sso.teamId, userId: user.userId, role: mapped } });
        await recordAudit(tx, sso.teamId, actor, { action: "member.join", ...target, metadata: { via: "sso", role: mapped, groups: groups.slice(0, 20) } });
      } else if (sso.groupsClaim && membership.role !== mapped) {
        const lastAdmin = membership.role === "admin" && (await tx.membership.count({ where: { teamId: sso.teamId, role: "admin" } })) === 1;
        if (!lastAdmin) {
          await tx.membership.update({ where: { id: membership.id }, data: { role: mapped } });
          await recordAudit(tx, sso.teamId, actor, { action: "member.role_change", ...target, metadata: { via: "sso", from: membership.role, to: mapped } });
        }
      }
      await recordAudit(tx, sso.teamId, actor, { action: "sso.sign_in", ...target });
    });
  } catch (e) {
    // Two first sign-ins at once: the other one made the membership.
    if (!isUniqueViolation(e)) throw e;
  }
  return { userId: user.userId };
}
