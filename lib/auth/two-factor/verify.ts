import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { matchingStep } from "./totp";
import { openTotpSecret } from "./secret";
import { consumeRecoveryCode, looksLikeRecoveryCode } from "./recovery-codes";

/** A sign-in of an account with two-factor authentication that came without a code: the form asks for one. */
export class SecondFactorRequired extends AppError {
  constructor() {
    super("unauthenticated", "Enter the code from your authenticator app.");
  }
}

export const BAD_CODE = "That code is not correct, or it was already used. Enter the current code from your app, or a recovery code.";

/** Whether the person has two-factor authentication on. */
export async function hasTwoFactor(db: Db, userId: string): Promise<boolean> {
  return !!(await db.twoFactor.findFirst({ where: { userId, enabledAt: { not: null } }, select: { userId: true } }));
}

/**
 * Checks a code against the person's confirmed second factor: a TOTP code (good once: its step
 * must be after the last one used, recorded by one conditional UPDATE so two racing uses of one
 * code can't both pass) or an unused recovery code. Throws with the form's message otherwise.
 */
export async function verifySecondFactor(db: Db, userId: string, code: string, now = Date.now()): Promise<"totp" | "recovery"> {
  const factor = await db.twoFactor.findUnique({ where: { userId } });
  if (!factor?.enabledAt) throw new AppError("unauthenticated", BAD_CODE, { fields: { code: BAD_CODE } });
  const typed = code.replace(/\s/g, "");
  if (/^\d{6}$/.test(typed)) {
    const secret = await openTotpSecret(userId, factor.sealedSecret);
    const step = matchingStep(secret, typed, now);
    secret.fill(0);
    if (step !== null && (await recordStepUse(db, userId, step))) return "totp";
  } else if (looksLikeRecoveryCode(typed) && (await consumeRecoveryCode(db, userId, typed))) {
    return "recovery";
  }
  throw new AppError("unauthenticated", BAD_CODE, { fields: { code: BAD_CODE } });
}

/** Records `step` as used unless it (or a later one) already was. */
export async function recordStepUse(db: Pick<Db, "twoFactor">, userId: string, step: bigint): Promise<boolean> {
  const { count } = await db.twoFactor.updateMany({
    where: { userId, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }] },
    data: { lastUsedStep: step },
  });
  return count === 1;
}
