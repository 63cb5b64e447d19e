import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { keyOfAddress } from "@/lib/http/client-address";

/**
 * Limits on password checks (the sign-in form, email + password at the hosted registry's token
 * service), kept in the database so every portal process on it shares the counts.
 *
 * Three counters per attempt, each allowing a number of failures per 15-minute window:
 * - the account at this client address (`accountAtAddress`): the lock a guesser meets. It is
 *   per address, so a stranger guessing from elsewhere can't lock the owner out;
 * - the client address across accounts (`address`): one address trying many accounts;
 * - the account across all addresses (`account`): a much higher backstop that still stops a
 *   guesser spread over many addresses.
 *
 * Every attempt is counted *before* the password is checked, by one atomic statement
 * (INSERT … ON CONFLICT DO UPDATE … RETURNING) that returns the new counts; an attempt that
 * takes any counter over its limit is refused without a password check. So a burst of parallel
 * attempts is counted one by one, and at most `limit` of them are ever checked per window.
 * A successful check gives its reservation back (and clears the account-at-address count); a
 * refused attempt gives back the counters it did not exceed, so one locked-out stranger can't
 * use up the account's backstop.
 */
export const loginPolicy = {
  accountAtAddress: 5,
  address: 20,
  account: 100,
  windowSeconds: 15 * 60,
  /** Rows whose window ended this long ago count for nothing: each attempt deletes up to this many of them. */
  pruneBatch: 100,
};

export interface LoginSubject {
  /** The account's email as typed (validated and lower-cased by the caller's schema). */
  account: string;
  /** The client address; null when unknown (all such attempts share one bucket per account). */
  address?: string | null;
}

type Counter = { key: string; limit: number };

/** The counters one attempt uses. IPv6 addresses count per /64 (keyOfAddress). */
function loginCounters({ account, address }: LoginSubject): Counter[] {
  const where = address ? keyOfAddress(address) : "unknown";
  const counters: Counter[] = [
    { key: `account-at:${where}:${account}`, limit: loginPolicy.accountAtAddress },
    { key: `account:${account}`, limit: loginPolicy.account },
  ];
  if (address) counters.push({ key: `address:${where}`, limit: loginPolicy.address });
  return counters;
}

function retryMessage(seconds: number): string {
  const when = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many failed sign-in attempts. Try again in ${when}.`;
}

interface Row {
  key: string;
  failures: number;
  windowStart: Date;
}

export interface LoginReservation {
  /** The password was right: give the attempt back and clear the account's count at this address. */
  succeeded(): Promise<void>;
}

/**
 * Counts one attempt on every counter, atomically, and throws rate_limited when that takes any
 * of them over its limit. Call it before checking the password; a wrong password needs nothing
 * more (the attempt stays counted), a right one calls `succeeded()`.
 */
export async function reserveLoginAttempt(db: Db, subject: LoginSubject): Promise<LoginReservation> {
  const counters = loginCounters(subject);
  // Sorted, so concurrent statements lock shared rows in the same order.
  const keys = counters.map((c) => c.key).sort();
  // Windows run on the database's clock (UTC, like every stored timestamp), so portal processes
  // with skewed clocks still agree on them.
  const rows = await db.$queryRaw<Row[]>`
    WITH clock AS (SELECT (now() AT TIME ZONE 'UTC') AS now)
    INSERT INTO "LoginAttempt" ("key", "failures", "windowStart")
    SELECT k, 1, clock.now FROM unnest(${keys}::text[]) AS k, clock ORDER BY k
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = CASE WHEN "LoginAttempt"."windowStart" <= (now() AT TIME ZONE 'UTC') - make_interval(secs => ${loginPolicy.windowSeconds}) THEN 1 ELSE "LoginAttempt"."failures" + 1 END,
      "windowStart" = CASE WHEN "LoginAttempt"."windowStart" <= (now() AT TIME ZONE 'UTC') - make_interval(secs => ${loginPolicy.windowSeconds}) THEN EXCLUDED."windowStart" ELSE "LoginAttempt"."windowStart" END
    RETURNING "key", "failures", "windowStart"`;
  await pruneStaleCounters(db);

  const limitOf = new Map(counters.map((c) => [c.key, c.limit]));
  const over = rows.filter((r) => r.failures > limitOf.get(r.key)!);
  if (over.length > 0) {
    await giveBack(db, rows.filter((r) => !over.includes(r)));
    const until = Math.max(...over.map((r) => r.windowStart.getTime() + loginPolicy.windowSeconds * 1000));
    const seconds = Math.min(loginPolicy.windowSeconds, Math.max(1, Math.ceil((until - Date.now()) / 1000)));
    throw new AppError("rate_limited", retryMessage(seconds), { retryAfterSeconds: seconds });
  }
  const own = counters[0]!.key;
  return {
    async succeeded() {
      await db.loginAttempt.deleteMany({ where: { key: own } });
      await giveBack(db, rows.filter((r) => r.key !== own));
    },
  };
}

/**
 * Deletes counters whose window ended over a window ago (they would start over at the next
 * attempt anyway), a bounded batch per attempt. Without it every address and account ever tried
 * keeps a row: a guesser rotating addresses would grow the table for ever.
 */
async function pruneStaleCounters(db: Db) {
  await db.$executeRaw`
    DELETE FROM "LoginAttempt" WHERE "key" IN (
      SELECT "key" FROM "LoginAttempt"
      WHERE "windowStart" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${2 * loginPolicy.windowSeconds})
      LIMIT ${loginPolicy.pruneBatch}
    )`;
}

/** Takes one attempt back from each counter, unless its window has started over since. */
async function giveBack(db: Db, rows: Row[]) {
  for (const r of rows) {
    await db.loginAttempt.updateMany({
      where: { key: r.key, windowStart: r.windowStart, failures: { gt: 0 } },
      data: { failures: { decrement: 1 } },
    });
  }
}
