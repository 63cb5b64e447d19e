import { z } from "zod";
import { defineOperation } from "@/lib/server/operation";
import { recordTeamAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { findOr404, inTeamTransaction } from "@/lib/server/team-transaction";
import { inviteMemberSchema, revokeInviteSchema } from "@/lib/teams/schemas";
import { newInviteToken } from "./invites";

/**
 * Creates a single-use, expiring invite and returns its token. The link is shown once to the
 * admin (there is no mail server in the embedded setup); only a keyed hash is stored.
 */
export const inviteMember = defineOperation({
  name: "members.invite",
  permission: "admin",
  input: inviteMemberSchema,
  async run(ctx, input) {
    const alreadyMember = await ctx.db.membership.findFirst({
      where: { teamId: ctx.teamId, user: { email: input.email } },
    });
    if (alreadyMember) {
      throw new AppError("conflict", "That person is already a member.", {
        fields: { email: `${input.email} is already a member of this team.` },
      });
    }
    const { token, tokenHash, expiresAt } = newInviteToken();
    const invite = await inTeamTransaction(ctx, async (tx) => {
      const invite = await tx.invite.create({
        data: { teamId: ctx.teamId, email: input.email, role: input.role, tokenHash, expiresAt, invitedById: ctx.userId },
      });
      await recordTeamAudit(tx, ctx, {
        action: "member.invite",
        targetType: "invite",
        targetId: invite.id,
        targetLabel: input.email,
        metadata: { role: input.role, expiresAt: expiresAt.toISOString() },
      });
      return invite;
    });
    return { id: invite.id, email: invite.email, role: invite.role, expiresAt, token };
  },
});

export const listPendingInvites = defineOperation({
  name: "members.list_invites",
  permission: "read",
  input: z.object({}).optional(),
  async run(ctx) {
    return ctx.db.invite.findMany({
      where: { teamId: ctx.teamId, acceptedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
      orderBy: { createdAt: "desc" },
    });
  },
});

export const revokeInvite = defineOperation({
  name: "members.revoke_invite",
  permission: "admin",
  input: revokeInviteSchema,
  async run(ctx, input) {
    return inTeamTransaction(ctx, async (tx) => {
      const invite = await findOr404(
        tx.invite.findFirst({ where: { id: input.inviteId, teamId: ctx.teamId, acceptedAt: null } }),
        "That invite does not exist or was already used.",
      );
      await tx.invite.delete({ where: { id: invite.id } });
      await recordTeamAudit(tx, ctx, {
        action: "member.invite_revoke",
        targetType: "invite",
        targetId: invite.id,
        targetLabel: invite.email,
      });
      return { id: invite.id };
    });
  },
});
