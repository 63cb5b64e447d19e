import type { Db } from "@/lib/db/client";
import { SESSION_COOKIE, deleteSession, deleteSessionById } from "./sessions";
import { JWT_COOKIE, SECURE_JWT_COOKIE, sessionIdFromJwtCookie, type CookieReader } from "./next-auth/session-cookie";

interface CookieJar extends CookieReader {
  delete(cookie: { name: string; path: string; secure: boolean }): unknown;
}

/** Signing out: the browser's Session row is deleted (whichever cookie names it) and its session cookies cleared. */
export async function endCurrentSession(db: Db, jar: CookieJar): Promise<void> {
  await deleteSessionById(db, (await sessionIdFromJwtCookie(jar)) ?? undefined);
  await deleteSession(db, jar.get(SESSION_COOKIE)?.value);
  // A `__Secure-` cookie is only replaced by a Set-Cookie that is Secure too.
  for (const name of [JWT_COOKIE, SECURE_JWT_COOKIE, SESSION_COOKIE]) if (jar.get(name)) jar.delete({ name, path: "/", secure: name === SECURE_JWT_COOKIE });
}
