import crypto from "node:crypto";
import { canonicalContext, type EncryptionContext } from "@/lib/crypto/aad";
import { brief, DecryptionError, KmsError } from "@/lib/crypto/errors";
import { KEY_BYTES } from "@/lib/crypto/gcm";
import type { DataKey, HealthReport, KeyProvider, KeyRef, WrappedDataKey } from "@/lib/crypto/key-provider";
import { requestJson, type FetchLike } from "./http";
import { env, type Env } from "@/lib/config/env";

/**
 * Google Cloud KMS through its REST API v1 (`cryptoKeys.encrypt` / `cryptoKeys.decrypt` / `get`).
 * Cloud KMS has no "generate data key": the data key is made here with crypto.randomBytes and
 * wrapped by KMS, with the canonical context bytes as additionalAuthenticatedData — KMS refuses
 * to decrypt under any other AAD. No re-encrypt call either: rewrap is decrypt + encrypt.
 *
 * keyId is the CryptoKey name; keyVersion the CryptoKeyVersion id from the encrypt answer's
 * `name`. Decrypt goes to the CryptoKey (the ciphertext names its version), so rotating the
 * primary version keeps old data readable while the old version stays enabled.
 */
export type TokenSource = () => Promise<string>;

export interface GcpKmsOptions {
  /** projects/P/locations/L/keyRings/R/cryptoKeys/K */
  keyName: string;
  baseUrl?: string;
  tokenSource?: TokenSource;
  fetch?: FetchLike;
  activeKeyTtlMs?: number;
}

const KEY_NAME = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+$/;
const SERVICE = "Cloud KMS";

interface GoogleError {
  error?: { code?: number; status?: string; message?: string };
}

export class GcpKmsProvider implements KeyProvider {
  readonly name = "gcp-kms" as const;
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly tokenSource: TokenSource;
  private active?: { ref: KeyRef; until: number };

  constructor(private readonly options: GcpKmsOptions) {
    if (!KEY_NAME.test(options.keyName)) throw new KmsError(`GCP_KMS_KEY_NAME must look like projects/P/locations/L/keyRings/R/cryptoKeys/K`);
    this.baseUrl = (options.baseUrl ?? "https://cloudkms.googleapis.com").replace(/\/+$/, "");
    this.fetchImpl = options.fetch ?? fetch;
    this.tokenSource = options.tokenSource ?? defaultGcpTokenSource(this.fetchImpl);
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const plaintextKey = crypto.randomBytes(KEY_BYTES);
    try {
      return { plaintextKey, ...(await this.wrap(plaintextKey, context)) };
    } catch (e) {
      plaintextKey.fill(0);
      throw e;
    }
  }

  async wrap(plaintextKey: Buffer, context: EncryptionContext): Promise<WrappedDataKey> {
    const { status, body } = await this.post(`${this.options.keyName}:encrypt`, {
      plaintext: plaintextKey.toString("base64"),
      additionalAuthenticatedData: canonicalContext(context).toString("base64"),
    });
    const out = body as { name?: string; ciphertext?: string };
    if (status !== 200 || !out?.ciphertext || !out.name) throw this.failure("encrypt", status, body);
    return { wrappedKey: Buffer.from(out.ciphertext, "base64"), keyId: this.options.keyName, keyVersion: versionOf(out.name) };
  }

  async unwrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<Buffer> {
    const ref = { provider: this.name, keyId, keyVersion };
    // keyId comes from the database: never let it steer the request path anywhere else.
    if (!KEY_NAME.test(keyId)) throw new DecryptionError("malformed", ref);
    const { status, body } = await this.post(`${keyId}:decrypt`, {
      ciphertext: wrappedKey.toString("base64"),
      additionalAuthenticatedData: canonicalContext(context).toString("base64"),
    });
    const out = body as { plaintext?: string };
    if (status === 200 && typeof out?.plaintext === "string") return Buffer.from(out.plaintext, "base64");
    const code = (body as GoogleError)?.error?.status;
    if (status === 400 && code === "INVALID_ARGUMENT") throw new DecryptionError("integrity", ref);
    if (status === 404 || code === "FAILED_PRECONDITION") throw new DecryptionError("key-unavailable", ref);
    throw this.failure("decrypt", status, body);
  }

