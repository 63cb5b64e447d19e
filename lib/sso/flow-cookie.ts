import crypto from "node:crypto";
import { authSecret } from "@/lib/auth/secret";

/**
 * Which team's identity provider a browser's single sign-on goes to: set when the flow starts
 * (the email's verified domain chose the team), read when next-auth starts the flow and at its
 * callback, then cleared. HMAC-signed with a key derived from AUTH_SECRET and valid for ten
 * minutes; a forged, altered or stale cookie reads as none. next-auth's own state, nonce and PKCE
 * cookies protect the exchange itself; the code is redeemed with this team's client, so a code
 * from another provider fails there.
 */
export const SSO_FLOW_COOKIE = "portcullis_sso_flow";
export const SSO_FLOW_SECONDS = 600;

interface Flow {
  teamId: string;
  email: string;
  exp: number;
}

const key = () => crypto.createHmac("sha256", authSecret()).update("portcullis/sso-flow/v1").digest();
const mac = (payload: string) => crypto.createHmac("sha256", key()).update(payload).digest("base64url");

export function signSsoFlow(teamId: string, email: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ teamId, email, exp: Math.floor(now / 1000) + SSO_FLOW_SECONDS } satisfies Flow)).toString("base64url");
  return `${payload}.${mac(payload)}`;
}

export function readSsoFlow(value: string | undefined, now = Date.now()): Flow | null {
  if (!value) return null;
  const [payload, signature, extra] = value.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(mac(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  try {
    const flow = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Flow;
    if (typeof flow.teamId !== "string" || typeof flow.email !== "string" || typeof flow.exp !== "number") return null;
    return flow.exp * 1000 > now ? flow : null;
  } catch {
    return null;
  }
}

/** The Set-Cookie value: HttpOnly, SameSite=Lax (the provider's redirect back is a top-level GET), only /api/auth. */
export function ssoFlowCookie(value: string, secure: boolean, maxAge = SSO_FLOW_SECONDS): string {
  return `${SSO_FLOW_COOKIE}=${value}; Path=/api/auth; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
