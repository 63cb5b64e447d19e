import type { Db } from "@/lib/db/client";
import { verifyCredentials } from "@/lib/accounts/sign-in";
import { AppError } from "@/lib/errors";
import { isLicenseUsername } from "@/lib/licenses/license-login";
import { checkLicense } from "@/lib/licenses/verify";
import { authenticateBearer } from "@/lib/tokens/authenticate";
import { parseApiToken } from "@/lib/tokens/format";
import { signInSchema } from "@/lib/accounts/schemas";
import type { Principal } from "./grants";

/**
 * `docker login` credentials for the hosted registry, as the token request's Basic auth:
 * - any username with an API token as password (user, service-account and team tokens; the
 *   token's prefix and checksum decide, so the username is free: `token`, the email, anything);
 * - `LICENSE_ID` (any case: lib/licenses/license-login.ts) with a license ID as password;
 * - an account's email and password (rate-limited like the sign-in form).
 * No Authorization header at all is an anonymous request (a token with no access). Anything
 * that fails to authenticate is a 401: revoked or expired tokens and licenses included, so a
 * client sees "unauthorized" at login, not an empty grant it can't explain.
 */
const MAX_USERNAME = 320;
const MAX_PASSWORD = 1024;

export type CredentialCheck =
  | { ok: true; principal: Principal; username?: string }
  | { ok: false; status: 401 | 429; message: string; retryAfterSeconds?: number };

const refused = (message: string): CredentialCheck => ({ ok: false, status: 401, message });

/** `Basic base64(user:password)` → its two halves, or null for anything else. */
export function parseBasic(header: string): { username: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The Authorization header of a GET token request: none (anonymous) or HTTP Basic. */
export async function checkCredentials(db: Db, authorization: string | null, ip: string | null): Promise<CredentialCheck> {
  if (authorization === null || authorization.trim() === "") return { ok: true, principal: { kind: "anonymous" } };
  const basic = parseBasic(authorization);
  if (!basic) return refused("Send credentials with HTTP Basic authentication (docker login).");
  return checkUsernamePassword(db, basic, ip);
}

/**
 * A username and password however they came (Basic, or the OAuth2 password grant's form): an API
 * token under any username, LICENSE_ID and a license ID, or an account's email and password.
 */
export async function checkUsernamePassword(db: Db, { username, password }: { username: string; password: string }, ip: string | null): Promise<CredentialCheck> {
  if (username.length > MAX_USERNAME || password.length > MAX_PASSWORD || password === "") return refused("The username or password is not valid.");

  if (parseApiToken(password)) {
    const ctx = await authenticateBearer(db, password, { ip });
    if (!ctx?.token) return refused("The API token is invalid, expired or revoked.");
    return { ok: true, username, principal: { kind: "token", tokenId: ctx.token.id, teamId: ctx.teamId, role: ctx.role } };
  }

  if (isLicenseUsername(username)) {
    const result = await checkLicense(db, password);
    if (result.status === "invalid") return refused("The license ID is not valid.");
    if (result.status === "revoked") return refused("This license has been revoked.");
    if (result.status === "expired") return refused("This license has expired.");
    return { ok: true, username, principal: { kind: "license", license: result.license } };
  }

  const login = signInSchema.safeParse({ email: username, password });
  if (!login.success) return refused("Log in with your email and password, an API token (any username), or LICENSE_ID and a license ID.");
  try {
    const user = await verifyCredentials(db, login.data, ip);
    return { ok: true, username, principal: { kind: "user", userId: user.userId, email: user.email } };
  } catch (e) {
    if (e instanceof AppError && e.code === "unauthenticated") return refused(e.message);
    if (e instanceof AppError && e.code === "rate_limited") return { ok: false, status: 429, message: e.message, retryAfterSeconds: e.retryAfterSeconds };
    throw e;
  }
}
