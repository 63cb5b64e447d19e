import type { Db } from "@/lib/db/client";
import { SESSION_COOKIE, findSession, findSessionById, touchSession, type LiveSession } from "./sessions";
import { sessionIdFromJwtCookie, type CookieReader } from "./next-auth/session-cookie";
import { resolveTeamContext, type TeamContext } from "./context";

/**
 * The session a request's cookies name, resolved against the `Session` table on every request:
 * next-auth's JWT (which carries the row's id), else a `portcullis_session` cookie from before
 * next-auth (the keyed hash of its token). A missing or expired row is no session, so ending a
 * session takes effect on that browser's next request. Records the use (at most once a minute).
 */
export async function sessionFromCookies(db: Db, cookies: CookieReader): Promise<LiveSession | null> {
  const sid = await sessionIdFromJwtCookie(cookies);
  const session = sid ? await findSessionById(db, sid) : await findSession(db, cookies.get(SESSION_COOKIE)?.value);
  if (session) await touchSession(db, session);
  return session;
}

/** The team context of a resolved session (its active team, else the person's first), or null when they are in no team. */
export function teamContextOfSession(db: Db, session: LiveSession, ip: string | null): Promise<TeamContext | null> {
  return resolveTeamContext(db, { userId: session.user.id, email: session.user.email, teamId: session.activeTeamId, ip, sessionId: session.id });
}
