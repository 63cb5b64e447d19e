import crypto from "node:crypto";
import { env, type Env } from "@/lib/config/env";
import { generatedSecret } from "@/lib/config/data-dir";

/**
 * PROXY_SERVICE_TOKEN: the shared secret the proxy presents to the portal's internal API.
 * Required in production; in development (unset) one is generated once into the data directory,
 * and the launcher hands the same value to the proxy it starts.
 */
export const PROXY_TOKEN_FILE = "proxy-service-token";

/** The token, or undefined in production when it is not configured (the internal API then refuses everything). */
export function proxyServiceToken(e: Pick<Env, "PROXY_SERVICE_TOKEN" | "NODE_ENV"> = env()): string | undefined {
  if (e.PROXY_SERVICE_TOKEN) return e.PROXY_SERVICE_TOKEN;
  if (e.NODE_ENV === "production") return undefined;
  return generatedSecret(PROXY_TOKEN_FILE);
}

/** Constant-time check of `Authorization: Bearer <token>` (hashing first makes the lengths equal). */
export function isServiceAuthorized(authorization: string | null | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const presented = m?.[1] ?? "";
  const a = crypto.createHash("sha256").update(presented).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b) && presented.length > 0;
}
