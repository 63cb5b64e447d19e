import crypto from "node:crypto";
import { authSecret } from "./secret";

/** A random URL-safe token (256 bits). */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

/** Keyed hash of a bearer token for storage: a database dump alone gives no working tokens. */
export function hashToken(token: string, purpose: string): string {
  return crypto.createHmac("sha256", authSecret()).update(`${purpose}\0${token}`).digest("base64url");
}
