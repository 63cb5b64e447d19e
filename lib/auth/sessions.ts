import type { Db } from "@/lib/db/client";
import type { SignInMethod } from "./sign-in-method";
import { hashToken, randomToken } from "./tokens";

/**
 * Server-side sessions: one `Session` row per signed-in browser. A browser proves which row is
 * its own with either next-auth's JWT cookie (which carries only the row's id, lib/auth/next-auth)
 * or, for sessions started before next-auth, the `portcullis_session` cookie (a random token whose
 * keyed hash is the row's `tokenHash`). Deleting the row signs that browser out on its next request.
 */
export const SESSION_COOKIE = "portcullis_session";
export const SESSION_DAYS = 14;
export const SESSION_MAX_AGE_SECONDS = SESSION_DAYS * 24 * 3600;
const PURPOSE = "session";

export interface SessionOrigin {
  userId: string;
  activeTeamId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** How it signed in; unset for sessions made outside a sign-in (tests, older code paths). */
  signInMethod?: SignInMethod | null;
}

const sessionExpiry = () => new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
const clip = (ua: string | null | undefined) => (ua ? ua.slice(0, 512) : null);

/**
 * Starts a session and returns its row id (what next-auth's JWT carries). The row still gets a
 * random, unused token hash: the column is unique and predates next-auth.
 */
export async function startServerSession(db: Db, opts: SessionOrigin): Promise<{ id: string; expiresAt: Date }> {
  const expiresAt = sessionExpiry();
  const row = await db.session.create({
    data: {
      tokenHash: hashToken(randomToken(), PURPOSE),
      userId: opts.userId,
      activeTeamId: opts.activeTeamId ?? null,
      expiresAt,
      ip: opts.ip ?? null,
      userAgent: clip(opts.userAgent),
      signInMethod: opts.signInMethod ?? null,
    },
    select: { id: true },
  });
  return { id: row.id, expiresAt };
}

/** Creates a session the way the portal did before next-auth, and returns the cookie value (the only copy of the token). */
export async function createSession(db: Db, opts: SessionOrigin) {
  const token = randomToken();
  const expiresAt = sessionExpiry();
  await db.session.create({
    data: {
      tokenHash: hashToken(token, PURPOSE),
      userId: opts.userId,
      activeTeamId: opts.activeTeamId ?? null,
      expiresAt,
      ip: opts.ip ?? null,
      userAgent: clip(opts.userAgent),
      signInMethod: opts.signInMethod ?? null,
    },
  });
  return { token, expiresAt };
}

const withUser = { user: { select: { id: true, email: true, name: true } } } as const;

/** A found row, unless it has expired (then it is deleted). */
async function live<T extends { id: string; expiresAt: Date }>(db: Db, session: T | null): Promise<T | null> {
  if (!session) return null;
  if (session.expiresAt.getTime() <= Date.now()) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  return session;
}

/** The live session for a `portcullis_session` cookie value, with its user, or null. */
export async function findSession(db: Db, token: string | undefined) {
  if (!token || token.length > 200) return null;
  return live(db, await db.session.findUnique({ where: { tokenHash: hashToken(token, PURPOSE) }, include: withUser }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The live session with this row id (from next-auth's JWT), with its user, or null. */
export async function findSessionById(db: Db, id: string | undefined) {
  if (!id || !UUID.test(id)) return null;
  return live(db, await db.session.findUnique({ where: { id }, include: withUser }));
}

export type LiveSession = NonNullable<Awaited<ReturnType<typeof findSessionById>>>;

/** How stale `lastUsedAt` may get: it is written at most once a minute per session. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Records a use of the session, unless one was recorded within the last minute (one conditional UPDATE). */
export async function touchSession(db: Db, session: { id: string; lastUsedAt: Date }, now = new Date()) {
  if (now.getTime() - session.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  await db.session.updateMany({
    where: { id: session.id, lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } },
    data: { lastUsedAt: now },
  });
}

export async function deleteSession(db: Db, token: string | undefined) {
  if (!token) return;
  await db.session.deleteMany({ where: { tokenHash: hashToken(token, PURPOSE) } });
}

export async function deleteSessionById(db: Db, id: string | undefined) {
  if (!id || !UUID.test(id)) return;
  await db.session.deleteMany({ where: { id } });
}

export async function setActiveTeam(db: Db, sessionId: string, teamId: string) {
  await db.session.update({ where: { id: sessionId }, data: { activeTeamId: teamId } });
}
