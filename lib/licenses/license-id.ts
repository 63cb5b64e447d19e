import crypto from "node:crypto";
import { hashCandidates, hashForStorage, hashUnder } from "@/lib/auth/hash-keys";

/**
 * License IDs are the customer's only credential: 160 random bits, URL-safe (27 characters; their syntax check is lib/licenses/license-login.ts).
 * They are looked up by a keyed hash (HMAC under the TOKEN_HASH_KEYS key, whose id is stored beside
 * it: lib/auth/hash-keys.ts), so a lookup is a unique-index probe on a value an attacker can't
 * compute, and a database dump alone gives no working IDs. A sealed copy (lib/crypto, purpose
 * "license-id") lets vendors see and copy the ID again, and lets `portcullis hashes rehash` move
 * the hash to a new key.
 */
const LICENSE_ID_BYTES = 20;
export const LICENSE_SECRET_PURPOSE = "license-id";

export function generateLicenseId(): string {
  return crypto.randomBytes(LICENSE_ID_BYTES).toString("base64url");
}

const HASH_PURPOSE = "license";

/** The columns to store for a new license ID: its hash under the active key, and that key's id. */
export function hashLicenseId(licenseId: string): { licenseIdHash: string; licenseIdHashKey: string } {
  const { hash, keyId } = hashForStorage(licenseId, HASH_PURPOSE);
  return { licenseIdHash: hash, licenseIdHashKey: keyId };
}

/** The (hash, key id) pairs a stored license ID may have: one per configured key and the legacy one. */
export function licenseIdHashCandidates(licenseId: string): Array<{ licenseIdHash: string; licenseIdHashKey: string }> {
  return hashCandidates(licenseId, HASH_PURPOSE).map((c) => ({ licenseIdHash: c.hash, licenseIdHashKey: c.keyId }));
}

/** The license ID's hash under one key id (null when that key isn't configured). */
export function licenseIdHashUnder(keyId: string, licenseId: string): string | null {
  return hashUnder(keyId, licenseId, HASH_PURPOSE);
}

/** The last characters, to recognise a license in lists without decrypting it. */
export function licenseIdHint(licenseId: string): string {
  return licenseId.slice(-4);
}
