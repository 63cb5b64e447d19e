import type { Db } from "@/lib/db/client";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { hashPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit/record";
import type { SignUpInput } from "@/lib/validations/auth";
import { acceptInviteInTx, findUsableInvite } from "@/lib/teams/invites";

/**
 * Creates a user and, in the same transaction, either a new team (the user is its admin) or the
 * membership an invite offers. A failure leaves nothing behind: no user without a team.
 */
export async function signUp(db: Db, input: SignUpInput & { teamName: string }, ip: string | null) {
  const passwordHash = await hashPassword(input.password);
  const invite = input.inviteToken ? await findUsableInvite(db, input.inviteToken) : null;
  if (input.inviteToken && !invite) {
    throw new AppError("not_found", "This invite link is invalid, expired or already used.");
  }
  if (invite && invite.email !== input.email) {
    throw new AppError("validation_failed", "This invite was sent to another email address.", {
      fields: { email: `Sign up with ${invite.email}, the address the invite was sent to.` },
    });
  }
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: input.email, passwordHash } });
      const actor = { userId: user.id, email: user.email, ip };
      let teamId: string;
      if (invite) {
        teamId = await acceptInviteInTx(tx, invite, user.id, actor);
      } else {
        const team = await tx.team.create({ data: { name: input.teamName } });
        teamId = team.id;
        await tx.membership.create({ data: { teamId, userId: user.id, role: "admin" } });
        await recordAudit(tx, teamId, actor, { action: "team.create", targetType: "team", targetId: teamId, targetLabel: team.name });
      }
      await recordAudit(tx, teamId, actor, { action: "user.sign_up", targetType: "user", targetId: user.id, targetLabel: user.email });
      return { userId: user.id, email: user.email, teamId };
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError("conflict", "An account with this email already exists.", {
        fields: { email: "An account with this email already exists. Sign in instead." },
      });
    }
    throw e;
  }
}
