import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError, env, type Env } from "@/lib/config/env";
import { dataDir } from "@/lib/config/data-dir";
import { parseKeyringEntries } from "@/lib/config/keyring-entries";
import { authSecret } from "./secret";

/**
 * The keys of the keyed hashes that license IDs and API tokens are looked up by, separate from
 * AUTH_SECRET (which keys only sessions and invites), so rotating one doesn't touch the other.
 *
 *   TOKEN_HASH_KEYS        "id:secret,id2:secret2" (secrets of at least 32 characters)
 *   TOKEN_HASH_ACTIVE_KEY  the id new hashes use (default: the last listed)
 *
 * Each stored hash carries the id of its key (License.licenseIdHashKey, ApiToken.tokenHashKey).
 * A lookup tries every configured key and the legacy one, so a key added and made active keeps
 * every older hash working; `portcullis hashes rehash` moves license IDs to the active key (from
 * their sealed copies); API tokens can't be rehashed (there is no plaintext to hash) and keep
 * verifying under their key for as long as it stays configured.
 *
 * The legacy key "auth-secret" is AUTH_SECRET itself: what every hash was keyed with before
 * these keys existed (the migration marks existing rows with it). It is always tried while it
 * is the key of some row; new hashes never use it.
 *
 * In development with nothing configured, a key is generated once into
 * <PORTCULLIS_DATA_DIR>/token-hash-keys (mode 0600). Production requires TOKEN_HASH_KEYS.
 */
export const LEGACY_HASH_KEY = "auth-secret";
const DEV_HASH_KEY_FILE = "token-hash-keys";
const MIN_SECRET = 32;

export interface HashKey {
  id: string;
  secret: string;
}

export interface HashKeyring {
  active: HashKey;
  /** Every configured key (the active one included), in the order listed. */
  keys: HashKey[];
}

/** Parses `id:secret` entries separated by commas or newlines ("#" starts a comment line). */
export function parseHashKeys(text: string, variable: string): HashKey[] {
  return parseKeyringEntries(text, variable, "secret").map(({ id, value: secret }) => {
    if (id === LEGACY_HASH_KEY) throw new ConfigError(`Invalid configuration: ${variable} can't use the key id "${LEGACY_HASH_KEY}" (it names AUTH_SECRET's legacy hashes)`);
    if (secret.length < MIN_SECRET) throw new ConfigError(`Invalid configuration: ${variable} key "${id}" is shorter than ${MIN_SECRET} characters (openssl rand -base64 32)`);
    return { id, secret };
  });
}

export function hashKeyringFromEnv(source: Pick<Env, "NODE_ENV" | "TOKEN_HASH_KEYS" | "TOKEN_HASH_ACTIVE_KEY">, devKeyFile: () => string): HashKeyring {
  let keys: HashKey[];
  let variable = "TOKEN_HASH_KEYS";
  if (source.TOKEN_HASH_KEYS) keys = parseHashKeys(source.TOKEN_HASH_KEYS, variable);
  else if (source.NODE_ENV === "production") throw new ConfigError("Invalid configuration: TOKEN_HASH_KEYS is required when NODE_ENV=production");
  else {
    const file = devKeyFile();
    variable = `the development key file ${file}`;
    keys = parseHashKeys(devKeyText(file), variable);
  }
  const activeId = source.TOKEN_HASH_ACTIVE_KEY ?? keys[keys.length - 1]!.id;
  const active = keys.find((k) => k.id === activeId);
  if (!active) throw new ConfigError(`Invalid configuration: TOKEN_HASH_ACTIVE_KEY names key "${activeId}", which is not in ${variable}`);
  return { active, keys };
}

/** Reads the development key, generating it on first use; `wx` makes concurrent first starts agree. */
function devKeyText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const text = `# Portcullis development key for license ID and API token hashes. Licenses and tokens stop working without it.\ndev-${crypto.randomBytes(4).toString("hex")}:${crypto.randomBytes(32).toString("base64url")}\n`;
  try {
    fs.writeFileSync(file, text, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8");
    throw e;
  }
  return text;
}

let cached: { for: Env; ring: HashKeyring } | undefined;
/** This process's keyring (re-read when the environment is re-read, as tests do). */
export function hashKeyring(): HashKeyring {
  const e = env();
  if (cached?.for !== e) cached = { for: e, ring: hashKeyringFromEnv(e, () => path.join(dataDir(), DEV_HASH_KEY_FILE)) };
  return cached.ring;
}

const hmac = (secret: string, purpose: string, value: string) => crypto.createHmac("sha256", secret).update(`${purpose}\0${value}`).digest("base64url");

export interface KeyedHash {
  hash: string;
  keyId: string;
}

/** The hash to store for a new credential: under the active key. */
export function hashForStorage(value: string, purpose: string): KeyedHash {
  const { active } = hashKeyring();
  return { hash: hmac(active.secret, purpose, value), keyId: active.id };
}

/** The value's hash under a given key id, or null when that key isn't configured. */
export function hashUnder(keyId: string, value: string, purpose: string): string | null {
  if (keyId === LEGACY_HASH_KEY) return hmac(authSecret(), purpose, value);
  const key = hashKeyring().keys.find((k) => k.id === keyId);
  return key ? hmac(key.secret, purpose, value) : null;
}

/** Every hash a stored credential may have: the active key first, then older keys, then the legacy one. */
export function hashCandidates(value: string, purpose: string): KeyedHash[] {
  const { active, keys } = hashKeyring();
  const ordered = [active, ...keys.filter((k) => k !== active)];
  return [...ordered.map((k) => ({ hash: hmac(k.secret, purpose, value), keyId: k.id })), { hash: hmac(authSecret(), purpose, value), keyId: LEGACY_HASH_KEY }];
}
