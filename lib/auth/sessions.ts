import type { Db } from "@/lib/db/client";
import { hashToken, randomToken } from "./tokens";

export const SESSION_COOKIE = "portcullis_session";
const SESSION_DAYS = 14;
const PURPOSE = "session";

/** Creates a session and returns the cookie value (the only copy of the token). */
export async function createSession(db: Db, opts: { userId: string; activeTeamId?: string | null; ip?: string | null }) {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000);
  await db.session.create({
    data: {
      tokenHash: hashToken(token, PURPOSE),
      userId: opts.userId,
      activeTeamId: opts.activeTeamId ?? null,
      expiresAt,
      ip: opts.ip ?? null,
    },
  });
  return { token, expiresAt };
}

/** The live session for a cookie value, with its user, or null. Expired sessions are deleted. */
export async function findSession(db: Db, token: string | undefined) {
  if (!token || token.length > 200) return null;
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(token, PURPOSE) },
    include: { user: { select: { id: true, email: true, name: true } } },
  });
  if (!session) return null;
  if (session.expiresAt.getTime() <= Date.now()) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  return session;
}

export async function deleteSession(db: Db, token: string | undefined) {
  if (!token) return;
  await db.session.deleteMany({ where: { tokenHash: hashToken(token, PURPOSE) } });
}

export async function setActiveTeam(db: Db, sessionId: string, teamId: string) {
  await db.session.update({ where: { id: sessionId }, data: { activeTeamId: teamId } });
}
