import crypto from "node:crypto";
import { DecryptionError } from "./errors";

/**
 * AES-256-GCM with a random 96-bit IV and a full 128-bit tag — the only cipher Portcullis uses
 * directly (envelope.ts for secrets, providers/local.ts for wrapping data keys).
 *
 * Random IVs are safe here because every key encrypts very few messages: a data key seals exactly
 * one secret, and a local key-encryption key wraps one 32-byte key per secret written (the 2^-32
 * collision bound for random 96-bit IVs allows ~4 billion wraps per key; rotate long before).
 */
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface GcmSealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function gcmSeal(key: Buffer, plaintext: Uint8Array, aad: Buffer): GcmSealed {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws DecryptionError("integrity") when the tag does not verify; never returns unverified bytes. */
export function gcmOpen(key: Buffer, sealed: GcmSealed, aad: Buffer): Buffer {
  if (key.length !== KEY_BYTES || sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
    throw new DecryptionError("malformed");
  }
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  const head = decipher.update(sealed.ciphertext);
  try {
    // final() verifies the tag; until it passes, `head` is unauthenticated and must not escape.
    return Buffer.concat([head, decipher.final()]);
  } catch {
    throw new DecryptionError("integrity");
  } finally {
    head.fill(0); // concat copied it; wipe the unauthenticated (or now duplicated) bytes
  }
}
