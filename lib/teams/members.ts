import type { Tx } from "@/lib/db/client";
import { defineOperation } from "@/lib/server/operation";
import { AppError } from "@/lib/errors";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange } from "@/lib/server/team-change";
import { changeRoleSchema, removeMemberSchema } from "@/lib/teams/schemas";
import { z } from "zod";

/** Serialises membership changes of one team, so two concurrent demotions can't remove the last admin. */
async function lockTeam(tx: Tx, teamId: string) {
  await tx.$queryRaw`SELECT id FROM "Team" WHERE id = ${teamId}::uuid FOR UPDATE`;
}

/** An admin may leave the admin role (or the team) only while another admin remains. */
async function assertAnotherAdminRemains(tx: Tx, member: { id: string; teamId: string; role: string }) {
  if (member.role !== "admin") return;
  const others = await tx.membership.count({ where: { teamId: member.teamId, role: "admin", id: { not: member.id } } });
  if (others === 0) {
    throw new AppError("conflict", "A team needs at least one admin: make another member an admin first.");
  }
}

/** A member of the team, after taking the team's lock; another team's member is not_found. */
async function lockedMember(tx: Tx, teamId: string, membershipId: string) {
  await lockTeam(tx, teamId);
  return findOr404(
    tx.membership.findFirst({ where: { id: membershipId, teamId }, include: { user: { select: { email: true } } } }),
    "That member is not in this team.",
  );
}

/** What a member's audit events name: the person, by email. */
const memberTarget = (m: { userId: string; user: { email: string } }) => ({ targetType: "user", targetId: m.userId, targetLabel: m.user.email });

export const listMembers = defineOperation({
  name: "members.list", permission: "read", input: z.object({}).optional(),
  async run(ctx) {
    const members = await ctx.db.membership.findMany({
      where: { teamId: ctx.teamId },
      include: { user: { select: { email: true, name: true } } },
      orderBy: { createdAt: "asc" },
    });
    return members.map((m) => ({ id: m.id, userId: m.userId, email: m.user.email, role: m.role, joinedAt: m.createdAt }));
  },
});

export const changeMemberRole = defineTeamChange({
  name: "members.change_role", permission: "admin", input: changeRoleSchema,
  async change(tx, ctx, input) {
    const member = await lockedMember(tx, ctx.teamId, input.membershipId);
    if (member.role === input.role) return { result: { id: member.id, role: member.role } };
    await assertAnotherAdminRemains(tx, member);
    const updated = await tx.membership.update({ where: { id: member.id }, data: { role: input.role } });
    return {
      result: { id: updated.id, role: updated.role },
      audit: { action: "member.role_change", ...memberTarget(member), metadata: { from: member.role, to: input.role } },
    };
  },
});

export const removeMember = defineTeamChange({
  name: "members.remove", permission: "admin", input: removeMemberSchema,
  async change(tx, ctx, input) {
    const member = await lockedMember(tx, ctx.teamId, input.membershipId);
    await assertAnotherAdminRemains(tx, member);
    await tx.membership.delete({ where: { id: member.id } });
    await tx.session.updateMany({ where: { userId: member.userId, activeTeamId: ctx.teamId }, data: { activeTeamId: null } });
    return { result: { id: member.id }, audit: { action: "member.remove", ...memberTarget(member), metadata: { role: member.role } } };
  },
});
