import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/lib/db/client";
import { verifySignIn } from "@/lib/accounts/sign-in";
import { signInSchema } from "@/lib/accounts/schemas";
import { acceptInvite } from "@/lib/teams/invites";
import { parseInput } from "@/lib/validations/parse";
import { toAppError } from "@/lib/server/to-app-error";
import { TWO_FACTOR_REQUIRED, encodeSignInError } from "@/lib/auth/sign-in-error";
import { SecondFactorRequired } from "@/lib/auth/two-factor/verify";
import type { AuthRequestInfo } from "./request-info";
import { assertPasswordSignInAllowed } from "@/lib/sso/enforcement";

/**
 * Email and password (argon2id, the sign-in limits of lib/auth/rate-limit.ts, and the second
 * factor when the account has one: lib/accounts/sign-in.ts). An invite token in the form joins its
 * team on the way in. A refusal is thrown as an encoded SignInError, which the form shows inline.
 */
export function credentialsProvider(request: AuthRequestInfo) {
  return CredentialsProvider({
    id: "credentials",
    name: "Email and password",
    credentials: {
      email: { label: "Email", type: "email" },
      password: { label: "Password", type: "password" },
      code: { label: "Authentication code", type: "text" },
      inviteToken: { label: "Invite", type: "hidden" },
    },
    async authorize(credentials) {
      try {
        const input = parseInput(signInSchema, pickStrings(credentials));
        const db = await getDb();
        const user = await verifySignIn(db, input, request.ip);
        await assertPasswordSignInAllowed(db, user, request.ip);
        const activeTeamId = input.inviteToken ? await acceptInvite(db, input.inviteToken, user, request.ip) : null;
        return { id: user.userId, email: user.email, activeTeamId };
      } catch (e) {
        const err = toAppError(e);
        const code = e instanceof SecondFactorRequired ? TWO_FACTOR_REQUIRED : err.code;
        throw new Error(encodeSignInError({ code, message: err.message, fields: err.fields }));
      }
    },
  });
}

/** The form's text fields (next-auth adds csrfToken, callbackUrl and json to the body: the schema drops them). */
function pickStrings(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (typeof v === "string" && v !== "") out[k] = v;
  return out;
}
