import { env } from "@/lib/config/env";

/** The next-auth provider id of single sign-on: one callback for every team. */
export const SSO_PROVIDER_ID = "sso";

/** The redirect URI every team registers at its identity provider: `<PORTAL_URL>/api/auth/callback/sso`. */
export function ssoRedirectUri(portalUrl: string = env().PORTAL_URL ?? `http://localhost:${env().PORT}`): string {
  return `${portalUrl.replace(/\/+$/, "")}/api/auth/callback/${SSO_PROVIDER_ID}`;
}
