import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import type { Account, Profile, User } from "next-auth";
import type { Provider } from "next-auth/providers/index";
import type { Env } from "@/lib/config/env";

/**
 * Instance-wide sign-in with GitHub and Google, each on only when both of its variables are set.
 * A person is matched to an account by a verified email address only (lib/accounts/external-account.ts).
 */
export function oauthProviders(e: Pick<Env, "GITHUB_CLIENT_ID" | "GITHUB_CLIENT_SECRET" | "GOOGLE_CLIENT_ID" | "GOOGLE_CLIENT_SECRET">): Provider[] {
  const providers: Provider[] = [];
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) {
    providers.push(
      GitHubProvider({
        clientId: e.GITHUB_CLIENT_ID,
        clientSecret: e.GITHUB_CLIENT_SECRET,
        // GitHub's public profile email isn't necessarily verified: ask for the primary verified one.
        userinfo: {
          url: "https://api.github.com/user",
          async request({ client, tokens }) {
            const profile = await client.userinfo(tokens.access_token!);
            const res = await fetch("https://api.github.com/user/emails", { headers: { Authorization: `token ${tokens.access_token}` } });
            const emails = res.ok ? ((await res.json()) as Array<{ email: string; primary: boolean; verified: boolean }>) : [];
            const verified = emails.find((m) => m.primary && m.verified);
            return { ...profile, email: verified?.email, email_verified: !!verified };
          },
        },
      }),
    );
  }
  if (e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET) {
    providers.push(GoogleProvider({ clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET }));
  }
  return providers;
}

/** The sign-in buttons shown on the sign-in page: only the providers that are configured. */
export function oauthButtons(e: Parameters<typeof oauthProviders>[0]): Array<{ id: string; name: string }> {
  return oauthProviders(e).map((p) => ({ id: p.id, name: p.name }));
}

/** The email an external provider vouches for, lower-cased, or null when it didn't say it is verified. */
export function verifiedEmailOf(account: Account | null, user: User, profile?: Profile): string | null {
  if (!account || account.type === "credentials") return null;
  const claims = (profile ?? {}) as { email?: unknown; email_verified?: unknown };
  const email = typeof claims.email === "string" ? claims.email : user.email;
  if (claims.email_verified !== true || typeof email !== "string" || !email.includes("@")) return null;
  return email.trim().toLowerCase();
}
