import { z } from "zod";
import { defineOperation } from "@/lib/server/operation";
import { AppError } from "@/lib/errors";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange } from "@/lib/server/team-change";
import { inviteMemberSchema, revokeInviteSchema } from "@/lib/teams/schemas";
import { newInviteToken } from "./invites";

/** What an invite's audit events name: the invite, by the address it was sent to. */
const inviteTarget = (invite: { id: string; email: string }) => ({ targetType: "invite", targetId: invite.id, targetLabel: invite.email });

/**
 * Creates a single-use, expiring invite and returns its token. The link is shown once to the
 * admin (there is no mail server in the embedded setup); only a keyed hash is stored.
 */
export const inviteMember = defineTeamChange({
  name: "members.invite", permission: "admin", input: inviteMemberSchema,
  async prepare(ctx, input) {
    const alreadyMember = await ctx.db.membership.findFirst({
      where: { teamId: ctx.teamId, user: { email: input.email } },
    });
    if (alreadyMember) {
      throw new AppError("conflict", "That person is already a member.", {
        fields: { email: `${input.email} is already a member of this team.` },
      });
    }
    return newInviteToken();
  },
  async change(tx, ctx, input, { token, tokenHash, expiresAt }) {
    const invite = await tx.invite.create({
      data: { teamId: ctx.teamId, email: input.email, role: input.role, tokenHash, expiresAt, invitedById: ctx.userId },
    });
    return {
      result: { id: invite.id, email: invite.email, role: invite.role, expiresAt, token },
      audit: { action: "member.invite", ...inviteTarget(invite), metadata: { role: input.role, expiresAt: expiresAt.toISOString() } },
    };
  },
});

export const listPendingInvites = defineOperation({
  name: "members.list_invites", permission: "read", input: z.object({}).optional(),
  async run(ctx) {
    return ctx.db.invite.findMany({
      where: { teamId: ctx.teamId, acceptedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
      orderBy: { createdAt: "desc" },
    });
  },
});

export const revokeInvite = defineTeamChange({
  name: "members.revoke_invite", permission: "admin", input: revokeInviteSchema,
  async change(tx, ctx, input) {
    const invite = await findOr404(
      tx.invite.findFirst({ where: { id: input.inviteId, teamId: ctx.teamId, acceptedAt: null } }),
      "That invite does not exist or was already used.",
    );
    await tx.invite.delete({ where: { id: invite.id } });
    return { result: { id: invite.id }, audit: { action: "member.invite_revoke", ...inviteTarget(invite) } };
  },
});
