import { describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import { sessionFromCookies, teamAccessOfSession } from "@/lib/auth/current-session";
import { confirmEnrolment, disableTwoFactor, startEnrolment, type Person } from "@/lib/auth/two-factor/enrolment";
import { resetMemberTwoFactor, setTwoFactorRequirement } from "@/lib/auth/two-factor/team-policy";
import { base32Decode, totp } from "@/lib/auth/two-factor/totp";
import { TWO_FACTOR_REQUIRED } from "@/lib/auth/sign-in-error";
import { USE_A_TOKEN, verifyCredentials } from "@/lib/accounts/sign-in";
import { loginPolicy } from "@/lib/auth/rate-limit";
import { invoke } from "@/lib/server/operation";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { memberContext } from "@/test/support/factories";
import { AuthBrowser } from "@/test/support/next-auth-client";

/**
 * Two-factor authentication end to end through next-auth's Credentials provider: enrolment with a
 * sealed secret, codes good once, recovery codes good once, the sign-in limits over code guesses,
 * and a team's requirement.
 */
const t = setupTestDatabase({ processDb: true });
const PASSWORD = "correct horse battery staple";

async function account(opts: { role?: "admin" | "developer"; teamId?: string } = {}) {
  const ctx = await memberContext(t.db, opts);
  await t.db.user.update({ where: { id: ctx.userId }, data: { passwordHash: await hashPassword(PASSWORD) } });
  return ctx;
}

const personOf = (ctx: { userId: string; email: string; teamId: string }): Person => ({ userId: ctx.userId, email: ctx.email, teamId: ctx.teamId, ip: "203.0.113.9" });

/** Turns two-factor authentication on with a code of the previous step (so the current one is still unused); the secret and recovery codes. */
async function enrol(ctx: { userId: string; email: string; teamId: string }) {
  const { secret, uri } = await startEnrolment(t.db, personOf(ctx));
  const key = base32Decode(secret);
  const now = Date.now();
  const { recoveryCodes } = await confirmEnrolment(t.db, personOf(ctx), totp(key, now - 30_000), now);
  return { key, secret, uri, recoveryCodes };
}

describe("enrolment", () => {
  it("keeps the secret sealed and the recovery codes hashed, turns on only with a right code, and is audited", async () => {
    const admin = await account();
    const { secret } = await startEnrolment(t.db, personOf(admin));
    const row = await t.db.twoFactor.findUniqueOrThrow({ where: { userId: admin.userId } });
    expect(row.enabledAt).toBeNull();
    const stored = JSON.stringify(row.sealedSecret);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(base32Decode(secret).toString("base64"));
    expect((await errorOf(confirmEnrolment(t.db, personOf(admin), "000000"))).code).toBe("validation_failed");
    const { recoveryCodes } = await confirmEnrolment(t.db, personOf(admin), totp(base32Decode(secret), Date.now()));
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const hashes = await t.db.twoFactorRecoveryCode.findMany({ where: { userId: admin.userId } });
    expect(hashes.map((h) => h.codeHash).join(" ")).not.toContain(recoveryCodes[0]!.replace("-", ""));
    expect((await t.db.twoFactor.findUniqueOrThrow({ where: { userId: admin.userId } })).enabledAt).not.toBeNull();
    expect(await t.db.auditEvent.count({ where: { teamId: admin.teamId, action: "user.two_factor_enable", actorId: admin.userId } })).toBe(1);
    expect((await errorOf(startEnrolment(t.db, personOf(admin)))).code).toBe("conflict");
  });
});

describe("signing in with a second factor", () => {
  it("asks for the code after a right password, accepts it once, and refuses it replayed", async () => {
    const admin = await account();
    const { key } = await enrol(admin);
    const browser = new AuthBrowser();
    expect(await browser.signIn({ email: admin.email, password: PASSWORD })).toMatchObject({ code: TWO_FACTOR_REQUIRED });
    expect(await browser.signIn({ email: admin.email, password: "wrong", code: totp(key, Date.now()) })).toMatchObject({ code: "unauthenticated", message: "Email or password is incorrect." });
    const code = totp(key, Date.now());
    expect(await browser.signIn({ email: admin.email, password: PASSWORD, code })).toBeNull();
    expect(await sessionFromCookies(t.db, browser.jar())).not.toBeNull();
    const replay = await new AuthBrowser().signIn({ email: admin.email, password: PASSWORD, code });
    expect(replay).toMatchObject({ code: "unauthenticated", fields: { code: expect.stringContaining("already used") } });
  });

  it("accepts each recovery code once, typed with or without its dash", async () => {
    const admin = await account();
    const { recoveryCodes } = await enrol(admin);
    const [first, second] = recoveryCodes;
    expect(await new AuthBrowser().signIn({ email: admin.email, password: PASSWORD, code: first! })).toBeNull();
    expect((await new AuthBrowser().signIn({ email: admin.email, password: PASSWORD, code: first! }))?.code).toBe("unauthenticated");
    expect(await new AuthBrowser().signIn({ email: admin.email, password: PASSWORD, code: second!.replace("-", "").toUpperCase() })).toBeNull();
    expect(await t.db.twoFactorRecoveryCode.count({ where: { userId: admin.userId, usedAt: null } })).toBe(8);
  });

  it("counts code guesses against the sign-in limits: after the limit even the right code is refused", async () => {
    const admin = await account();
    const { key } = await enrol(admin);
    const browser = new AuthBrowser({ "x-forwarded-for": "198.51.100.77" });
    // The password step counts too: a right password alone must not clear the count.
    expect((await browser.signIn({ email: admin.email, password: PASSWORD }))?.code).toBe(TWO_FACTOR_REQUIRED);
    for (let i = 1; i < loginPolicy.accountAtAddress; i++) expect((await browser.signIn({ email: admin.email, password: PASSWORD, code: "000000" }))?.code).toBe("unauthenticated");
    expect((await browser.signIn({ email: admin.email, password: PASSWORD, code: totp(key, Date.now()) }))?.code).toBe("rate_limited");
  });

  it("refuses a password-only login (docker login) of the account, and turning it off needs a code", async () => {
    const admin = await account();
    const { key } = await enrol(admin);
    expect(await errorOf(verifyCredentials(t.db, { email: admin.email, password: PASSWORD }, null))).toMatchObject({ code: "unauthenticated", message: USE_A_TOKEN });
    expect((await errorOf(disableTwoFactor(t.db, personOf(admin), "123456"))).code).toBe("validation_failed");
    await disableTwoFactor(t.db, personOf(admin), totp(key, Date.now()));
    expect(await new AuthBrowser().signIn({ email: admin.email, password: PASSWORD })).toBeNull();
    expect(await t.db.auditEvent.count({ where: { teamId: admin.teamId, action: "user.two_factor_disable" } })).toBe(1);
  });
});

describe("a team that requires two-factor authentication", () => {
  it("keeps a member without it out of the team until they set it up; the setting is the admin's and audited", async () => {
    const admin = await account();
    const member = await account({ role: "developer", teamId: admin.teamId });
    expect((await errorOf(invoke(setTwoFactorRequirement, member, { required: "true" }))).code).toBe("forbidden");
    expect((await errorOf(invoke(setTwoFactorRequirement, admin, { required: "maybe" }))).code).toBe("validation_failed");
    // The admin can't require what they don't have: it would lock them out.
    expect((await errorOf(invoke(setTwoFactorRequirement, admin, { required: "true" }))).code).toBe("conflict");
    await enrol(admin);
    await invoke(setTwoFactorRequirement, admin, { required: "true" });
    expect(await t.db.auditEvent.findFirst({ where: { teamId: admin.teamId, action: "team.two_factor_requirement" } })).toMatchObject({ metadata: { required: true } });

    const browser = new AuthBrowser();
    expect(await browser.signIn({ email: member.email, password: PASSWORD })).toBeNull();
    const session = (await sessionFromCookies(t.db, browser.jar()))!;
    expect(await teamAccessOfSession(t.db, session, null)).toEqual({ blocked: "two_factor_enrolment" });
    await enrol(member);
    expect(await teamAccessOfSession(t.db, session, null)).toMatchObject({ ctx: { userId: member.userId, teamId: admin.teamId } });
  });

  it("an admin resets a member's two-factor authentication (audited): the member signs in with the password alone", async () => {
    const admin = await account();
    const member = await account({ role: "developer", teamId: admin.teamId });
    await enrol(member);
    const membership = await t.db.membership.findFirstOrThrow({ where: { userId: member.userId, teamId: admin.teamId } });
    expect((await errorOf(invoke(resetMemberTwoFactor, member, { membershipId: membership.id }))).code).toBe("forbidden");
    const outsider = await account();
    expect((await errorOf(invoke(resetMemberTwoFactor, outsider, { membershipId: membership.id }))).code).toBe("not_found");
    expect(await invoke(resetMemberTwoFactor, admin, { membershipId: membership.id })).toEqual({ reset: true });
    expect(await new AuthBrowser().signIn({ email: member.email, password: PASSWORD })).toBeNull();
    expect(await t.db.twoFactorRecoveryCode.count({ where: { userId: member.userId } })).toBe(0);
    expect(await t.db.auditEvent.findFirst({ where: { teamId: admin.teamId, action: "member.two_factor_reset" } })).toMatchObject({ actorId: admin.userId, targetId: member.userId });
  });
});
