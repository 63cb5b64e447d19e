/**
 * The errors of lib/crypto. Their messages are built here from fixed text plus key *references*
 * (provider, key id, version) — never from key material, plaintext, or a service's raw response,
 * so they are safe to log and to show.
 */

/** Why a secret did not decrypt. A closed set so callers can branch without parsing messages. */
export type DecryptionFailure =
  /** Authentication failed: tampered bytes, associated data of another row/team, or a wrong key. */
  | "integrity"
  /** The key (or key version) the secret names is not available: unknown, retired, disabled. */
  | "key-unavailable"
  /** The stored value is not a well-formed sealed secret of a known format version. */
  | "malformed";

export interface KeyRefLike {
  provider?: string;
  keyId?: string;
  keyVersion?: string;
}

export function describeKey(ref: KeyRefLike): string {
  const id = ref.keyId ?? "?";
  const version = ref.keyVersion && ref.keyVersion !== ref.keyId ? `@${ref.keyVersion}` : "";
  return `${ref.provider ?? "?"}:${id}${version}`;
}

/** The one error for "this secret cannot be decrypted", whatever the cause. */
export class DecryptionError extends Error {
  readonly reason: DecryptionFailure;
  readonly key?: KeyRefLike;

  constructor(reason: DecryptionFailure, key?: KeyRefLike) {
    super(`Secret could not be decrypted (${reason}${key ? `, key ${describeKey(key)}` : ""})`);
    this.name = "DecryptionError";
    this.reason = reason;
    this.key = key;
  }
}

/**
 * The KMS could not be asked: network, throttling, permissions, a disabled key. Not a verdict on
 * the data — retrying later (or fixing the configuration) can succeed, unlike a DecryptionError.
 */
export class KmsError extends Error {
  override name = "KmsError";
}

/** A key (version) was asked to be retired while stored secrets still use it. */
export class KeyInUseError extends Error {
  override name = "KeyInUseError";
}

/** A service's error text, shortened and single-lined, for KmsError messages. */
export function brief(text: unknown, max = 160): string {
  const s = String(text ?? "").replace(/\s+/g, " ").trim();
  return s.length > max ? s.slice(0, max) + "…" : s;
}
