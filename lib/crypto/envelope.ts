import crypto from "node:crypto";
import { buildAAD, type AssociatedData, type SecretAAD } from "./aad";
import type { TtlCache } from "./cache";
import { DecryptionError } from "./errors";
import { gcmOpen, gcmSeal, IV_BYTES, KEY_BYTES, TAG_BYTES } from "./gcm";
import { PROVIDER_NAMES, sameKey, type KeyProvider, type KeyRef, type ProviderName } from "./key-provider";

/**
 * Envelope encryption of one secret: a fresh 32-byte data key per secret (from the KMS), the
 * secret sealed with AES-256-GCM under it (random 96-bit IV, the row's canonical associated data
 * as AAD), and the data key stored only in wrapped form beside the ciphertext.
 *
 * SealedSecret is a plain JSON-able object with base64 fields rather than one opaque blob: the
 * provider/key/version must be queryable columns (status counts, rewrap selection, "is this key
 * still used?"), and a rewrap must be able to replace the wrapped key and key fields while leaving
 * iv/ciphertext/tag byte-for-byte untouched. Binary fields are base64 (standard alphabet, padded).
 */
export const FORMAT_VERSION = 1;

export interface SealedSecret {
  formatVersion: 1;
  provider: ProviderName;
  keyId: string;
  keyVersion: string;
  wrappedKey: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface EnvelopeOptions {
  /** The active provider: new secrets and rewraps go under its active key. */
  provider: KeyProvider;
  /** The provider a stored secret names, if not the active one (after switching providers). */
  resolve?: (name: ProviderName) => KeyProvider;
  /** Unwrapped data keys by wrapped key; the hot path then skips the KMS. */
  dataKeyCache?: TtlCache<Buffer>;
}

export async function encryptSecret(plaintext: string | Uint8Array, aad: SecretAAD, opts: EnvelopeOptions): Promise<SealedSecret> {
  const ad = buildAAD(aad);
  const dataKey = await opts.provider.generateDataKey(ad.context);
  try {
    if (dataKey.plaintextKey.length !== KEY_BYTES) throw new RangeError("KMS returned a data key of the wrong size");
    const bytes = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
    const { iv, ciphertext, tag } = gcmSeal(dataKey.plaintextKey, bytes, ad.bytes);
    const sealed: SealedSecret = {
      formatVersion: FORMAT_VERSION,
      provider: opts.provider.name,
      keyId: dataKey.keyId,
      keyVersion: dataKey.keyVersion,
      wrappedKey: dataKey.wrappedKey.toString("base64"),
      iv: iv.toString("base64"),
      ciphertext: ciphertext.toString("base64"),
      tag: tag.toString("base64"),
    };
    // Read-after-write (e.g. "test connection" right after saving) then needs no KMS call.
    opts.dataKeyCache?.set(cacheKey(sealed, ad), Buffer.from(dataKey.plaintextKey));
    return sealed;
  } finally {
    dataKey.plaintextKey.fill(0);
  }
}

/** The plaintext, or DecryptionError — for any tampering, wrong AAD, unknown key or bad format. */
export async function decryptSecret(sealed: SealedSecret, aad: SecretAAD, opts: EnvelopeOptions): Promise<Buffer> {
  const parts = parseSealed(sealed);
  const ad = buildAAD(aad);
  const key = cacheKey(sealed, ad);
  const cached = opts.dataKeyCache?.get(key);
  // Used synchronously right after get(): an eviction can't wipe it in between.
  if (cached) return openWith(cached, parts, ad, sealed);
  const dataKey = await unwrapDataKey(sealed, parts.wrappedKey, ad, opts);
  try {
    const plaintext = openWith(dataKey, parts, ad, sealed);
    opts.dataKeyCache?.set(key, Buffer.from(dataKey));
    return plaintext;
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Moves a secret's wrapped data key to the active provider's active key. iv, ciphertext and tag
 * are carried over unchanged: the secret itself is never re-encrypted (nor decrypted).
 */
export async function rewrapSealed(sealed: SealedSecret, aad: SecretAAD, opts: EnvelopeOptions): Promise<SealedSecret> {
  const parts = parseSealed(sealed);
  const ad = buildAAD(aad);
  const target = opts.provider;
  let moved;
  if (sealed.provider === target.name) {
    moved = await target.rewrap(parts.wrappedKey, sealed.keyId, sealed.keyVersion, ad.context);
  } else {
    // Switching providers: unwrap with the old one, wrap the same data key with the new one.
    const dataKey = await unwrapDataKey(sealed, parts.wrappedKey, ad, opts);
    try {
      moved = await target.wrap(dataKey, ad.context);
    } finally {
      dataKey.fill(0);
    }
  }
  return {
    ...sealed,
    provider: target.name,
    keyId: moved.keyId,
    keyVersion: moved.keyVersion,
    wrappedKey: moved.wrappedKey.toString("base64"),
  };
}

export function keyRefOf(sealed: SealedSecret): KeyRef {
  return { provider: sealed.provider, keyId: sealed.keyId, keyVersion: sealed.keyVersion };
}

export function usesKey(sealed: SealedSecret, ref: KeyRef): boolean {
  return sameKey(keyRefOf(sealed), ref);
}

interface SealedParts {
  wrappedKey: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Validates shape and sizes; anything off is DecryptionError("malformed"), never a TypeError. */
export function parseSealed(value: unknown): SealedParts {
  const s = value as Partial<SealedSecret> | null;
  const ref = s && typeof s === "object" ? { provider: str(s.provider), keyId: str(s.keyId), keyVersion: str(s.keyVersion) } : undefined;
  const fail = (): never => {
    throw new DecryptionError("malformed", ref);
  };
  if (!s || typeof s !== "object" || s.formatVersion !== FORMAT_VERSION) fail();
  if (!PROVIDER_NAMES.includes(s!.provider as ProviderName) || !str(s!.keyId) || typeof s!.keyVersion !== "string") fail();
  const parts = {
    wrappedKey: b64(s!.wrappedKey) ?? fail(),
    iv: b64(s!.iv) ?? fail(),
    ciphertext: b64(s!.ciphertext) ?? fail(),
    tag: b64(s!.tag) ?? fail(),
  };
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES || parts.wrappedKey.length === 0) fail();
  return parts;
}

async function unwrapDataKey(sealed: SealedSecret, wrappedKey: Buffer, ad: AssociatedData, opts: EnvelopeOptions): Promise<Buffer> {
  const ref = keyRefOf(sealed);
  let provider: KeyProvider;
  try {
    provider = sealed.provider === opts.provider.name ? opts.provider : opts.resolve ? opts.resolve(sealed.provider) : fail();
  } catch (e) {
    // e.g. the old provider's configuration is gone: the key this secret needs is unavailable.
    if ((e as Error)?.name === "ConfigError" || e instanceof DecryptionError) throw new DecryptionError("key-unavailable", ref);
    throw e;
  }
  const dataKey = await provider.unwrap(wrappedKey, sealed.keyId, sealed.keyVersion, ad.context);
  if (dataKey.length !== KEY_BYTES) {
    dataKey.fill(0);
    throw new DecryptionError("integrity", ref);
  }
  return dataKey;

  function fail(): never {
    throw new DecryptionError("key-unavailable", ref);
  }
}

function openWith(dataKey: Buffer, parts: SealedParts, ad: AssociatedData, sealed: SealedSecret): Buffer {
  try {
    return gcmOpen(dataKey, parts, ad.bytes);
  } catch (e) {
    throw e instanceof DecryptionError ? new DecryptionError(e.reason, keyRefOf(sealed)) : e;
  }
}

/** Binds a cached data key to its wrapped key, key reference and associated data. */
function cacheKey(sealed: SealedSecret, ad: AssociatedData): string {
  return crypto
    .createHash("sha256")
    .update(`${sealed.provider}\0${sealed.keyId}\0${sealed.keyVersion}\0${sealed.wrappedKey}\0`)
    .update(ad.bytes)
    .digest("base64");
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
function b64(v: unknown): Buffer | undefined {
  return typeof v === "string" && BASE64.test(v) ? Buffer.from(v, "base64") : undefined;
}
