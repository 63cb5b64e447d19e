import { ConfigError, env, type Env } from "@/lib/config/env";
import type { SecretAAD } from "./aad";
import { TtlCache } from "./cache";
import { decryptSecret, encryptSecret, rewrapSealed, type EnvelopeOptions, type SealedSecret } from "./envelope";
import type { HealthReport, KeyProvider, KeyRef, ProviderName } from "./key-provider";
import { AwsKmsProvider } from "./providers/aws-kms";
import { GcpKmsProvider } from "./providers/gcp-kms";
import { localProviderFromEnv } from "./providers/local-keyring";
import { VaultTransitProvider } from "./providers/vault-transit";

/**
 * lib/crypto's front door. The rest of the codebase calls `secrets.encrypt/decrypt` and stores the
 * SealedSecret; it never sees a key or a cipher. Providers are built from the environment once per
 * process: the active one from KMS_PROVIDER, others only when a stored secret names them (after a
 * switch of provider, until rewrap has moved everything).
 */
export type { SecretAAD } from "./aad";
export type { SealedSecret, EnvelopeOptions } from "./envelope";
export type { KeyProvider, KeyRef, ProviderName, HealthReport, DataKey, WrappedDataKey } from "./key-provider";
export { buildAAD } from "./aad";
export { encryptSecret, decryptSecret, rewrapSealed, FORMAT_VERSION } from "./envelope";
export { DecryptionError, KmsError, KeyInUseError } from "./errors";
export { TtlCache } from "./cache";
export { rewrapSecrets, status, assertKeyRetirable, type SecretStore, type SecretRow } from "./rewrap";

/** Unwrapped data keys stay at most a minute: short enough that disabling a KMS key bites quickly. */
const DATA_KEY_TTL_MS = 60_000;
const DATA_KEY_CACHE_ENTRIES = 1_000;

const providers = new Map<ProviderName, KeyProvider>();
let dataKeyCache: TtlCache<Buffer> | undefined;

function createKeyProvider(name: ProviderName, source: Env, { active = true } = {}): KeyProvider {
  const need = (variable: keyof Env): string => {
    const value = source[variable];
    if (typeof value !== "string" || !value) throw new ConfigError(`Invalid configuration: ${variable} is required for KMS_PROVIDER=${name}`);
    return value;
  };
  switch (name) {
    case "local":
      // Only the active provider may create the development key; a fallback reader must not.
      return localProviderFromEnv(source, { generateIfMissing: active });
    case "aws-kms":
      return new AwsKmsProvider({ keyId: need("AWS_KMS_KEY_ID") });
    case "gcp-kms":
      return new GcpKmsProvider({ keyName: need("GCP_KMS_KEY_NAME") });
    case "vault-transit":
      return new VaultTransitProvider({ addr: need("VAULT_ADDR"), token: need("VAULT_TOKEN"), keyName: need("VAULT_TRANSIT_KEY") });
  }
}

/** The provider KMS_PROVIDER selects (or the named one), built once per process. */
export function getKeyProvider(name?: ProviderName): KeyProvider {
  const source = env();
  const wanted = name ?? source.KMS_PROVIDER;
  let provider = providers.get(wanted);
  if (!provider) {
    provider = createKeyProvider(wanted, source, { active: wanted === source.KMS_PROVIDER });
    providers.set(wanted, provider);
  }
  return provider;
}

/** Call at startup: a missing or malformed key stops the process here, not at the first secret. */
export function assertKmsConfigured(): KeyProvider {
  return getKeyProvider();
}

function envelopeOptions(): EnvelopeOptions {
  dataKeyCache ??= new TtlCache<Buffer>({ ttlMs: DATA_KEY_TTL_MS, maxEntries: DATA_KEY_CACHE_ENTRIES });
  return { provider: getKeyProvider(), resolve: (n) => getKeyProvider(n), dataKeyCache };
}

export const secrets = {
  encrypt(plaintext: string | Uint8Array, aad: SecretAAD): Promise<SealedSecret> {
    return encryptSecret(plaintext, aad, envelopeOptions());
  },
  /** The secret as UTF-8 text (credentials are text: passwords, JSON keys). */
  async decrypt(sealed: SealedSecret, aad: SecretAAD): Promise<string> {
    const bytes = await decryptSecret(sealed, aad, envelopeOptions());
    try {
      return bytes.toString("utf8");
    } finally {
      bytes.fill(0);
    }
  },
  /** The secret's bytes; the caller zero-fills them when done. */
  decryptBytes(sealed: SealedSecret, aad: SecretAAD): Promise<Buffer> {
    return decryptSecret(sealed, aad, envelopeOptions());
  },
  rewrap(sealed: SealedSecret, aad: SecretAAD): Promise<SealedSecret> {
    return rewrapSealed(sealed, aad, envelopeOptions());
  },
  activeKey(): Promise<KeyRef> {
    return getKeyProvider().activeKey();
  },
  health(): Promise<HealthReport> {
    return getKeyProvider().health();
  },
  envelopeOptions,
};

/** Tests and config reloads: forget built providers and wipe cached data keys. */
export function resetKeyProviders(): void {
  providers.clear();
  dataKeyCache?.clear();
}
