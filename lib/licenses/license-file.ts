import crypto from "node:crypto";
import { dump, load } from "js-yaml";

/**
 * The license file a vendor hands a customer: YAML, signed with the team's Ed25519 key
 * (lib/licenses/signing-key.ts). Framework-free, so an installer can verify one offline.
 *
 *   apiVersion: portcullis.dev/v1
 *   kind: License
 *   spec: { licenseId, licenseType, appSlug, …, issuedAt, expiresAt }
 *   signature: { algorithm: Ed25519, keyId, value }
 *
 * `signature.value` is the base64 Ed25519 signature of the *canonical JSON* of
 * `{apiVersion, kind, spec}`: object keys sorted by UTF-16 code unit (JavaScript's default sort),
 * no whitespace, strings escaped as JSON.stringify does. Every spec value is a string or null, so
 * there is no number formatting to disagree on. To verify without Portcullis:
 *
 *   yq -jcS '{apiVersion, kind, spec}' license.yaml > payload.json     # Debian's yq (a jq wrapper)
 *   yq -r '.signature.value' license.yaml | base64 -d > sig.bin
 *   openssl pkeyutl -verify -pubin -inkey license-signing-key.pem -rawin -in payload.json -sigfile sig.bin
 *
 * (or call `verifyLicenseFile` below). A valid signature proves the vendor issued this license
 * with these terms; whether it is still active (not revoked) is only known online, at pull time.
 */
const LICENSE_API_VERSION = "portcullis.dev/v1";

export interface LicenseClaims {
  licenseId: string;
  licenseType: string;
  appSlug: string;
  appName: string;
  customerId: string;
  customerName: string;
  customerEmail: string | null;
  vendorTeamId: string;
  vendorName: string;
  /** The license row's id in the vendor's portal (for support), not a credential. */
  licenseRef: string;
  issuedAt: string;
  expiresAt: string | null;
  proxyUrl: string | null;
  registryUrl: string | null;
}

interface LicenseSignature {
  algorithm: "Ed25519";
  keyId: string;
  value: string;
}

/** First 16 hex characters of the SHA-256 of the public key's SPKI DER: names a signing key. */
export function keyIdOf(publicKey: crypto.KeyObject): string {
  return crypto.createHash("sha256").update(publicKey.export({ format: "der", type: "spki" })).digest("hex").slice(0, 16);
}

/** Deterministic JSON: sorted keys, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

const signedPart = (spec: unknown) => Buffer.from(canonicalJson({ apiVersion: LICENSE_API_VERSION, kind: "License", spec }), "utf8");

export function signLicense(claims: LicenseClaims, key: { privateKey: crypto.KeyObject; keyId: string }): string {
  const spec = { ...claims };
  const signature: LicenseSignature = {
    algorithm: "Ed25519",
    keyId: key.keyId,
    value: crypto.sign(null, signedPart(spec), key.privateKey).toString("base64"),
  };
  const header = [
    `# Portcullis license: ${claims.customerName} — ${claims.appName} (${claims.licenseType})`,
    "# spec.licenseId is the customer's credential: keep this file secret.",
    `# Signed with the vendor's Ed25519 key ${key.keyId}; verify offline with the vendor's public key.`,
  ].join("\n");
  return `${header}\n${dump({ apiVersion: LICENSE_API_VERSION, kind: "License", spec, signature }, { lineWidth: -1 })}`;
}

type LicenseVerification =
  | { ok: true; claims: LicenseClaims; keyId: string; expired: boolean }
  | { ok: false; reason: "malformed" | "wrong_key" | "bad_signature" };

/** Checks a license file's signature against a public key (PEM). Offline: no network, no database. */
export function verifyLicenseFile(text: string, publicKeyPem: string, now = Date.now()): LicenseVerification {
  let doc: unknown;
  try {
    doc = load(text);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const d = doc as { apiVersion?: unknown; kind?: unknown; spec?: unknown; signature?: Partial<LicenseSignature> } | null;
  if (!d || d.apiVersion !== LICENSE_API_VERSION || d.kind !== "License" || typeof d.spec !== "object" || !d.spec) return { ok: false, reason: "malformed" };
  const sig = d.signature;
  if (!sig || sig.algorithm !== "Ed25519" || typeof sig.value !== "string" || typeof sig.keyId !== "string") return { ok: false, reason: "malformed" };
  let publicKey: crypto.KeyObject;
  try {
    publicKey = crypto.createPublicKey(publicKeyPem);
  } catch {
    return { ok: false, reason: "wrong_key" };
  }
  const keyId = keyIdOf(publicKey);
  if (keyId !== sig.keyId) return { ok: false, reason: "wrong_key" };
  const valid = crypto.verify(null, signedPart(d.spec), publicKey, Buffer.from(sig.value, "base64"));
  if (!valid) return { ok: false, reason: "bad_signature" };
  const claims = d.spec as LicenseClaims;
  const expired = claims.expiresAt !== null && Date.parse(claims.expiresAt) <= now;
  return { ok: true, claims, keyId, expired };
}
