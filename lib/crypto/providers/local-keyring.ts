import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError, type Env } from "@/lib/config/env";
import { parseKeyringEntries } from "@/lib/config/keyring-entries";
import { KEY_BYTES } from "@/lib/crypto/gcm";
import { LocalKeyProvider, type LocalKey } from "./local";

/**
 * Loads the local keyring from the environment:
 *   LOCAL_KMS_KEYS      "id:base64,id2:base64"
 *   LOCAL_KMS_KEY_FILE  the same entries, one per line or comma-separated ("#" starts a comment line)
 *   LOCAL_KMS_ACTIVE_KEY  which id wraps new data keys (default: the last listed)
 *
 * Nothing configured: in production that stops the start (ConfigError); in development a key is
 * generated once into <PORTCULLIS_DATA_DIR>/kms-local.key (mode 0600) with a warning, and reused.
 * A malformed or short key is an error everywhere — never a silent fallback to another key.
 * Error messages name the variable and the key id, never the key itself.
 */
export type LocalKmsEnv = Pick<
  Env,
  "NODE_ENV" | "PORTCULLIS_DATA_DIR" | "LOCAL_KMS_KEYS" | "LOCAL_KMS_KEY_FILE" | "LOCAL_KMS_ACTIVE_KEY"
>;

export interface LoadOptions {
  /** Generate the development key when nothing is configured (only when `local` is the active provider). */
  generateIfMissing?: boolean;
  warn?: (message: string) => void;
  /** Where news that needs no action goes (the development key generated on first start); default: `warn` if given, else stdout. */
  notice?: (message: string) => void;
}

export const DEV_KEY_FILE = "kms-local.key";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const defaultWarn = (message: string) => process.stderr.write(`portcullis: warning: ${message}\n`);
const defaultNotice = (message: string) => process.stdout.write(`portcullis: ${message}\n`);

export function localProviderFromEnv(source: LocalKmsEnv, options: LoadOptions = {}): LocalKeyProvider {
  const warn = options.warn ?? defaultWarn;
  const notice = options.notice ?? options.warn ?? defaultNotice;
  const { keys, variable } = loadKeys(source, options.generateIfMissing ?? true, warn, notice);
  const activeId = source.LOCAL_KMS_ACTIVE_KEY;
  if (activeId !== undefined && !keys.some((k) => k.id === activeId)) {
    throw new ConfigError(`Invalid configuration: LOCAL_KMS_ACTIVE_KEY names key "${activeId}", which is not in ${variable}`);
  }
  try {
    return new LocalKeyProvider(keys, activeId);
  } finally {
    for (const k of keys) k.key.fill(0); // the provider keeps its own copies
  }
}

function loadKeys(source: LocalKmsEnv, generate: boolean, warn: (m: string) => void, notice: (m: string) => void): { keys: LocalKey[]; variable: string } {
  if (source.LOCAL_KMS_KEYS && source.LOCAL_KMS_KEY_FILE) {
    throw new ConfigError("Invalid configuration: set LOCAL_KMS_KEYS or LOCAL_KMS_KEY_FILE, not both");
  }
  if (source.LOCAL_KMS_KEYS) return { keys: parseKeyring(source.LOCAL_KMS_KEYS, "LOCAL_KMS_KEYS"), variable: "LOCAL_KMS_KEYS" };
  if (source.LOCAL_KMS_KEY_FILE) {
    const file = source.LOCAL_KMS_KEY_FILE;
    return { keys: parseKeyring(readKeyFile(file, "LOCAL_KMS_KEY_FILE", warn), "LOCAL_KMS_KEY_FILE"), variable: "LOCAL_KMS_KEY_FILE" };
  }
  if (source.NODE_ENV === "production") {
    throw new ConfigError(
      "Invalid configuration: LOCAL_KMS_KEYS (or LOCAL_KMS_KEY_FILE) is required when NODE_ENV=production and KMS_PROVIDER=local: no local KMS key is configured",
    );
  }
  const file = path.resolve(source.PORTCULLIS_DATA_DIR, DEV_KEY_FILE);
  const variable = `the development key file ${file}`;
  if (!generate && !fs.existsSync(file)) {
    throw new ConfigError("Invalid configuration: LOCAL_KMS_KEYS is not set and no development key file exists");
  }
  return { keys: parseKeyring(generate ? devKeyText(file, warn, notice) : readKeyFile(file, variable, warn), variable), variable };
}

/** Parses `id:base64` entries separated by commas or newlines ("#" starts a comment line). */
function parseKeyring(text: string, variable: string): LocalKey[] {
  return parseKeyringEntries(text, variable, "base64key").map(({ id, value: encoded }) => {
    if (!BASE64.test(encoded)) throw new ConfigError(`Invalid configuration: ${variable} key "${id}" is not valid base64`);
    const key = Buffer.from(encoded, "base64");
    if (key.length !== KEY_BYTES) {
      key.fill(0);
      throw new ConfigError(
        `Invalid configuration: ${variable} key "${id}" is ${key.length} bytes; it must be ${KEY_BYTES} random bytes in base64 (openssl rand -base64 32)`,
      );
    }
    return { id, key };
  });
}

function readKeyFile(file: string, variable: string, warn: (m: string) => void): string {
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.statSync(file);
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`Invalid configuration: ${variable} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}: ${file})`);
  }
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
    warn(`${file} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  return text;
}

/** Reads the development key, generating it on first use. `wx` makes concurrent first starts agree. */
function devKeyText(file: string, warn: (m: string) => void, notice: (m: string) => void): string {
  if (fs.existsSync(file)) return readKeyFile(file, `the development key file ${file}`, warn);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const id = `dev-${crypto.randomBytes(4).toString("hex")}`;
  const key = crypto.randomBytes(KEY_BYTES);
  const text = `# Portcullis development KMS key (local provider). Secrets encrypted with it are lost without it.\n${id}:${key.toString("base64")}\n`;
  key.fill(0);
  try {
    fs.writeFileSync(file, text, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return readKeyFile(file, `the development key file ${file}`, warn);
    throw e;
  }
  notice(
    `no LOCAL_KMS_KEYS configured: generated a development KMS key "${id}" in ${file} (mode 0600). ` +
      "Back it up; set LOCAL_KMS_KEYS or LOCAL_KMS_KEY_FILE in production.",
  );
  return text;
}
