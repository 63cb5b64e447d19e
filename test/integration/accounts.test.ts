import { describe, expect, it, vi } from "vitest";
import * as passwords from "@/lib/auth/password";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { uniqueEmail } from "@/test/support/factories";
import { signUp } from "@/lib/accounts/sign-up";
import { BAD_CREDENTIALS, verifyCredentials } from "@/lib/accounts/sign-in";
import { loginPolicy } from "@/lib/auth/rate-limit";
import { createSession, deleteSession, findSession } from "@/lib/auth/sessions";

const t = setupTestDatabase();


describe("sign-up", () => {
  it("creates a user, a team with the user as admin, and audit events; stores no plaintext password", async () => {
    const email = uniqueEmail();
    const r = await signUp(t.db, { email, password: "correct horse battery", teamName: "Acme" }, "192.0.2.1");
    const user = await t.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain("correct horse");
    const m = await t.db.membership.findFirstOrThrow({ where: { userId: r!.userId }, include: { team: true } });
    expect(m).toMatchObject({ role: "admin", team: { name: "Acme" } });
    const actions = (await t.db.auditEvent.findMany({ where: { teamId: r!.teamId } })).map((e) => e.action).sort();
    expect(actions).toEqual(["team.create", "user.sign_up"]);
  });

  it("an email that already has an account gets the same answer as a new one, after the same work, and nothing is created or changed", async () => {
    const email = uniqueEmail();
    const first = await signUp(t.db, { email, password: "correct horse battery", teamName: "First" }, null);
    const before = { teams: await t.db.team.count(), users: await t.db.user.count(), audit: await t.db.auditEvent.count() };
    const hashes = vi.spyOn(passwords, "hashPassword");
    const again = await signUp(t.db, { email, password: "another password!", teamName: "Second" }, null);
    expect(hashes).toHaveBeenCalledTimes(1);
    hashes.mockRestore();
    // The caller gets nothing to act on, and answers as for a new account (app/_actions/auth.ts).
    expect(again).toBeNull();
    expect(first).not.toBeNull();
    expect({ teams: await t.db.team.count(), users: await t.db.user.count(), audit: await t.db.auditEvent.count() }).toEqual(before);
    expect((await verifyCredentials(t.db, { email, password: "correct horse battery" }, null)).userId).toBe(first!.userId);
    expect((await errorOf(verifyCredentials(t.db, { email, password: "another password!" }, null))).code).toBe("unauthenticated");
  });
});

describe("sign-in", () => {
  it("accepts the right password and gives one message for a wrong password or an unknown email", async () => {
    const email = uniqueEmail();
    await signUp(t.db, { email, password: "correct horse battery", teamName: "T" }, null);
    expect((await verifyCredentials(t.db, { email, password: "correct horse battery" }, "198.51.100.1")).email).toBe(email);
    const wrong = await errorOf(verifyCredentials(t.db, { email, password: "nope" }, "198.51.100.1"));
    const unknown = await errorOf(verifyCredentials(t.db, { email: uniqueEmail(), password: "nope" }, "198.51.100.1"));
    expect(wrong.message).toBe(BAD_CREDENTIALS);
    expect(unknown.message).toBe(BAD_CREDENTIALS);
    expect(wrong.code).toBe(unknown.code);
  });

  it("slows down repeated failures for one account from one address with a retry time, even with the right password", async () => {
    const email = uniqueEmail();
    await signUp(t.db, { email, password: "correct horse battery", teamName: "T" }, null);
    for (let i = 0; i < loginPolicy.accountAtAddress; i++) {
      await errorOf(verifyCredentials(t.db, { email, password: "wrong" }, "203.0.113.1"));
    }
    const locked = await errorOf(verifyCredentials(t.db, { email, password: "correct horse battery" }, "203.0.113.1"));
    expect(locked.code).toBe("rate_limited");
    expect(locked.message).toMatch(/Try again in \d+ (seconds|minutes)/);
    expect(locked.retryAfterSeconds).toBeGreaterThan(0);
  });

  it("slows down one address trying many accounts", async () => {
    const ip = "203.0.113.77";
    for (let i = 0; i < loginPolicy.address; i++) {
      await errorOf(verifyCredentials(t.db, { email: uniqueEmail(), password: "x" }, ip));
    }
    const err = await errorOf(verifyCredentials(t.db, { email: uniqueEmail(), password: "x" }, ip));
    expect(err.code).toBe("rate_limited");
  });

  it("counts IPv6 addresses per /64: rotating within one block doesn't reset the count", async () => {
    for (let i = 0; i < loginPolicy.address; i++) {
      await errorOf(verifyCredentials(t.db, { email: uniqueEmail(), password: "x" }, `2001:db8:77:1::${(i + 1).toString(16)}`));
    }
    expect((await errorOf(verifyCredentials(t.db, { email: uniqueEmail(), password: "x" }, "2001:db8:77:1:ffff::9"))).code).toBe("rate_limited");
    // Another /64 is another subscriber.
    expect((await errorOf(verifyCredentials(t.db, { email: uniqueEmail(), password: "x" }, "2001:db8:77:2::1"))).code).toBe("unauthenticated");
  });
});

describe("sessions", () => {
  it("stores only a keyed hash of the token and revokes on sign-out", async () => {
    const r = await signUp(t.db, { email: uniqueEmail(), password: "correct horse battery", teamName: "T" }, null);
    const { token } = await createSession(t.db, { userId: r!.userId, activeTeamId: r!.teamId });
    const row = await t.db.session.findFirstOrThrow({ where: { userId: r!.userId } });
    expect(row.tokenHash).not.toContain(token);
    expect((await findSession(t.db, token))?.user.id).toBe(r!.userId);
    await deleteSession(t.db, token);
    expect(await findSession(t.db, token)).toBeNull();
  });
});
