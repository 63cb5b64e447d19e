import type { CallbacksOptions, EventCallbacks } from "next-auth";
import { getDb } from "@/lib/db/client";
import { accountForVerifiedEmail } from "@/lib/accounts/external-account";
import { deleteSessionById, findSessionById } from "@/lib/auth/sessions";
import { signInMethodOfProvider } from "@/lib/auth/sign-in-method";
import { signedInSessionClaims } from "./session-claims";
import { verifiedEmailOf } from "./oauth";
import type { AuthRequestInfo } from "./request-info";

/** The user next-auth hands over after a Credentials sign-in (./credentials.ts): the team an invite joined, if any. */
interface SignedInUser {
  id: string;
  activeTeamId?: string | null;
}

export function authCallbacks(request: AuthRequestInfo): Partial<CallbacksOptions> {
  return {
    /** An external provider must vouch for the email: that is what matches it to an account. */
    async signIn({ user, account, profile }) {
      if (!account || account.type === "credentials") return true;
      return verifiedEmailOf(account, user, profile) !== null;
    },

    /** At sign-in only: the Session row and a token that carries nothing but its id. */
    async jwt({ token, user, account, profile }) {
      if (!user || !account) return token;
      const db = await getDb();
      if (account.type === "credentials") {
        const signedIn = user as SignedInUser;
        return signedInSessionClaims(db, { userId: signedIn.id, activeTeamId: signedIn.activeTeamId, signInMethod: "password" }, request);
      }
      const email = verifiedEmailOf(account, user, profile);
      if (!email) throw new Error("AccessDenied");
      const found = await accountForVerifiedEmail(db, email, account.provider, request.ip);
      return signedInSessionClaims(db, { userId: found.userId, signInMethod: signInMethodOfProvider(account.provider) ?? null }, request);
    },

    /** /api/auth/session: answers only while the Session row lives (next-auth clears the cookie when this throws). */
    async session({ session, token }) {
      const row = await findSessionById(await getDb(), typeof token.sid === "string" ? token.sid : undefined);
      if (!row) throw new Error("This session has ended.");
      return { expires: session.expires, user: { email: row.user.email, name: row.user.name } };
    },
  };
}

export const authEvents: Partial<EventCallbacks> = {
  /** next-auth's own sign-out (POST /api/auth/signout) ends the Session row too. */
  async signOut({ token }) {
    await deleteSessionById(await getDb(), typeof token?.sid === "string" ? token.sid : undefined);
  },
};
