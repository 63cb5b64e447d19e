import fs from "node:fs";
import path from "node:path";
import type { Env } from "@/lib/config/env";
import { parseKeyringEntries } from "@/lib/config/keyring-entries";
import { DEV_KEY_FILE as DEV_KMS_KEY_FILE } from "@/lib/crypto/providers/local-keyring";
import type { SnapshotContents } from "./backup-contents";

/**
 * Whether this configuration has the keys a restored database was sealed and hashed with, read
 * from the variables (and the development key files) without creating any key. Only the local
 * KMS provider's key ids can be checked here; a cloud key is the KMS's to grant.
 */
export interface KeyCheck {
  /** `provider:keyId`, or a hash key id, and what depends on it. */
  key: string;
  uses: string;
  /** true: configured; false: missing; null: cannot be checked here. */
  configured: boolean | null;
  /** Where it is expected. */
  where: string;
}

const DEV_HASH_KEY_FILE = "token-hash-keys";

function ids(text: string | undefined, variable: string): Set<string> {
  if (!text) return new Set();
  try {
    return new Set(parseKeyringEntries(text, variable, "value").map((e) => e.id));
  } catch {
    return new Set();
  }
}

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export function checkKeys(keys: SnapshotContents["keys"], config: Env): KeyCheck[] {
  const dataDir = path.resolve(config.PORTCULLIS_DATA_DIR);
  const localWhere = config.LOCAL_KMS_KEYS ? "LOCAL_KMS_KEYS" : config.LOCAL_KMS_KEY_FILE ? "LOCAL_KMS_KEY_FILE" : `LOCAL_KMS_KEYS (or ${path.join(dataDir, DEV_KMS_KEY_FILE)})`;
  const localIds = ids(config.LOCAL_KMS_KEYS ?? readOr(config.LOCAL_KMS_KEY_FILE ?? path.join(dataDir, DEV_KMS_KEY_FILE)), localWhere);
  const hashWhere = config.TOKEN_HASH_KEYS ? "TOKEN_HASH_KEYS" : `TOKEN_HASH_KEYS (or ${path.join(dataDir, DEV_HASH_KEY_FILE)})`;
  const hashIds = ids(config.TOKEN_HASH_KEYS ?? readOr(path.join(dataDir, DEV_HASH_KEY_FILE)), hashWhere);
  const checks: KeyCheck[] = [];
  for (const [key, n] of Object.entries(keys.kms)) {
    const [provider, keyId] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    checks.push(
      provider === "local"
        ? { key, uses: `${n} sealed secret(s)`, configured: localIds.has(keyId), where: localWhere }
        : { key, uses: `${n} sealed secret(s)`, configured: null, where: `KMS_PROVIDER=${provider} and its key settings` },
    );
  }
  for (const [key, n] of Object.entries(keys.hash)) {
    checks.push(
      key === "auth-secret"
        ? { key, uses: `${n} license ID / API token hash(es)`, configured: config.AUTH_SECRET || fs.existsSync(path.join(dataDir, "auth-secret")) ? null : false, where: "AUTH_SECRET (the value they were made with)" }
        : { key, uses: `${n} license ID / API token hash(es)`, configured: hashIds.has(key), where: hashWhere },
    );
  }
  return checks;
}
