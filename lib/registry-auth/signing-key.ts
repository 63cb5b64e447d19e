import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env as processEnv, type Env } from "@/lib/config/env";
import { secrets, type SealedSecret, type SecretAAD } from "@/lib/crypto";
import { libtrustKeyId } from "./jwt";

/**
 * The key that signs the hosted registry's tokens: one P-256 key for the installation (every
 * portal instance must sign with it, and Distribution trusts it through its rootcertbundle).
 *
 * Where it comes from:
 * - `REGISTRY_TOKEN_KEY_FILE`: a PEM private key file (PKCS#8 or SEC1), mounted like a TLS key.
 *   Production requires it: a key in one instance's data directory would not be shared with the
 *   others. Generate one with
 *   `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out registry-token.key`.
 * - otherwise, outside production: `<PORTCULLIS_DATA_DIR>/registry-token-key.json`, generated on
 *   first use, mode 0600, holding the key sealed by lib/crypto (the KMS wraps it like every other
 *   secret). It is not an EncryptedSecret row because that table's rows belong to a team, and this
 *   key belongs to the installation. `kms rewrap` does not see the file, so loading it rewraps it
 *   in place when it is not under the active KMS key.
 */
export const DEV_KEY_FILE = "registry-token-key.json";
const AAD: SecretAAD = { teamId: "installation", recordId: "registry-token-signing-key", field: "pkcs8PrivateKey", purpose: "registry-token-signing-key" };

export interface RegistrySigningKey {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  /** libtrust key ID of the public key: the JWT header's `kid`. */
  kid: string;
  /** Where the key came from, for messages (a path; never the key). */
  source: string;
}

/** The token service can't sign: production without REGISTRY_TOKEN_KEY_FILE, or an unusable key file. */
export class RegistryKeyError extends Error {
  override name = "RegistryKeyError";
}

function assertP256(key: crypto.KeyObject, source: string): void {
  if (key.type !== "private" || key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new RegistryKeyError(`${source} must hold a P-256 (prime256v1) EC private key for ES256 registry tokens`);
  }
}

function fromPrivateKey(privateKey: crypto.KeyObject, source: string): RegistrySigningKey {
  assertP256(privateKey, source);
  const publicKey = crypto.createPublicKey(privateKey);
  return { privateKey, publicKey, kid: libtrustKeyId(publicKey), source };
}

function fromFile(file: string): RegistrySigningKey {
  let pem: string;
  try {
    pem = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new RegistryKeyError(`REGISTRY_TOKEN_KEY_FILE cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}: ${file})`);
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(pem);
  } catch {
    throw new RegistryKeyError(`REGISTRY_TOKEN_KEY_FILE (${file}) is not an unencrypted PEM private key`);
  }
  return fromPrivateKey(key, `REGISTRY_TOKEN_KEY_FILE (${file})`);
}

interface DevKeyFile {
  about: string;
  sealed: SealedSecret;
}

async function sealNew(): Promise<DevKeyFile> {
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const der = privateKey.export({ type: "pkcs8", format: "der" });
  try {
    return {
      about: "Portcullis development key that signs the hosted registry's tokens (P-256, PKCS#8), sealed by lib/crypto. Production uses REGISTRY_TOKEN_KEY_FILE.",
      sealed: await secrets.encrypt(der, AAD),
    };
  } finally {
    der.fill(0);
  }
}

function readDevFile(file: string): DevKeyFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as DevKeyFile;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new RegistryKeyError(`${file} is not a readable registry token key file: delete it to generate a new key (then rewrite the registry config)`);
  }
}

async function fromDataDir(dataDir: string): Promise<RegistrySigningKey> {
  const file = path.join(dataDir, DEV_KEY_FILE);
  let stored = readDevFile(file);
  if (!stored) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const fresh = await sealNew();
    try {
      fs.writeFileSync(file, JSON.stringify(fresh, null, 2) + "\n", { mode: 0o600, flag: "wx" });
      stored = fresh;
    } catch (e) {
      // Another process (the launcher, a CLI run) created it first: use theirs.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      stored = readDevFile(file)!;
    }
  }
  const der = await secrets.decryptBytes(stored.sealed, AAD);
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } finally {
    der.fill(0);
  }
  await rewrapIfStale(file, stored);
  return fromPrivateKey(privateKey, file);
}

/** Keeps the sealed file under the active KMS key, so retiring an old key never strands it. */
async function rewrapIfStale(file: string, stored: DevKeyFile): Promise<void> {
  const active = await secrets.activeKey();
  const s = stored.sealed;
  if (s.provider === active.provider && s.keyId === active.keyId && s.keyVersion === active.keyVersion) return;
  const next: DevKeyFile = { ...stored, sealed: await secrets.rewrap(s, AAD) };
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(next, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Resolves the signing key from the environment (see the module comment). */
export async function loadRegistrySigningKey(source: Env = processEnv()): Promise<RegistrySigningKey> {
  if (source.REGISTRY_TOKEN_KEY_FILE) return fromFile(path.resolve(source.REGISTRY_TOKEN_KEY_FILE));
  if (source.NODE_ENV === "production") {
    throw new RegistryKeyError(
      "REGISTRY_TOKEN_KEY_FILE is not set: the hosted registry's token service needs a P-256 private key in production " +
        "(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out registry-token.key)",
    );
  }
  return fromDataDir(path.resolve(source.PORTCULLIS_DATA_DIR));
}

let cached: Promise<RegistrySigningKey> | undefined;

/** The process's signing key, loaded once; a failed load is retried on the next call. */
export function registrySigningKey(): Promise<RegistrySigningKey> {
  cached ??= loadRegistrySigningKey().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

/** Tests and config reloads. */
export function resetRegistrySigningKey(): void {
  cached = undefined;
}
