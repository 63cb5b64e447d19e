import crypto from "node:crypto";
import { authSecret } from "./secret";

/** A random URL-safe token (256 bits). */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

/**
 * Keyed hash (under AUTH_SECRET) of a session or invite token for storage: a database dump alone
 * gives no working tokens. Rotating AUTH_SECRET signs everyone out and voids open invite links.
 * License IDs and API tokens use their own keys (lib/auth/hash-keys.ts).
 */
export function hashToken(token: string, purpose: string): string {
  return crypto.createHmac("sha256", authSecret()).update(`${purpose}\0${token}`).digest("base64url");
}
