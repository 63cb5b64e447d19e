import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { emailSchema } from "@/lib/accounts/schemas";

/**
 * "Sign in with SSO": the team whose verified domain the email is at, when it has single sign-on
 * configured. Clear words for every other case; nothing says whether an account exists.
 */
export async function ssoTeamForEmail(db: Db, rawEmail: string): Promise<{ teamId: string; email: string }> {
  const parsed = emailSchema.safeParse(rawEmail);
  if (!parsed.success || !parsed.data.includes("@")) throw new AppError("validation_failed", "Enter your work email address.", { fields: { email: "Enter your work email address." } });
  const email = parsed.data;
  const domain = email.slice(email.lastIndexOf("@") + 1);
  const claim = await db.ssoDomain.findUnique({ where: { verifiedDomain: domain }, select: { teamId: true } });
  const sso = claim && (await db.teamSso.findUnique({ where: { teamId: claim.teamId }, select: { id: true } }));
  if (!claim || !sso) {
    const message = `No team signs in with single sign-on for ${domain}. Sign in with your email and password instead.`;
    throw new AppError("not_found", message, { fields: { email: message } });
  }
  return { teamId: claim.teamId, email };
}

/** The email's domain, lower-cased. */
export const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();
