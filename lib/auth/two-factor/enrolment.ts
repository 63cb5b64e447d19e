import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { recordAudit, type AuditActor } from "@/lib/audit/record";
import { NO_PASSWORD } from "@/lib/accounts/external-account";
import { base32Encode, matchingStep, newTotpSecret, otpauthUri } from "./totp";
import { openTotpSecret, sealTotpSecret } from "./secret";
import { replaceRecoveryCodes } from "./recovery-codes";
import { BAD_CODE, verifySecondFactor } from "./verify";

/**
 * Turning two-factor authentication on and off for one's own password account. On is two steps:
 * a new secret is stored sealed but pending (`enabledAt` null) and shown once; a code from the app
 * confirms it, which turns it on and issues the recovery codes.
 */
export interface Person {
  userId: string;
  email: string;
  /** The team the audit event goes to (the person's current team), if any. */
  teamId: string | null;
  ip: string | null;
}

const actorOf = (p: Person): AuditActor => ({ userId: p.userId, email: p.email, ip: p.ip });

export async function startEnrolment(db: Db, person: Person): Promise<{ secret: string; uri: string }> {
  const user = await db.user.findUniqueOrThrow({ where: { id: person.userId }, include: { twoFactor: true } });
  if (user.passwordHash === NO_PASSWORD) throw new AppError("conflict", "Two-factor authentication here is for password accounts: your provider's sign-in protects this one.");
  if (user.twoFactor?.enabledAt) throw new AppError("conflict", "Two-factor authentication is already on.");
  const secret = newTotpSecret();
  const sealed = await sealTotpSecret(person.userId, secret);
  await db.twoFactor.upsert({
    where: { userId: person.userId },
    create: { userId: person.userId, sealedSecret: sealed as object },
    update: { sealedSecret: sealed as object, enabledAt: null, lastUsedStep: null },
  });
  try {
    return { secret: base32Encode(secret), uri: otpauthUri(secret, user.email) };
  } finally {
    secret.fill(0);
  }
}

/** Confirms a pending secret with a code from the app: on, audited; returns the recovery codes (shown once). */
export async function confirmEnrolment(db: Db, person: Person, code: string, now = Date.now()): Promise<{ recoveryCodes: string[] }> {
  const pending = await db.twoFactor.findUnique({ where: { userId: person.userId } });
  if (!pending || pending.enabledAt) throw new AppError("conflict", pending ? "Two-factor authentication is already on." : "Start the setup again: no secret is waiting for confirmation.");
  const secret = await openTotpSecret(person.userId, pending.sealedSecret);
  const step = matchingStep(secret, code.replace(/\s/g, ""), now);
  secret.fill(0);
  if (step === null) throw new AppError("validation_failed", BAD_CODE, { fields: { code: "That code is not correct. Enter the 6-digit code your app shows now." } });
  return db.$transaction(async (tx) => {
    const { count } = await tx.twoFactor.updateMany({ where: { userId: person.userId, enabledAt: null }, data: { enabledAt: new Date(now), lastUsedStep: step } });
    if (count !== 1) throw new AppError("conflict", "Two-factor authentication is already on.");
    const recoveryCodes = await replaceRecoveryCodes(tx, person.userId);
    await recordAudit(tx, person.teamId, actorOf(person), { action: "user.two_factor_enable", targetType: "user", targetId: person.userId, targetLabel: person.email });
    return { recoveryCodes };
  });
}

/** Turns it off: asks for a current code (or a recovery code) first. Audited. */
export async function disableTwoFactor(db: Db, person: Person, code: string): Promise<void> {
  try {
    await verifySecondFactor(db, person.userId, code);
  } catch (e) {
    if (e instanceof AppError) throw new AppError("validation_failed", e.message, { fields: { code: e.message } });
    throw e;
  }
  await db.$transaction(async (tx) => {
    await tx.twoFactorRecoveryCode.deleteMany({ where: { userId: person.userId } });
    await tx.twoFactor.deleteMany({ where: { userId: person.userId } });
    await recordAudit(tx, person.teamId, actorOf(person), { action: "user.two_factor_disable", targetType: "user", targetId: person.userId, targetLabel: person.email });
  });
}
