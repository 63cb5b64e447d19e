import type { Db } from "@/lib/db/client";
import { SESSION_COOKIE, findSession, findSessionById, touchSession, type LiveSession } from "./sessions";
import { sessionIdFromJwtCookie, type CookieReader } from "./next-auth/session-cookie";
import { resolveTeamContext, type TeamContext } from "./context";
import { mustEnrolTwoFactor } from "./two-factor/team-policy";

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

/** What a session may reach: its team (the active one, else the person's first), or why not. */
export type TeamAccess = { ctx: TeamContext } | { blocked: "no_team" | "two_factor_enrolment" };

export async function teamAccessOfSession(db: Db, session: LiveSession, ip: string | null): Promise<TeamAccess> {
  const ctx = await resolveTeamContext(db, { userId: session.user.id, email: session.user.email, teamId: session.activeTeamId, ip, sessionId: session.id });
  if (!ctx) return { blocked: "no_team" };
  // A team that requires two-factor authentication is out of reach until the member has it on.
  if (await mustEnrolTwoFactor(db, ctx.userId, ctx.teamId)) return { blocked: "two_factor_enrolment" };
  return { ctx };
}

/** The team context of a resolved session, or null (in no team, or the team requires two-factor authentication first). */
export async function teamContextOfSession(db: Db, session: LiveSession, ip: string | null): Promise<TeamContext | null> {
  const access = await teamAccessOfSession(db, session, ip);
  return "ctx" in access ? access.ctx : null;
}
