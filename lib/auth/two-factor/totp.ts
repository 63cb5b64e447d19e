import crypto from "node:crypto";

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) with node:crypto: 30-second steps, 6 digits, HMAC-SHA-1 —
 * what every authenticator app uses — accepting the step before and after the current one for
 * clock drift. The algorithm and digits are parameters only so the RFC's test vectors can be checked.
 */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted on either side of the current one. */
export const TOTP_DRIFT_STEPS = 1;

export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

/** HOTP: the code for one counter value (RFC 4226 §5.3, dynamic truncation). */
export function hotp(secret: Buffer, counter: bigint, digits = TOTP_DIGITS, algorithm: TotpAlgorithm = "sha1"): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const mac = crypto.createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return binary.toString().padStart(digits, "0");
}

/** The 30-second step a moment falls in. */
export function stepAt(timeMs: number): bigint {
  return BigInt(Math.floor(timeMs / 1000 / TOTP_STEP_SECONDS));
}

/** The code for a moment. */
export function totp(secret: Buffer, timeMs: number, opts: { digits?: number; algorithm?: TotpAlgorithm } = {}): string {
  return hotp(secret, stepAt(timeMs), opts.digits, opts.algorithm);
}

/**
 * The step whose code `code` is, among the current step and its neighbours, or null. Compared in
 * constant time. The caller refuses a step at or before the last one used (a code is good once).
 */
export function matchingStep(secret: Buffer, code: string, timeMs: number): bigint | null {
  if (!/^\d{6}$/.test(code)) return null;
  const now = stepAt(timeMs);
  let found: bigint | null = null;
  for (let d = -TOTP_DRIFT_STEPS; d <= TOTP_DRIFT_STEPS; d++) {
    const step = now + BigInt(d);
    if (crypto.timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code))) found ??= step;
  }
  return found;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 without padding: how authenticator apps take a secret. */
export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new TypeError("not base32");
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 160 random bits, as RFC 4226 recommends for HMAC-SHA-1. */
export function newTotpSecret(): Buffer {
  return crypto.randomBytes(20);
}

/** The otpauth:// URI authenticator apps read (as a QR code or pasted). */
export function otpauthUri(secret: Buffer, account: string, issuer = "Portcullis"): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({ secret: base32Encode(secret), issuer, algorithm: "SHA1", digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${params}`;
}
