/**
 * Associated data: the ONE place that decides what a secret is bound to.
 *
 * A secret is bound to immutable ids of the row that owns it — team, record, field, purpose — so a
 * ciphertext copied to another row, field or team fails to decrypt. The same ids are:
 *  - the GCM additional authenticated data of the secret itself (`bytes`), and
 *  - the KMS encryption context under which its data key is wrapped (`context`; AWS takes the
 *    map, GCP/Vault/local take `canonicalContext(context)` — the same bytes).
 *
 * The canonical byte form is frozen (see INVARIANTS.md): changing it makes every stored secret
 * undecryptable.
 */
export interface SecretAAD {
  teamId: string;
  recordId: string;
  /** Which field of the record, e.g. "password", "secretAccessKey", "jsonKey". */
  field: string;
  /** What kind of secret, e.g. "registry-credential". */
  purpose: string;
}

export type EncryptionContext = Readonly<Record<string, string>>;

export interface AssociatedData {
  context: EncryptionContext;
  bytes: Buffer;
}

/** Domain tag: these bytes can never be confused with another use of the same key. */
const AAD_DOMAIN = "portcullis/secret/v1";
const MAX_VALUE_BYTES = 256;
const FIELDS = ["teamId", "recordId", "field", "purpose"] as const;

export function buildAAD(ids: SecretAAD): AssociatedData {
  const context: Record<string, string> = {};
  for (const name of FIELDS) {
    const value = ids[name];
    if (typeof value !== "string" || value.length === 0) {
      throw new TypeError(`associated data: ${name} must be a non-empty string`);
    }
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      throw new TypeError(`associated data: ${name} is longer than ${MAX_VALUE_BYTES} bytes`);
    }
    context[name] = value;
  }
  Object.freeze(context);
  return { context, bytes: canonicalContext(context) };
}

/**
 * Canonical bytes of a flat string map: the domain tag, then each entry in sorted key order as
 * length-prefixed UTF-8 (u32 big-endian). Length prefixes make the encoding injective: no choice
 * of values (with ":", "=", NULs…) can make two different maps produce the same bytes.
 */
export function canonicalContext(context: EncryptionContext): Buffer {
  const parts: Buffer[] = [lengthPrefixed(AAD_DOMAIN)];
  for (const key of Object.keys(context).sort()) {
    parts.push(lengthPrefixed(key), lengthPrefixed(context[key]!));
  }
  return Buffer.concat(parts);
}

function lengthPrefixed(s: string): Buffer {
  const body = Buffer.from(s, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}
