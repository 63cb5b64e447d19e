import { describe, expect, it } from "vitest";
import { createPrismaClient, type Db } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/password";
import { verifyCredentials } from "@/lib/accounts/sign-in";
import { loginPolicy } from "@/lib/auth/rate-limit";
import { handleRegistryToken } from "@/lib/registry-auth/http";
import { setupTestDatabase } from "@/test/support/db";
import { uniqueEmail } from "@/test/support/factories";
import { basicAuth, configureRegistryAuthTestEnv } from "@/test/support/registry-auth";

/**
 * The sign-in limit under concurrency: every attempt is counted in the database before the
 * password is checked, so a burst of parallel guesses can't all be evaluated, and two portal
 * processes on one database share the count. The lock is per account and address, with a
 * per-account backstop across addresses.
 */

configureRegistryAuthTestEnv();
const PASSWORD = "correct horse battery staple";

const t = setupTestDatabase();

async function newAccount(): Promise<string> {
  const email = uniqueEmail("limits");
  await t.db.user.create({ data: { email, passwordHash: await hashPassword(PASSWORD) } });
  return email;
}

/** The highest failure count stored for anything about this account (whatever the key's shape). */
async function failuresOf(db: Db, email: string): Promise<number> {
  const rows = await db.loginAttempt.findMany({ where: { key: { contains: email } } });
  return Math.max(0, ...rows.map((r) => r.failures));
}

/** 40 wrong guesses with the right password 36th, all at once. */
const burst = () => Array.from({ length: 41 }, (_, i) => (i === 35 ? PASSWORD : `wrong guess ${i}`));

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { code?: string }) => e.code ?? "error",
  );

describe("a burst of concurrent guesses", () => {
  it("at the token service: the right password is refused once the limit is reached, and every attempt is counted", async () => {
    const email = await newAccount();
    const statuses = await Promise.all(
      burst().map(async (password) => {
        const req = new Request("http://portal.test/api/registry/token?service=portcullis-registry&scope=repository:x/y:pull", {
          headers: { authorization: basicAuth(email, password), "x-forwarded-for": "198.51.100.40" },
        });
        return (await handleRegistryToken(req, { db: async () => t.db })).status;
      }),
    );
    expect(statuses[35]).toBe(429);
    // Only as many attempts as the limit allows reached the password check.
    expect(statuses.filter((s) => s === 401)).toHaveLength(loginPolicy.accountAtAddress);
    expect(statuses.filter((s) => s === 429)).toHaveLength(41 - loginPolicy.accountAtAddress);
    expect(await failuresOf(t.db, email)).toBe(41);
  });

  it("at the sign-in form's check: the same", async () => {
    const email = await newAccount();
    const outcomes = await Promise.all(burst().map((password) => outcome(verifyCredentials(t.db, { email, password }, "198.51.100.41"))));
    expect(outcomes[35]).toBe("rate_limited");
    expect(outcomes.filter((o) => o === "unauthenticated")).toHaveLength(loginPolicy.accountAtAddress);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(0);
    expect(await failuresOf(t.db, email)).toBe(41);
  });

  it("from two portal processes on one database: the limit is shared", async () => {
    const email = await newAccount();
    const second = createPrismaClient(t.url);
    try {
      const attempts = Array.from({ length: 20 }, (_, i) => `wrong guess ${i}`);
      const outcomes = await Promise.all([
        ...attempts.map((password) => outcome(verifyCredentials(t.db, { email, password }, "198.51.100.42"))),
        ...attempts.map((password) => outcome(verifyCredentials(second, { email, password }, "198.51.100.42"))),
      ]);
      expect(outcomes.filter((o) => o === "unauthenticated")).toHaveLength(loginPolicy.accountAtAddress);
      expect(await outcome(verifyCredentials(second, { email, password: PASSWORD }, "198.51.100.42"))).toBe("rate_limited");
      expect(await outcome(verifyCredentials(t.db, { email, password: PASSWORD }, "198.51.100.42"))).toBe("rate_limited");
      expect(await failuresOf(second, email)).toBe(42);
    } finally {
      await second.$disconnect();
    }
  });
});

