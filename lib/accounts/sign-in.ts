import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { verifyAgainstDummy, verifyPassword } from "@/lib/auth/password";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from "@/lib/auth/rate-limit";
import type { SignInInput } from "@/lib/validations/auth";

/** The one message for a wrong email or a wrong password: it must not reveal which. */
export const BAD_CREDENTIALS = "Email or password is incorrect.";

/** Checks credentials with throttling per account and per client address. Returns the user. */
export async function verifyCredentials(db: Db, input: SignInInput, ip: string | null) {
  const keys = { account: input.email, address: ip ?? undefined };
  await assertLoginAllowed(db, keys);
  const user = await db.user.findUnique({ where: { email: input.email } });
  const ok = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!user || !ok) {
    await recordLoginFailure(db, keys);
    throw new AppError("unauthenticated", BAD_CREDENTIALS);
  }
  await clearLoginFailures(db, input.email);
  return { userId: user.id, email: user.email };
}
