import { z } from "zod";
import "@/lib/validations/zod-config";
import type { Db } from "@/lib/db/client";
import { defineTeamChange } from "@/lib/server/team-change";
import { findOr404 } from "@/lib/server/find-or-404";
import { AppError } from "@/lib/errors";

/** A team admin's part: requiring two-factor authentication of the team's members, and resetting a member's. */
export const twoFactorRequirementSchema = z.object({ required: z.enum(["true", "false"], "Choose whether it is required.").transform((v) => v === "true") });
export const resetTwoFactorSchema = z.object({ membershipId: z.uuid("Unknown member.") });

export const setTwoFactorRequirement = defineTeamChange({
  name: "teams.two_factor_requirement", permission: "admin", input: twoFactorRequirementSchema,
  async change(tx, ctx, input) {
    const team = await tx.team.findUniqueOrThrow({ where: { id: ctx.teamId }, select: { requireTwoFactor: true } });
    if (team.requireTwoFactor === input.required) return { result: { required: input.required } };
    // The requirement applies to the admin too: without it on, they would lock themselves out.
    if (input.required && !(await tx.twoFactor.findFirst({ where: { userId: ctx.userId, enabledAt: { not: null } }, select: { userId: true } }))) {
      throw new AppError("conflict", "Turn on two-factor authentication for your own account first: the requirement applies to you too.");
    }
    await tx.team.update({ where: { id: ctx.teamId }, data: { requireTwoFactor: input.required } });
    return { result: { required: input.required }, audit: { action: "team.two_factor_requirement", targetType: "team", targetId: ctx.teamId, targetLabel: ctx.teamName, metadata: { required: input.required } } };
  },
});

/** Turns a member's two-factor authentication off (a lost phone and lost recovery codes): they sign in with their password and set it up again. */
export const resetMemberTwoFactor = defineTeamChange({
  name: "members.reset_two_factor", permission: "admin", input: resetTwoFactorSchema,
  async change(tx, ctx, input) {
    const member = await findOr404(
      tx.membership.findFirst({ where: { id: input.membershipId, teamId: ctx.teamId }, include: { user: { select: { email: true } } } }),
      "That member is not in this team.",
    );
    const { count } = await tx.twoFactor.deleteMany({ where: { userId: member.userId } });
    await tx.twoFactorRecoveryCode.deleteMany({ where: { userId: member.userId } });
    if (count === 0) return { result: { reset: false } };
    return { result: { reset: true }, audit: { action: "member.two_factor_reset", targetType: "user", targetId: member.userId, targetLabel: member.user.email } };
  },
});

/** Whether the team requires two-factor authentication and this member doesn't have it on yet. */
export async function mustEnrolTwoFactor(db: Db, userId: string, teamId: string): Promise<boolean> {
  const team = await db.team.findUnique({ where: { id: teamId }, select: { requireTwoFactor: true } });
  if (!team?.requireTwoFactor) return false;
  return !(await db.twoFactor.findFirst({ where: { userId, enabledAt: { not: null } }, select: { userId: true } }));
}
