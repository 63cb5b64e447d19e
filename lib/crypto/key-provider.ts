import type { EncryptionContext } from "./aad";

/**
 * What envelope encryption needs from a KMS. Every provider (local keyring, AWS KMS, Cloud KMS,
 * Vault transit) implements it and passes the same contract suite (providers.contract.test.ts).
 *
 * Key references are plain strings. For providers whose keys carry no visible versions (local,
 * AWS KMS — AWS rotates backing keys inside the same key transparently), keyVersion === keyId.
 */
export type ProviderName = "local" | "aws-kms" | "gcp-kms" | "vault-transit";
export const PROVIDER_NAMES: readonly ProviderName[] = ["local", "aws-kms", "gcp-kms", "vault-transit"];

export interface KeyRef {
  provider: ProviderName;
  keyId: string;
  keyVersion: string;
}

export interface WrappedDataKey {
  wrappedKey: Buffer;
  keyId: string;
  keyVersion: string;
}

export interface DataKey extends WrappedDataKey {
  /** 32 bytes. The caller zero-fills it when done. */
  plaintextKey: Buffer;
}

export interface HealthReport {
  ok: boolean;
  provider: ProviderName;
  keyId?: string;
  keyVersion?: string;
  /** One line, no secrets. */
  detail: string;
}

export interface KeyProvider {
  readonly name: ProviderName;
  /** A fresh random 32-byte data key and its wrapping under the active key, bound to `context`. */
  generateDataKey(context: EncryptionContext): Promise<DataKey>;
  /** Wraps an existing data key under the active key (used to move keys between providers). */
  wrap(plaintextKey: Buffer, context: EncryptionContext): Promise<WrappedDataKey>;
  /** Throws DecryptionError when the wrapped key, its key or its context don't match. */
  unwrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<Buffer>;
  /** Moves a wrapped key to the active key/version (server-side where the KMS can). */
  rewrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<WrappedDataKey>;
  /** The key/version new data keys are wrapped under right now. */
  activeKey(): Promise<KeyRef>;
  health(): Promise<HealthReport>;
}

export function sameKey(a: KeyRef, b: KeyRef): boolean {
  return a.provider === b.provider && a.keyId === b.keyId && a.keyVersion === b.keyVersion;
}
