import { env } from "@/lib/config/env";
import { generatedSecret } from "@/lib/config/data-dir";

/**
 * AUTH_SECRET, or in development one generated once into the data directory. It keys the hashes
 * of session and invite tokens (and the legacy license ID and API token hashes made before
 * TOKEN_HASH_KEYS existed: lib/auth/hash-keys.ts).
 */
export function authSecret(): string {
  const e = env();
  if (e.AUTH_SECRET) return e.AUTH_SECRET;
  // parseEnv already refused production without AUTH_SECRET.
  return generatedSecret("auth-secret");
}
