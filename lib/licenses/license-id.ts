import crypto from "node:crypto";
import { hashToken } from "@/lib/auth/tokens";

/**
 * License IDs are the customer's only credential: 160 random bits, URL-safe (27 characters).
 * They are looked up by a keyed hash (HMAC under AUTH_SECRET), so a lookup is a unique-index
 * probe on a value an attacker can't compute, and a database dump alone gives no working IDs.
 * A sealed copy (lib/crypto, purpose "license-id") lets vendors see and copy the ID again.
 */
export const LICENSE_ID_BYTES = 20;
export const LICENSE_SECRET_PURPOSE = "license-id";

export function generateLicenseId(): string {
  return crypto.randomBytes(LICENSE_ID_BYTES).toString("base64url");
}

export function hashLicenseId(licenseId: string): string {
  return hashToken(licenseId, "license");
}

/** The last characters, to recognise a license in lists without decrypting it. */
export function licenseIdHint(licenseId: string): string {
  return licenseId.slice(-4);
}

/** Syntactic check before any lookup: bad input never reaches the database. */
export function looksLikeLicenseId(value: string): boolean {
  return /^[A-Za-z0-9_-]{20,64}$/.test(value);
}
