import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { keyOfAddress } from "@/lib/http/client-address";

/**
 * Sign-in throttling, kept in the database so every portal instance shares the counts.
 * Each key (an account's email, a client address) may fail `freeFailures` times in a window;
 * after that it is locked for a delay that doubles with every further failure, up to a cap.
 */
export const loginPolicy = {
  account: { freeFailures: 5, baseLockSeconds: 30, maxLockSeconds: 15 * 60 },
  address: { freeFailures: 20, baseLockSeconds: 60, maxLockSeconds: 15 * 60 },
  windowSeconds: 15 * 60,
};

type Kind = "account" | "address";
// Addresses per /64 for IPv6 (keyOfAddress), so rotating within one subscriber's block doesn't help.
const keyOf = (kind: Kind, value: string) => `${kind}:${kind === "address" ? keyOfAddress(value) : value}`;

function retryMessage(seconds: number): string {
  const when = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many failed sign-in attempts. Try again in ${when}.`;
}

/** Throws rate_limited when any of the keys is locked. */
export async function assertLoginAllowed(db: Db, keys: { account: string; address?: string }, now = new Date()) {
  const ids = [keyOf("account", keys.account), ...(keys.address ? [keyOf("address", keys.address)] : [])];
  const rows = await db.loginAttempt.findMany({ where: { key: { in: ids } } });
  const lockedUntil = Math.max(0, ...rows.map((r) => r.lockedUntil?.getTime() ?? 0));
  if (lockedUntil > now.getTime()) {
    const seconds = Math.ceil((lockedUntil - now.getTime()) / 1000);
    throw new AppError("rate_limited", retryMessage(seconds), { retryAfterSeconds: seconds });
  }
}

async function bump(db: Db, kind: Kind, value: string, now: Date) {
  const policy = loginPolicy[kind];
  const key = keyOf(kind, value);
  const existing = await db.loginAttempt.findUnique({ where: { key } });
  const windowExpired = !existing || now.getTime() - existing.windowStart.getTime() > loginPolicy.windowSeconds * 1000;
  const failures = windowExpired ? 1 : existing.failures + 1;
  const over = failures - policy.freeFailures + 1;
  const lockSeconds = over > 0 ? Math.min(policy.maxLockSeconds, policy.baseLockSeconds * 2 ** (over - 1)) : 0;
  const data = {
    failures,
    windowStart: windowExpired ? now : existing.windowStart,
    lockedUntil: lockSeconds > 0 ? new Date(now.getTime() + lockSeconds * 1000) : null,
  };
  await db.loginAttempt.upsert({ where: { key }, create: { key, ...data }, update: data });
}

export async function recordLoginFailure(db: Db, keys: { account: string; address?: string }, now = new Date()) {
  await bump(db, "account", keys.account, now);
  if (keys.address) await bump(db, "address", keys.address, now);
}

/** A successful sign-in clears the account's count (not the address's: one address may try many accounts). */
export async function clearLoginFailures(db: Db, account: string) {
  await db.loginAttempt.deleteMany({ where: { key: keyOf("account", account) } });
}