describe("who gets locked", () => {
  it("a stranger's failures from one address don't lock the owner out at another", async () => {
    const email = await newAccount();
    for (let i = 0; i < loginPolicy.accountAtAddress + 3; i++) {
      await outcome(verifyCredentials(t.db, { email, password: "a stranger's guess" }, "203.0.113.66"));
    }
    expect(await outcome(verifyCredentials(t.db, { email, password: PASSWORD }, "203.0.113.66"))).toBe("rate_limited");
    expect((await verifyCredentials(t.db, { email, password: PASSWORD }, "192.0.2.10")).email).toBe(email);
  });

  it("guesses spread over many addresses trip the per-account backstop, which stops the right password too", async () => {
    const email = await newAccount();
    const perAddress = loginPolicy.accountAtAddress;
    const addresses = Math.ceil(loginPolicy.account / perAddress);
    for (let a = 0; a < addresses; a++) {
      await Promise.all(
        Array.from({ length: perAddress }, () => outcome(verifyCredentials(t.db, { email, password: "distributed guess" }, `10.${a >> 8}.${a & 255}.1`))),
      );
    }
    const err = await outcome(verifyCredentials(t.db, { email, password: PASSWORD }, "192.0.2.200"));
    expect(err).toBe("rate_limited");
  });

  it("refused attempts at a locked address don't count towards the backstop", async () => {
    const email = await newAccount();
    for (let i = 0; i < loginPolicy.account + 10; i++) {
      await outcome(verifyCredentials(t.db, { email, password: "one stubborn stranger" }, "203.0.113.99"));
    }
    expect((await verifyCredentials(t.db, { email, password: PASSWORD }, "192.0.2.11")).email).toBe(email);
  });

  it("successful sign-ins don't use up the address's or the account's allowance", async () => {
    const email = await newAccount();
    for (let i = 0; i < loginPolicy.address + 2; i++) {
      expect((await verifyCredentials(t.db, { email, password: PASSWORD }, "192.0.2.12")).email).toBe(email);
    }
  });

  it("a refused attempt says when to try again", async () => {
    const email = await newAccount();
    for (let i = 0; i < loginPolicy.accountAtAddress; i++) await outcome(verifyCredentials(t.db, { email, password: "x" }, "203.0.113.5"));
    const err = await verifyCredentials(t.db, { email, password: PASSWORD }, "203.0.113.5").catch((e: { code: string; message: string; retryAfterSeconds?: number }) => e);
    expect(err).toMatchObject({ code: "rate_limited" });
    expect((err as { message: string }).message).toMatch(/Try again in \d+ (seconds|minutes)/);
    expect((err as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect((err as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(loginPolicy.windowSeconds);
  });

  it("a counter starts over when its 15-minute window has passed", async () => {
    const email = await newAccount();
    for (let i = 0; i < loginPolicy.accountAtAddress; i++) await outcome(verifyCredentials(t.db, { email, password: "x" }, "203.0.113.6"));
    expect(await outcome(verifyCredentials(t.db, { email, password: PASSWORD }, "203.0.113.6"))).toBe("rate_limited");
    // Just inside the window: still refused. Just past it: the right password gets through.
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
    await t.db.loginAttempt.updateMany({ where: { key: { contains: email } }, data: { windowStart: ago(loginPolicy.windowSeconds - 60) } });
    expect(await outcome(verifyCredentials(t.db, { email, password: PASSWORD }, "203.0.113.6"))).toBe("rate_limited");
    await t.db.loginAttempt.updateMany({ where: { key: { contains: email } }, data: { windowStart: ago(loginPolicy.windowSeconds + 60) } });
    expect(await outcome(verifyCredentials(t.db, { email, password: PASSWORD }, "203.0.113.6"))).toBe("ok");
  });

  it("counters whose window ended long ago are deleted, a bounded batch per attempt, and live ones are kept", async () => {
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
    const stale = Array.from({ length: loginPolicy.pruneBatch + 20 }, (_, i) => ({ key: `address:stale-${i}`, failures: 3, windowStart: ago(2 * loginPolicy.windowSeconds + 60) }));
    await t.db.loginAttempt.createMany({ data: stale });
    // Past its window but not by a whole window more: it would start over, and stays until then.
    await t.db.loginAttempt.create({ data: { key: "address:recent", failures: 3, windowStart: ago(loginPolicy.windowSeconds + 60) } });
    const staleLeft = () => t.db.loginAttempt.count({ where: { key: { startsWith: "address:stale-" } } });

    const email = await newAccount();
    await outcome(verifyCredentials(t.db, { email, password: "wrong" }, "203.0.113.7"));
    expect(await staleLeft()).toBe(20);
    await outcome(verifyCredentials(t.db, { email, password: "wrong" }, "203.0.113.7"));
    expect(await staleLeft()).toBe(0);
    expect(await t.db.loginAttempt.findUnique({ where: { key: "address:recent" } })).not.toBeNull();
    // The attempts themselves are still counted.
    expect(await failuresOf(t.db, email)).toBe(2);
  });
});
