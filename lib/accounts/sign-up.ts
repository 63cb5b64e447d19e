import type { Db } from "@/lib/db/client";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { hashPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit/record";
import type { SignUpInput } from "@/lib/accounts/schemas";
import { acceptInviteInTx, findUsableInvite } from "@/lib/teams/invites";
import { createTeamInTx } from "@/lib/teams/create-team";

interface SignedUp {
  userId: string;
  email: string;
  teamId: string;
}

/**
 * Creates a user and, in the same transaction, either a new team (the user is its admin) or the
 * membership an invite offers. A failure leaves nothing behind: no user without a team.
 *
 * Open sign-up (no invite) must not tell whether an email already has an account. So when it
 * has one, this creates nothing and returns null, after the same work (the password is hashed
 * either way), and the caller answers exactly as for a new account without signing anyone in:
 * both continue at the sign-in form. With mail delivery, that case would instead send the
 * address's owner a note ("someone tried to create an account with your address; sign in or
 * reset your password"), and a new account would be confirmed by a link before its first
 * sign-in, so the address could not be claimed by someone else either.
 *
 * Through an invite the link is the proof of the address (it was mailed there), so that path
 * returns the new account for the caller to sign in, and says plainly when the address already
 * has an account (the invitee should sign in to accept instead).
 */
export async function signUp(db: Db, input: SignUpInput & { teamName: string }, ip: string | null): Promise<SignedUp | null> {
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
        teamId = (await createTeamInTx(tx, actor, input.teamName)).id;
      }
      await recordAudit(tx, teamId, actor, { action: "user.sign_up", targetType: "user", targetId: user.id, targetLabel: user.email });
      return { userId: user.id, email: user.email, teamId };
    });
  } catch (e) {
    if (isUniqueViolation(e) && !invite) return null;
    if (isUniqueViolation(e)) {
      throw new AppError("conflict", "An account with this email already exists.", {
        fields: { email: "An account with this email already exists. Sign in instead." },
      });
    }
    throw e;
  }
}
