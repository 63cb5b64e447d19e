import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { verifyAgainstDummy, verifyPassword } from "@/lib/auth/password";
import { reserveLoginAttempt } from "@/lib/auth/rate-limit";
import type { SignInInput } from "@/lib/accounts/schemas";
import { SecondFactorRequired, hasTwoFactor, verifySecondFactor } from "@/lib/auth/two-factor/verify";

/** The one message for a wrong email or a wrong password: it must not reveal which. */
export const BAD_CREDENTIALS = "Email or password is incorrect.";

/** Password-only logins (`docker login`) of an account with two-factor authentication: they can't give a code. */
export const USE_A_TOKEN = "This account uses two-factor authentication: log in with an API token instead of the password.";

/**
 * Checks an email and password where no second factor can be given (`docker login` at the token
 * service). The attempt is counted before the password is checked (lib/auth/rate-limit.ts): over
 * the limit it is refused with rate_limited, unchecked. An account with two-factor authentication
 * is refused here even with the right password. Returns the user.
 */
export async function verifyCredentials(db: Db, input: SignInInput, ip: string | null) {
  const reservation = await reserveLoginAttempt(db, { account: input.email, address: ip });
  const user = await checkPassword(db, input);
  if (await hasTwoFactor(db, user.userId)) throw new AppError("unauthenticated", USE_A_TOKEN);
  await reservation.succeeded();
  return user;
}

async function checkPassword(db: Db, input: SignInInput) {
  const user = await db.user.findUnique({ where: { email: input.email } });
  const ok = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!user || !ok) throw new AppError("unauthenticated", BAD_CREDENTIALS);
  return { userId: user.id, email: user.email };
}

/**
 * The sign-in form's check: the password, then the second factor when the account has one. Both
 * steps come in one attempt, counted before anything is checked, so the limits cover guessed
 * codes as they cover guessed passwords; only a complete success gives the attempt back (a right
 * password without a code stays counted, or it would clear the count between code guesses).
 */
export async function verifySignIn(db: Db, input: SignInInput, ip: string | null) {
  const reservation = await reserveLoginAttempt(db, { account: input.email, address: ip });
  const user = await checkPassword(db, input);
  if (await hasTwoFactor(db, user.userId)) {
    if (!input.code) throw new SecondFactorRequired();
    await verifySecondFactor(db, user.userId, input.code);
  }
  await reservation.succeeded();
  return user;
}
