import type { AuthOptions } from "next-auth";
import { authSecret } from "@/lib/auth/secret";
import { SESSION_MAX_AGE_SECONDS } from "@/lib/auth/sessions";
import { authCallbacks, authEvents } from "./callbacks";
import { authProviders } from "./providers";
import type { AuthRequestInfo } from "./request-info";
import { withSsoCallbacks, type SsoFlow } from "@/lib/sso/next-auth";

/**
 * next-auth's options for one request. JWT sessions (the only kind next-auth v4 offers the
 * Credentials provider), whose token holds just the id of a server-side `Session` row; AUTH_SECRET
 * (or the generated development one) encrypts it. Cookies are Secure whenever the portal is
 * reached over HTTPS.
 */
export function authOptions(request: AuthRequestInfo, sso: SsoFlow | null = null): AuthOptions {
  return {
    secret: authSecret(),
    providers: [...authProviders(request), ...(sso ? [sso.provider] : [])],
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    useSecureCookies: request.https,
    pages: { signIn: "/sign-in", error: "/sign-in" },
    callbacks: withSsoCallbacks(authCallbacks(request), sso, request),
    events: authEvents,
  };
}
