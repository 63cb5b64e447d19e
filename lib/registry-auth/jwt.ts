import crypto from "node:crypto";

/**
 * The JWTs CNCF Distribution accepts from a token service (`auth: token`), as checked against
 * Distribution 2.8:
 * - ES256 over P-256, the signature as raw r‖s (64 bytes, JOSE form): Node's default DER
 *   encoding is rejected, hence `dsaEncoding: "ieee-p1363"`;
 * - the header names the key by `kid` = its libtrust key ID (an RFC 7638 thumbprint is not
 *   accepted), and a certificate of that key is in the registry's rootcertbundle;
 * - `aud` a single string equal to the registry's `service` (an array is rejected), `iss` equal
 *   to its `issuer`, `exp` required; Distribution allows 60 s of clock skew on `exp`/`nbf`.
 */

export interface RegistryAccess {
  /** "registry" only for the portal's own `registry:catalog:*` (lib/registry-auth/hosted-images.ts). */
  type: "repository" | "registry";
  name: string;
  actions: string[];
}

export interface RegistryClaims {
  iss: string;
  /** Becomes the notification's `actor.name`. */
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: RegistryAccess[];
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * libtrust's key ID (docker/libtrust `keyIDFromCryptoKey`): SHA-256 of the DER
 * SubjectPublicKeyInfo, its first 240 bits in base32 (RFC 4648 alphabet, no padding: 48
 * characters), as 12 groups of 4 joined by ":".
 */
export function libtrustKeyId(publicKey: crypto.KeyObject): string {
  const hash = crypto.createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest().subarray(0, 30);
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of hash) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out.match(/.{4}/g)!.join(":");
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** A compact JWS, ES256 with a raw r‖s signature, the key named by `kid`. */
export function signJwt(claims: object, key: crypto.KeyObject, kid: string): string {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new TypeError("registry tokens are signed with a P-256 (prime256v1) EC private key");
  }
  const head = b64url(JSON.stringify({ typ: "JWT", alg: "ES256", kid }));
  const body = b64url(JSON.stringify(claims));
  const sig = crypto.sign("sha256", Buffer.from(`${head}.${body}`), { key, dsaEncoding: "ieee-p1363" });
  return `${head}.${body}.${b64url(sig)}`;
}

export interface DecodedJwt {
  header: { alg?: string; kid?: string; typ?: string; [k: string]: unknown };
  claims: Record<string, unknown>;
  signature: Buffer;
}

/** The parts of a compact JWS, without checking anything (null when it is not one). */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as DecodedJwt["header"],
      claims: JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as Record<string, unknown>,
      signature: Buffer.from(parts[2]!, "base64url"),
    };
  } catch {
    return null;
  }
}

/** Verifies an ES256 (raw r‖s) token's signature; returns its decoded parts or null. */
export function verifyJwt(token: string, publicKey: crypto.KeyObject): DecodedJwt | null {
  const decoded = decodeJwt(token);
  if (!decoded || decoded.header.alg !== "ES256" || decoded.signature.length !== 64) return null;
  const signed = token.slice(0, token.lastIndexOf("."));
  const ok = crypto.verify("sha256", Buffer.from(signed), { key: publicKey, dsaEncoding: "ieee-p1363" }, decoded.signature);
  return ok ? decoded : null;
}
