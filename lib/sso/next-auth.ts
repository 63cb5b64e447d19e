import type { CallbacksOptions, Profile } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { signedInSessionClaims } from "@/lib/auth/next-auth/session-claims";
import type { AuthRequestInfo } from "@/lib/auth/next-auth/request-info";
import { allowPrivateHosts } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import type { TeamSso } from "@/lib/generated/prisma/client";
import { createCheckedLookup } from "@/lib/oci/address";
import { discoveryUrl, fetchDiscovery, type Discovery } from "./discovery";
import { readSsoFlow, SSO_FLOW_COOKIE, ssoFlowCookie } from "./flow-cookie";
import { joinThroughSso } from "./join";
import { SSO_PROVIDER_ID } from "./redirect";
import { loadSsoSecret } from "./secret";
import { domainOf } from "./start";

/**
 * The `sso` provider of next-auth, built per request from the team the flow cookie names
 * (./flow-cookie.ts): that team's issuer, client ID and secret. State, nonce and PKCE are
 * next-auth's (openid-client checks the ID token's signature, issuer, audience, expiry and
 * nonce). Requests to the provider go through the SSRF-checked lookup. The sign-in is refused,
 * with a reason the sign-in page shows, when the provider doesn't vouch for the email
 * (`email_verified`) or the email is outside the team's verified domains.
 */

export interface SsoFlow {
  sso: TeamSso;
  email: string;
  provider: OAuthConfig<Record<string, unknown>>;
}

/** Closed set of refusals the sign-in page knows (lib/auth/sign-in-error.ts). */
export type SsoRefusal = "SsoExpired" | "SsoNotConfigured" | "SsoEmailUnverified" | "SsoOutsideDomain";

/** `openid email profile`, and `groups` when a groups claim is read and the provider lists that scope (Okta, Keycloak, Dex; Entra ID and Google don't). */
const scopesOf = (sso: TeamSso, discovery: Discovery) =>
  ["openid", "email", "profile", ...(sso.groupsClaim && discovery.scopesSupported.includes("groups") ? ["groups"] : [])].join(" ");

function providerOf(sso: TeamSso, discovery: Discovery, clientSecret: string, email: string): OAuthConfig<Record<string, unknown>> {
  return {
    id: SSO_PROVIDER_ID,
    name: "SSO",
    type: "oauth",
    wellKnown: discoveryUrl(sso.issuer),
    clientId: sso.clientId,
    clientSecret,
    authorization: { params: { scope: scopesOf(sso, discovery), login_hint: email } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    httpOptions: { timeout: 10_000, lookup: createCheckedLookup({ allowPrivate: allowPrivateHosts() }) } as OAuthConfig<Record<string, unknown>>["httpOptions"],
    profile(profile) {
      return { id: String(profile.sub), email: typeof profile.email === "string" ? profile.email : null, name: typeof profile.name === "string" ? profile.name : null };
    },
  };
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * For /api/auth/signin/sso and /api/auth/callback/sso: the flow, or a redirect to the sign-in page
 * with the reason when there is none. /api/auth/providers lists `sso` while a flow is started (the
 * browser's signIn() checks that list first). Null for every other next-auth path.
 */
export async function ssoFlowFor(req: Request, segments: string[], info: AuthRequestInfo): Promise<SsoFlow | Response | null> {
  if (segments[0] === "providers" && segments.length === 1) {
    const flow = await ssoFlowFor(req, ["signin", SSO_PROVIDER_ID], info);
    return flow instanceof Response ? null : flow;
  }
  if (segments[1] !== SSO_PROVIDER_ID || (segments[0] !== "signin" && segments[0] !== "callback")) return null;
  const refuse = (reason: SsoRefusal) => new Response(null, { status: 302, headers: { location: `${info.origin}/sign-in?error=${reason}`, "set-cookie": ssoFlowCookie("", info.https, 0) } });
  const flow = readSsoFlow(cookieOf(req, SSO_FLOW_COOKIE));
  if (!flow) return refuse("SsoExpired");
  const db = await getDb();
  const sso = await db.teamSso.findUnique({ where: { teamId: flow.teamId } });
  const secret = sso && (await loadSsoSecret(db, sso));
  if (!sso || !secret) return refuse("SsoNotConfigured");
  let discovery: Discovery;
  try {
    // The SSRF rules again (the provider's document may have changed since the save), and its scopes.
    discovery = await fetchDiscovery(sso.issuer, { allowPrivate: allowPrivateHosts() });
  } catch {
    return refuse("SsoNotConfigured");
  }
  return { sso, email: flow.email, provider: providerOf(sso, discovery, secret, flow.email) };
}

/** Why the provider's answer can't sign this person in to the team, or null. */
async function refusalOf(flow: SsoFlow, profile: Profile | undefined): Promise<SsoRefusal | null> {
  const claims = (profile ?? {}) as { email?: unknown; email_verified?: unknown };
  // Entra ID has no email_verified; its optional claim xms_edov says the same (the email's domain owner verified it).
  const verified = claims.email_verified === true || claims.email_verified === "true" || (claims.email_verified === undefined && (claims as { xms_edov?: unknown }).xms_edov === true);
  if (!verified) return "SsoEmailUnverified";
  if (typeof claims.email !== "string" || !claims.email.includes("@")) return "SsoEmailUnverified";
  const domain = domainOf(claims.email.trim());
  const claimed = await (await getDb()).ssoDomain.findFirst({ where: { teamId: flow.sso.teamId, verifiedDomain: domain }, select: { id: true } });
  return claimed ? null : "SsoOutsideDomain";
}

/** next-auth's callbacks with the SSO sign-in added: refusals, then just-in-time membership and the session. */
export function withSsoCallbacks(callbacks: Partial<CallbacksOptions>, flow: SsoFlow | null, request: AuthRequestInfo): Partial<CallbacksOptions> {
  if (!flow) return callbacks;
  return {
    ...callbacks,
    async signIn(params) {
      if (params.account?.provider !== SSO_PROVIDER_ID) return callbacks.signIn ? callbacks.signIn(params) : true;
      const refusal = await refusalOf(flow, params.profile);
      return refusal ? `${request.origin}/sign-in?error=${refusal}` : true;
    },
    async jwt(params) {
      if (params.account?.provider !== SSO_PROVIDER_ID || !params.user) return callbacks.jwt ? callbacks.jwt(params) : params.token;
      const claims = (params.profile ?? {}) as Record<string, unknown>;
      const db = await getDb();
      const { userId } = await joinThroughSso(db, flow.sso, claims, String(claims.email).trim().toLowerCase(), request.ip);
      return signedInSessionClaims(db, { userId, activeTeamId: flow.sso.teamId, signInMethod: "sso" }, request);
    },
  };
}