  async rewrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<WrappedDataKey> {
    const plaintextKey = await this.unwrap(wrappedKey, keyId, keyVersion, context);
    try {
      return await this.wrap(plaintextKey, context);
    } finally {
      plaintextKey.fill(0);
    }
  }

  async activeKey(): Promise<KeyRef> {
    if (this.active && this.active.until > Date.now()) return this.active.ref;
    const key = await this.getKey();
    if (!key.primary?.name) throw new KmsError(`Cloud KMS key ${this.options.keyName} has no primary version`);
    const ref: KeyRef = { provider: this.name, keyId: this.options.keyName, keyVersion: versionOf(key.primary.name) };
    this.active = { ref, until: Date.now() + (this.options.activeKeyTtlMs ?? 60_000) };
    return ref;
  }

  async health(): Promise<HealthReport> {
    try {
      const key = await this.getKey();
      const ok = key.purpose === "ENCRYPT_DECRYPT" && key.primary?.state === "ENABLED";
      return {
        ok,
        provider: this.name,
        keyId: this.options.keyName,
        keyVersion: key.primary?.name ? versionOf(key.primary.name) : undefined,
        detail: ok ? "primary version enabled" : `purpose ${key.purpose ?? "?"}, primary ${key.primary?.state ?? "missing"}`,
      };
    } catch (e) {
      return { ok: false, provider: this.name, keyId: this.options.keyName, detail: (e as Error).message };
    }
  }

  private async getKey(): Promise<{ purpose?: string; primary?: { name?: string; state?: string } }> {
    const { status, body } = await requestJson(this.fetchImpl, SERVICE, `${this.baseUrl}/v1/${this.options.keyName}`, {
      method: "GET",
      headers: await this.auth(),
    });
    if (status !== 200) throw this.failure("get key", status, body);
    return body as { purpose?: string; primary?: { name?: string; state?: string } };
  }

  private async post(path: string, body: unknown) {
    return requestJson(this.fetchImpl, SERVICE, `${this.baseUrl}/v1/${path}`, { method: "POST", headers: await this.auth(), body });
  }

  private async auth(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.tokenSource()}` };
  }

  private failure(op: string, status: number, body: unknown): KmsError {
    const err = (body as GoogleError)?.error;
    return new KmsError(`Cloud KMS ${op} failed: HTTP ${status}${err?.status ? ` ${err.status}` : ""}: ${brief(err?.message ?? "")}`);
  }
}

function versionOf(versionName: string): string {
  const m = /\/cryptoKeyVersions\/([^/]+)$/.exec(versionName);
  if (!m) throw new KmsError("Cloud KMS answered with an unexpected key version name");
  return m[1]!;
}

/**
 * Where a Google access token comes from by default: GOOGLE_OAUTH_ACCESS_TOKEN (e.g. from
 * `gcloud auth print-access-token`), else the GCE/GKE metadata server (workload identity),
 * cached until a minute before it expires.
 */
export function defaultGcpTokenSource(fetchImpl: FetchLike = fetch, source: Partial<Pick<Env, "GOOGLE_OAUTH_ACCESS_TOKEN" | "GCE_METADATA_HOST">> = env()): TokenSource {
  const fixed = source.GOOGLE_OAUTH_ACCESS_TOKEN?.trim();
  if (fixed) return async () => fixed;
  const host = source.GCE_METADATA_HOST ?? "metadata.google.internal";
  let cached: { token: string; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const url = `http://${host}/computeMetadata/v1/instance/service-accounts/default/token`;
    const { status, body } = await requestJson(fetchImpl, "GCE metadata server", url, {
      method: "GET",
      headers: { "metadata-flavor": "Google" },
      timeoutMs: 3_000,
    });
    const out = body as { access_token?: string; expires_in?: number };
    if (status !== 200 || !out?.access_token) {
      throw new KmsError(`no Google access token: set GOOGLE_OAUTH_ACCESS_TOKEN or run on GCP with a service account (metadata HTTP ${status})`);
    }
    cached = { token: out.access_token, until: Date.now() + Math.max(0, (out.expires_in ?? 300) - 60) * 1000 };
    return out.access_token;
  };
}
