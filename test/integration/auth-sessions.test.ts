import { describe, expect, it } from "vitest";
import { decode } from "next-auth/jwt";
import { hashPassword } from "@/lib/auth/password";
import { authSecret } from "@/lib/auth/secret";
import { createSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { sessionFromCookies, teamContextOfSession } from "@/lib/auth/current-session";
import { JWT_COOKIE } from "@/lib/auth/next-auth/session-cookie";
import { BAD_CREDENTIALS } from "@/lib/accounts/sign-in";
import { loginPolicy } from "@/lib/auth/rate-limit";
import { invoke } from "@/lib/server/operation";
import { changeMemberRole, removeMember } from "@/lib/teams/members";
import { setupTestDatabase } from "@/test/support/db";
import { memberContext, uniqueEmail } from "@/test/support/factories";
import { AuthBrowser } from "@/test/support/next-auth-client";

/**
 * Signing in through next-auth (its CSRF check, its Credentials callback, its JWT cookie) against
 * server-side sessions: the JWT names a Session row, and every request resolves that row, so
 * signing out, ending a session, removing a member or changing a role takes effect on the next
 * request.
 */
const t = setupTestDatabase({ processDb: true });
const PASSWORD = "correct horse battery staple";

async function account(opts: { role?: "admin" | "developer" | "read_only"; teamId?: string } = {}) {
  const ctx = await memberContext(t.db, opts);
  await t.db.user.update({ where: { id: ctx.userId }, data: { passwordHash: await hashPassword(PASSWORD) } });
  return ctx;
}

/** What the portal sees for this browser's next request: its session and team context, or null. */
async function nextRequest(browser: AuthBrowser) {
  const session = await sessionFromCookies(t.db, browser.jar());
  return session ? { session, ctx: await teamContextOfSession(t.db, session, null) } : null;
}

describe("signing in with next-auth", () => {
  it("sets a JWT cookie that carries only the id of a new Session row, with the device and address", async () => {
    const admin = await account();
    const browser = new AuthBrowser();
    expect(await browser.signIn({ email: admin.email, password: PASSWORD })).toBeNull();
    const jwt = await decode({ token: browser.cookies.get(JWT_COOKIE)!, secret: authSecret() });
    const row = await t.db.session.findFirstOrThrow({ where: { userId: admin.userId } });
    expect(Object.keys(jwt!).filter((k) => !["iat", "exp", "jti"].includes(k))).toEqual(["sid"]);
    expect(jwt!.sid).toBe(row.id);
    expect(row.userAgent).toContain("Chrome/131");
    expect(row.ip).toBe("198.51.100.7");
    const seen = await nextRequest(browser);
    expect(seen?.ctx).toMatchObject({ userId: admin.userId, teamId: admin.teamId, role: "admin", sessionId: row.id });
  });

  it("refuses a sign-in without next-auth's CSRF token, and a wrong password with the usual message", async () => {
    const admin = await account();
    const browser = new AuthBrowser();
    await browser.csrfToken();
    expect(await browser.signIn({ email: admin.email, password: PASSWORD }, "not-the-token")).toMatchObject({ code: "csrf" });
    expect(browser.cookies.has(JWT_COOKIE)).toBe(false);
    expect(await t.db.session.count({ where: { userId: admin.userId } })).toBe(0);
    expect(await browser.signIn({ email: admin.email, password: "wrong password" })).toMatchObject({ code: "unauthenticated", message: BAD_CREDENTIALS });
    expect(await browser.signIn({ email: "not an email", password: "x" })).toMatchObject({ code: "validation_failed", fields: { email: "Enter a valid email address." } });
  });

  it("keeps the sign-in limits: after the limit even the right password is refused, with a retry time", async () => {
    const admin = await account();
    const browser = new AuthBrowser({ "x-forwarded-for": "198.51.100.99" });
    for (let i = 0; i < loginPolicy.accountAtAddress; i++) expect((await browser.signIn({ email: admin.email, password: `guess ${i}` }))?.code).toBe("unauthenticated");
    const refused = await browser.signIn({ email: admin.email, password: PASSWORD });
    expect(refused?.code).toBe("rate_limited");
    expect(refused?.message).toMatch(/Try again in \d+ minutes/);
    expect(browser.cookies.has(JWT_COOKIE)).toBe(false);
  });
});

describe("a session ends on the next request", () => {
  it("after signing out (next-auth's sign-out deletes the row; an old copy of the cookie is worthless)", async () => {
    const admin = await account();
    const browser = new AuthBrowser();
    await browser.signIn({ email: admin.email, password: PASSWORD });
    const copy = new Map(browser.cookies);
    await browser.signOut();
    expect(browser.cookies.has(JWT_COOKIE)).toBe(false);
    expect(await t.db.session.count({ where: { userId: admin.userId } })).toBe(0);
    browser.cookies.clear();
    for (const [k, v] of copy) browser.cookies.set(k, v);
    expect(await nextRequest(browser)).toBeNull();
  });

  it("after its row is deleted (ended from the sessions page) or has expired", async () => {
    const admin = await account();
    const a = new AuthBrowser();
    const b = new AuthBrowser();
    await a.signIn({ email: admin.email, password: PASSWORD });
    await b.signIn({ email: admin.email, password: PASSWORD });
    const [rowA] = await t.db.session.findMany({ where: { userId: admin.userId }, orderBy: { createdAt: "asc" } });
    await t.db.session.delete({ where: { id: rowA!.id } });
    expect(await nextRequest(a)).toBeNull();
    expect(await nextRequest(b)).not.toBeNull();
    await t.db.session.updateMany({ where: { userId: admin.userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await nextRequest(b)).toBeNull();
  });

  it("after the member is removed from the team, and after a role change", async () => {
    const admin = await account();
    const member = await account({ role: "developer", teamId: admin.teamId });
    const browser = new AuthBrowser();
    await browser.signIn({ email: member.email, password: PASSWORD });
    expect((await nextRequest(browser))?.ctx?.role).toBe("developer");
    const membership = await t.db.membership.findFirstOrThrow({ where: { userId: member.userId, teamId: admin.teamId } });
    await invoke(changeMemberRole, admin, { membershipId: membership.id, role: "read_only" });
    expect((await nextRequest(browser))?.ctx?.role).toBe("read_only");
    await invoke(removeMember, admin, { membershipId: membership.id });
    const after = await nextRequest(browser);
    // Still signed in (their own account), but no longer in the team: in no team at all here.
    expect(after?.ctx ?? null).toBeNull();
  });
});

describe("upgrading from the portal's own sessions", () => {
  it("a portcullis_session cookie made before next-auth still signs in, against the same Session table, and signing out ends it", async () => {
    const admin = await account();
    const { token } = await createSession(t.db, { userId: admin.userId, activeTeamId: admin.teamId });
    const browser = new AuthBrowser();
    browser.cookies.set(SESSION_COOKIE, token);
    expect((await nextRequest(browser))?.ctx).toMatchObject({ userId: admin.userId, teamId: admin.teamId });
    const { endCurrentSession } = await import("@/lib/auth/sign-out");
    const deleted: string[] = [];
    await endCurrentSession(t.db, { ...browser.jar(), delete: (c) => deleted.push(c.name) });
    expect(deleted).toEqual([SESSION_COOKIE]);
    expect(await nextRequest(browser)).toBeNull();
  });

  it("an account made before next-auth signs in with its password", async () => {
    const email = uniqueEmail("before");
    await t.db.user.create({ data: { email, passwordHash: await hashPassword(PASSWORD) } });
    expect(await new AuthBrowser().signIn({ email, password: PASSWORD })).toBeNull();
  });
});
