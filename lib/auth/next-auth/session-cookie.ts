import { decode } from "next-auth/jwt";
import { authSecret } from "@/lib/auth/secret";

/**
 * next-auth's session cookie: its name (next-auth's defaults, with the `__Secure-` prefix over
 * HTTPS) and what the portal reads from it — the id of a `Session` row, nothing else.
 */
export const JWT_COOKIE = "next-auth.session-token";
export const SECURE_JWT_COOKIE = "__Secure-next-auth.session-token";

export interface CookieReader {
  get(name: string): { value: string } | undefined;
}

/** The session row id in the request's next-auth cookie, or null (no cookie, tampered, expired). */
export async function sessionIdFromJwtCookie(cookies: CookieReader): Promise<string | null> {
  for (const name of [SECURE_JWT_COOKIE, JWT_COOKIE]) {
    const value = cookies.get(name)?.value;
    if (!value) continue;
    try {
      const token = await decode({ token: value, secret: authSecret() });
      if (token && typeof token.sid === "string") return token.sid;
    } catch {
      // A cookie that doesn't decrypt under AUTH_SECRET is no session (the secret was rotated, or it was forged).
    }
  }
  return null;
}
