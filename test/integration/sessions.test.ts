import { describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import { sessionFromCookies, teamContextOfSession } from "@/lib/auth/current-session";
import { endMemberSessions, endOwnSession, listOwnSessions } from "@/lib/auth/session-operations";
import { LAST_USED_RESOLUTION_MS, touchSession } from "@/lib/auth/sessions";
import { invoke } from "@/lib/server/operation";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { memberContext } from "@/test/support/factories";
import { AuthBrowser } from "@/test/support/next-auth-client";

/** The sessions page and the admin's "end sessions": which sessions a person sees and ends, and what it audits. */
const t = setupTestDatabase({ processDb: true });
const PASSWORD = "correct horse battery staple";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

async function account(opts: { role?: "admin" | "developer"; teamId?: string } = {}) {
  const ctx = await memberContext(t.db, opts);
  await t.db.user.update({ where: { id: ctx.userId }, data: { passwordHash: await hashPassword(PASSWORD) } });
  return ctx;
}

/** Signs in from a browser; the team context of its next request (with its session id). */
async function signedIn(email: string, headers?: Record<string, string>) {
  const browser = new AuthBrowser(headers);
  expect(await browser.signIn({ email, password: PASSWORD })).toBeNull();
  const session = (await sessionFromCookies(t.db, browser.jar()))!;
  return { browser, ctx: (await teamContextOfSession(t.db, session, "203.0.113.5"))! };
}

describe("your sessions", () => {
  it("lists each signed-in browser in plain words with its address, the current one marked; ending one signs only that browser out, audited", async () => {
    const admin = await account();
    const mac = await signedIn(admin.email);
    const linux = await signedIn(admin.email, { "user-agent": FIREFOX, "x-forwarded-for": "192.0.2.44" });
    const list = await invoke(listOwnSessions, mac.ctx, {});
    expect(list.map((s) => [s.device, s.ip, s.current, s.signedInWith]).sort()).toEqual([
      ["Chrome on macOS", "198.51.100.7", true, "password"],
      ["Firefox on Linux", "192.0.2.44", false, "password"],
    ]);
    const other = list.find((s) => !s.current)!;
    await invoke(endOwnSession, mac.ctx, { sessionId: other.id });
    expect(await sessionFromCookies(t.db, linux.browser.jar())).toBeNull();
    expect(await sessionFromCookies(t.db, mac.browser.jar())).not.toBeNull();
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { teamId: admin.teamId, action: "session.ended" } });
    expect(event).toMatchObject({ actorId: admin.userId, targetId: other.id, targetLabel: "Firefox on Linux" });
  });

  it("can't end another person's session (it reads as missing), and bad input is a 422", async () => {
    const admin = await account();
    const member = await account({ role: "developer", teamId: admin.teamId });
    const theirs = await signedIn(member.email);
    const mine = await signedIn(admin.email);
    expect((await errorOf(invoke(endOwnSession, mine.ctx, { sessionId: theirs.ctx.sessionId }))).code).toBe("not_found");
    expect((await errorOf(invoke(endOwnSession, mine.ctx, { sessionId: "nope" }))).code).toBe("validation_failed");
    expect(await sessionFromCookies(t.db, theirs.browser.jar())).not.toBeNull();
  });

  it("records the last use at most once a minute", async () => {
    const admin = await account();
    const { ctx } = await signedIn(admin.email);
    const row = await t.db.session.findUniqueOrThrow({ where: { id: ctx.sessionId } });
    const soon = new Date(row.lastUsedAt.getTime() + LAST_USED_RESOLUTION_MS - 1000);
    await touchSession(t.db, row, soon);
    expect((await t.db.session.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).toEqual(row.lastUsedAt);
    const later = new Date(row.lastUsedAt.getTime() + LAST_USED_RESOLUTION_MS + 1000);
    await touchSession(t.db, row, later);
    expect((await t.db.session.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).toEqual(later);
  });
});

describe("an admin ends a member's sessions", () => {
  it("signs the member out of every browser on their next request, audited; a developer may not, another team's member is not found", async () => {
    const admin = await account();
    const member = await account({ role: "developer", teamId: admin.teamId });
    const one = await signedIn(member.email);
    const two = await signedIn(member.email);
    const membership = await t.db.membership.findFirstOrThrow({ where: { userId: member.userId, teamId: admin.teamId } });
    expect((await errorOf(invoke(endMemberSessions, one.ctx, { membershipId: membership.id }))).code).toBe("forbidden");
    const outsider = await account();
    expect((await errorOf(invoke(endMemberSessions, outsider, { membershipId: membership.id }))).code).toBe("not_found");
    expect(await invoke(endMemberSessions, admin, { membershipId: membership.id })).toEqual({ ended: 2 });
    expect(await sessionFromCookies(t.db, one.browser.jar())).toBeNull();
    expect(await sessionFromCookies(t.db, two.browser.jar())).toBeNull();
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { teamId: admin.teamId, action: "member.sessions_ended" } });
    expect(event).toMatchObject({ actorId: admin.userId, targetId: member.userId, targetLabel: member.email, metadata: { sessions: 2 } });
  });
});
