import type { Db, Tx } from "@/lib/db/client";
import { hashToken, randomToken } from "@/lib/auth/tokens";
import { recordAudit, type AuditActor } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";

const INVITE_DAYS = 7;
const PURPOSE = "invite";

export function newInviteToken() {
  const token = randomToken();
  return { token, tokenHash: hashToken(token, PURPOSE), expiresAt: new Date(Date.now() + INVITE_DAYS * 86400_000) };
}

/** An invite that can still be accepted, with its team's name, or null. */
export async function findUsableInvite(db: Db | Tx, token: string) {
  if (!token || token.length > 200) return null;
  const invite = await db.invite.findUnique({
    where: { tokenHash: hashToken(token, PURPOSE) },
    include: { team: { select: { name: true } } },
  });
  if (!invite || invite.acceptedAt || invite.expiresAt.getTime() <= Date.now()) return null;
  return invite;
}

type UsableInvite = NonNullable<Awaited<ReturnType<typeof findUsableInvite>>>;

/**
 * Marks the invite used (single use, guarded against a concurrent accept) and adds the member.
 * An existing member keeps their current role.
 */
export async function acceptInviteInTx(tx: Tx, invite: UsableInvite, userId: string, actor: AuditActor): Promise<string> {
  const claimed = await tx.invite.updateMany({
    where: { id: invite.id, acceptedAt: null, expiresAt: { gt: new Date() } },
    data: { acceptedAt: new Date() },
  });
  if (claimed.count !== 1) throw new AppError("conflict", "This invite link has already been used.");
  const existing = await tx.membership.findUnique({ where: { teamId_userId: { teamId: invite.teamId, userId } } });
  if (!existing) {
    await tx.membership.create({ data: { teamId: invite.teamId, userId, role: invite.role } });
    await recordAudit(tx, invite.teamId, actor, {
      action: "member.join",
      targetType: "user",
      targetId: userId,
      targetLabel: actor.email ?? undefined,
      metadata: { role: invite.role, inviteId: invite.id },
    });
  }
  return invite.teamId;
}

/** Accepts an invite for a signed-in user whose email matches it. Returns the team id. */
export async function acceptInvite(db: Db, token: string, user: { userId: string; email: string }, ip: string | null) {
  const invite = await findUsableInvite(db, token);
  if (!invite) throw new AppError("not_found", "This invite link is invalid, expired or already used.");
  if (invite.email !== user.email) {
    throw new AppError("forbidden", `This invite was sent to ${invite.email}. Sign in with that address to accept it.`);
  }
  return db.$transaction((tx) => acceptInviteInTx(tx, invite, user.userId, { userId: user.userId, email: user.email, ip }));
}
