import crypto from "node:crypto";
import type { Db, Tx } from "@/lib/db/client";
import { hashToken } from "@/lib/auth/tokens";

/**
 * Recovery codes: 10 per person, each good once, shown once and stored only as keyed hashes
 * (like session tokens: lib/auth/tokens.ts). Written "xxxxx-xxxxx"; typed with or without the
 * dash, in either case.
 */
export const RECOVERY_CODE_COUNT = 10;
const PURPOSE = "two-factor-recovery";
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function newCode(): string {
  const chars = Array.from(crypto.randomBytes(10), (b) => ALPHABET[b % ALPHABET.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export const normalizeRecoveryCode = (typed: string) => typed.replace(/[\s-]/g, "").toLowerCase();
export const looksLikeRecoveryCode = (typed: string) => /^[a-z0-9]{10}$/.test(normalizeRecoveryCode(typed));
const hashOf = (typed: string) => hashToken(normalizeRecoveryCode(typed), PURPOSE);

/** Replaces the person's recovery codes with new ones; returns them (the only time they are seen). */
export async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await tx.twoFactorRecoveryCode.deleteMany({ where: { userId } });
  await tx.twoFactorRecoveryCode.createMany({ data: codes.map((c) => ({ userId, codeHash: hashOf(c) })) });
  return codes;
}

/** Uses up a recovery code: true once per code, by one conditional UPDATE (two racing uses: one wins). */
export async function consumeRecoveryCode(db: Db, userId: string, typed: string): Promise<boolean> {
  const { count } = await db.twoFactorRecoveryCode.updateMany({ where: { userId, codeHash: hashOf(typed), usedAt: null }, data: { usedAt: new Date() } });
  return count === 1;
}

export async function unusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  return db.twoFactorRecoveryCode.count({ where: { userId, usedAt: null } });
}
