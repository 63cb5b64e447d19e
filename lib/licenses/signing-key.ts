import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
import { secrets, type SealedSecret, type SecretAAD } from "@/lib/crypto";
import { isUniqueViolation } from "@/lib/errors";
import { keyIdOf } from "./license-file";

/**
 * The Ed25519 key that signs a team's license files. One key per team, generated on first use
 * and sealed by lib/crypto like every other secret (EncryptedSecret, purpose
 * "license-signing-key"), so `portcullis kms rewrap` rotates its wrapping with the rest.
 *
 * Why per team rather than one key for the installation: a vendor ships the public key inside its
 * own installer, so the key is the vendor's, and a license can only be verified as coming from
 * that vendor; one team's key leaking (or being rotated) touches no other team; and the sealed row
 * belongs to a team like every other secret, with no installation-wide row to special-case.
 */
export const SIGNING_KEY_PURPOSE = "license-signing-key";
const RECORD_ID = "license-signing-key";
const FIELD = "ed25519PrivateKey";

const aad = (teamId: string): SecretAAD => ({ teamId, recordId: RECORD_ID, field: FIELD, purpose: SIGNING_KEY_PURPOSE });

export interface LicenseSigningKey {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  /** Names the key in license files (see keyIdOf). */
  keyId: string;
}

interface PublicSigningKey {
  algorithm: "Ed25519";
  keyId: string;
  publicKeyPem: string;
}

const sealedColumns = { formatVersion: true, provider: true, keyId: true, keyVersion: true, wrappedKey: true, iv: true, ciphertext: true, tag: true } as const;

async function load(db: Db, teamId: string): Promise<LicenseSigningKey | null> {
  const row = await db.encryptedSecret.findUnique({
    where: { teamId_recordId_field: { teamId, recordId: RECORD_ID, field: FIELD } },
    select: sealedColumns,
  });
  if (!row) return null;
  const der = await secrets.decryptBytes(row as SealedSecret, aad(teamId));
  try {
    const privateKey = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    const publicKey = crypto.createPublicKey(privateKey);
    return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
  } finally {
    der.fill(0);
  }
}

/** The team's signing key, created on first use (concurrent first uses agree on one key). */
export async function teamSigningKey(db: Db, teamId: string): Promise<LicenseSigningKey> {
  const existing = await load(db, teamId);
  if (existing) return existing;
  const { privateKey } = crypto.generateKeyPairSync("ed25519");
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  try {
    const sealed = await secrets.encrypt(der, aad(teamId));
    await db.encryptedSecret.create({ data: { teamId, recordId: RECORD_ID, field: FIELD, purpose: SIGNING_KEY_PURPOSE, ...sealed } });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  } finally {
    der.fill(0);
  }
  const created = await load(db, teamId);
  if (!created) throw new Error("license signing key vanished after creation");
  return created;
}

export async function teamPublicSigningKey(db: Db, teamId: string): Promise<PublicSigningKey> {
  const key = await teamSigningKey(db, teamId);
  return { algorithm: "Ed25519", keyId: key.keyId, publicKeyPem: key.publicKey.export({ format: "pem", type: "spki" }).toString() };
}
