import crypto from "node:crypto";
import { crc32 } from "node:zlib";
import { hashCandidates, hashForStorage } from "@/lib/auth/hash-keys";

/**
 * API token format: `<prefix>_<30 random base62 characters><6 base62 characters of CRC32>`, e.g.
 * `pcs_4kT…`. 30 base62 characters carry ~178 random bits. The prefix names the kind, so a secret
 * scanner (GitHub, gitleaks, trufflehog) can match `\bpc[ust]_[0-9A-Za-z]{36}\b` and tell leaked
 * tokens apart from random strings by the checksum, without asking Portcullis; the portal also
 * refuses a mistyped token by its checksum before any database lookup.
 */
const tokenPrefixes = { user: "pcu", service_account: "pcs", team: "pct" } as const;
type TokenKind = keyof typeof tokenPrefixes;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_CHARS = 30;
const CHECKSUM_CHARS = 6;
const HASH_PURPOSE = "api-token";
export const TOKEN_PATTERN = /^(pcu|pcs|pct)_([0-9A-Za-z]{36})$/;

function randomBase62(n: number): string {
  let out = "";
  while (out.length < n) {
    for (const byte of crypto.randomBytes(n * 2)) {
      // Rejection sampling: 248 = 4 * 62 keeps every character equally likely.
      if (byte < 248 && out.length < n) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function base62Fixed(value: number, width: number): string {
  let out = "";
  let v = value >>> 0;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out;
}

const checksumOf = (prefix: string, random: string) => base62Fixed(crc32(`${prefix}_${random}`), CHECKSUM_CHARS);

/** A new token of a kind, its keyed hash and that key's id (what is stored) and its hint (what lists show). */
export function newApiToken(kind: TokenKind) {
  const prefix = tokenPrefixes[kind];
  const random = randomBase62(RANDOM_CHARS);
  const token = `${prefix}_${random}${checksumOf(prefix, random)}`;
  const { hash, keyId } = hashForStorage(token, HASH_PURPOSE);
  return { token, tokenHash: hash, tokenHashKey: keyId, tokenHint: tokenHintOf(token) };
}

/** The kind a well-formed token claims by its prefix, or null for anything else (bad checksum too). */
export function parseApiToken(token: string): TokenKind | null {
  const m = TOKEN_PATTERN.exec(token);
  if (!m) return null;
  const [, prefix, body] = m as unknown as [string, string, string];
  const random = body.slice(0, RANDOM_CHARS);
  if (checksumOf(prefix, random) !== body.slice(RANDOM_CHARS)) return null;
  const kind = (Object.keys(tokenPrefixes) as TokenKind[]).find((k) => tokenPrefixes[k] === prefix);
  return kind ?? null;
}

/**
 * The (hash, key id) pairs a stored token may have: one per configured TOKEN_HASH_KEYS key and the
 * legacy AUTH_SECRET one (lib/auth/hash-keys.ts). Tokens can't be rehashed (only their hash is
 * stored), so a token keeps its key for life and works while that key is configured.
 */
export function apiTokenHashCandidates(token: string): Array<{ tokenHash: string; tokenHashKey: string }> {
  return hashCandidates(token, HASH_PURPOSE).map((c) => ({ tokenHash: c.hash, tokenHashKey: c.keyId }));
}

/** Prefix and four characters: enough to recognise a token in a list, useless to an attacker. */
export function tokenHintOf(token: string): string {
  return token.slice(0, 8);
}
