import crypto from "node:crypto";
import { canonicalContext, type EncryptionContext } from "@/lib/crypto/aad";
import { DecryptionError } from "@/lib/crypto/errors";
import { gcmOpen, gcmSeal, IV_BYTES, KEY_BYTES, TAG_BYTES } from "@/lib/crypto/gcm";
import type { DataKey, HealthReport, KeyProvider, KeyRef, WrappedDataKey } from "@/lib/crypto/key-provider";

/**
 * The embedded provider: a keyring of 32-byte key-encryption keys (KEKs) held in process memory,
 * loaded by local-keyring.ts. A data key is wrapped with AES-256-GCM under the active KEK; the
 * wrap's associated data is the KEK id plus the canonical encryption context, so a wrapped key
 * moved to another row (or relabelled with another key id) does not unwrap.
 *
 * Wrapped key layout (61 bytes): 0x01 | iv (12) | encrypted data key (32) | tag (16).
 * Local keys have no separate versions: keyVersion === keyId.
 */
export interface LocalKey {
  id: string;
  key: Buffer;
}

const WRAP_FORMAT = 0x01;
const WRAPPED_BYTES = 1 + IV_BYTES + KEY_BYTES + TAG_BYTES;

export class LocalKeyProvider implements KeyProvider {
  readonly name = "local" as const;
  private readonly keys = new Map<string, Buffer>();
  private readonly activeId: string;

  /** `activeId` defaults to the last key listed (the newest, by convention). */
  constructor(keys: LocalKey[], activeId?: string) {
    for (const { id, key } of keys) {
      if (key.length !== KEY_BYTES) throw new RangeError(`local KMS key "${id}" must be ${KEY_BYTES} bytes`);
      if (this.keys.has(id)) throw new RangeError(`local KMS key "${id}" is listed twice`);
      this.keys.set(id, Buffer.from(key)); // our own copy: the caller may wipe theirs
    }
    const active = activeId ?? keys.at(-1)?.id;
    if (!active || !this.keys.has(active)) throw new RangeError(`local KMS active key "${active ?? ""}" is not in the keyring`);
    this.activeId = active;
  }

  hasKey(id: string): boolean {
    return this.keys.has(id);
  }

  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const plaintextKey = crypto.randomBytes(KEY_BYTES);
    return { plaintextKey, ...this.wrapSync(plaintextKey, context) };
  }

  async wrap(plaintextKey: Buffer, context: EncryptionContext): Promise<WrappedDataKey> {
    return this.wrapSync(plaintextKey, context);
  }

  async unwrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<Buffer> {
    const ref = { provider: this.name, keyId, keyVersion };
    const kek = this.keys.get(keyId);
    if (!kek || keyVersion !== keyId) throw new DecryptionError("key-unavailable", ref);
    if (wrappedKey.length !== WRAPPED_BYTES || wrappedKey[0] !== WRAP_FORMAT) throw new DecryptionError("malformed", ref);
    const iv = wrappedKey.subarray(1, 1 + IV_BYTES);
    const ciphertext = wrappedKey.subarray(1 + IV_BYTES, 1 + IV_BYTES + KEY_BYTES);
    const tag = wrappedKey.subarray(1 + IV_BYTES + KEY_BYTES);
    try {
      return gcmOpen(kek, { iv, ciphertext, tag }, wrapAAD(keyId, context));
    } catch (e) {
      throw e instanceof DecryptionError ? new DecryptionError(e.reason, ref) : e;
    }
  }

  async rewrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<WrappedDataKey> {
    const plaintextKey = await this.unwrap(wrappedKey, keyId, keyVersion, context);
    try {
      return this.wrapSync(plaintextKey, context);
    } finally {
      plaintextKey.fill(0);
    }
  }

  async activeKey(): Promise<KeyRef> {
    return { provider: this.name, keyId: this.activeId, keyVersion: this.activeId };
  }

  async health(): Promise<HealthReport> {
    return {
      ok: true,
      provider: this.name,
      keyId: this.activeId,
      keyVersion: this.activeId,
      detail: `${this.keys.size} key(s) in the keyring, active "${this.activeId}"`,
    };
  }

  private wrapSync(plaintextKey: Buffer, context: EncryptionContext): WrappedDataKey {
    if (plaintextKey.length !== KEY_BYTES) throw new RangeError(`data keys are ${KEY_BYTES} bytes`);
    const { iv, ciphertext, tag } = gcmSeal(this.keys.get(this.activeId)!, plaintextKey, wrapAAD(this.activeId, context));
    const wrappedKey = Buffer.concat([Buffer.of(WRAP_FORMAT), iv, ciphertext, tag]);
    return { wrappedKey, keyId: this.activeId, keyVersion: this.activeId };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `LocalKeyProvider { keys: ${JSON.stringify(this.keyIds())}, active: "${this.activeId}" }`;
  }
}

/** Key ids are restricted (see local-keyring.ts) and never contain NUL, so this is unambiguous. */
function wrapAAD(keyId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([Buffer.from(`portcullis/local-wrap/v1\0${keyId}\0`), canonicalContext(context)]);
}
