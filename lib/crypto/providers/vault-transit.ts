import { canonicalContext, type EncryptionContext } from "@/lib/crypto/aad";
import { brief, DecryptionError, KmsError } from "@/lib/crypto/errors";
import type { DataKey, HealthReport, KeyProvider, KeyRef, WrappedDataKey } from "@/lib/crypto/key-provider";
import { requestJson, type FetchLike } from "./http";

/**
 * HashiCorp Vault's transit engine over its HTTP API: `datakey/plaintext`, `decrypt`, `rewrap`,
 * `encrypt`, `keys/:name`, with `X-Vault-Token`.
 *
 * Binding to the row uses `context` on a *derived* transit key (created with derived=true): Vault
 * derives a per-context key, so a wrapped data key only unwraps under the same context. Why not
 * `associated_data`? Vault's `datakey` and `rewrap` endpoints don't take it (rewrap decrypts with
 * no AAD), so AAD-bound data keys could neither be generated nor rewrapped server-side. On a
 * non-derived key Vault silently ignores `context`, so this provider checks `derived` once and
 * refuses to work without it. (Needs `read` on transit/keys/<name> in the token's policy.)
 *
 * keyId is the transit key name; keyVersion the N of the `vault:vN:` ciphertext prefix. Rotation:
 * `vault write -f transit/keys/<name>/rotate`, then `portcullis kms rewrap`, then raise
 * `min_decryption_version` once `kms status` shows no secrets on old versions.
 */
export interface VaultTransitOptions {
  addr: string;
  token: string;
  keyName: string;
  mount?: string;
  namespace?: string;
  fetch?: FetchLike;
  activeKeyTtlMs?: number;
}

interface VaultKey {
  derived?: boolean;
  latest_version?: number;
  min_decryption_version?: number;
  supports_encryption?: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SERVICE = "Vault";

export class VaultTransitProvider implements KeyProvider {
  readonly name = "vault-transit" as const;
  private readonly fetchImpl: FetchLike;
  private readonly base: string;
  private derivedChecked = false;
  private active?: { ref: KeyRef; until: number };

  constructor(private readonly options: VaultTransitOptions) {
    if (!NAME.test(options.keyName)) throw new KmsError("VAULT_TRANSIT_KEY must be a transit key name (letters, digits, . _ -)");
    this.fetchImpl = options.fetch ?? fetch;
    this.base = `${options.addr.replace(/\/+$/, "")}/v1/${(options.mount ?? "transit").replace(/^\/+|\/+$/g, "")}`;
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    await this.requireDerived();
    const data = await this.write("datakey", `datakey/plaintext/${this.options.keyName}`, { context: ctx(context), bits: 256 });
    if (typeof data.plaintext !== "string" || typeof data.ciphertext !== "string") throw new KmsError("Vault datakey returned an incomplete answer");
    return { plaintextKey: Buffer.from(data.plaintext, "base64"), ...this.wrapped(data.ciphertext, this.options.keyName) };
  }

  async wrap(plaintextKey: Buffer, context: EncryptionContext): Promise<WrappedDataKey> {
    await this.requireDerived();
    const data = await this.write("encrypt", `encrypt/${this.options.keyName}`, { plaintext: plaintextKey.toString("base64"), context: ctx(context) });
    if (typeof data.ciphertext !== "string") throw new KmsError("Vault encrypt returned no ciphertext");
    return this.wrapped(data.ciphertext, this.options.keyName);
  }

  async unwrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<Buffer> {
    const ref = { provider: this.name, keyId, keyVersion };
    if (!NAME.test(keyId)) throw new DecryptionError("malformed", ref); // keyId comes from the database: keep it out of the path
    await this.requireDerived();
    const data = await this.write("decrypt", `decrypt/${keyId}`, { ciphertext: wrappedKey.toString("utf8"), context: ctx(context) }, ref);
    if (typeof data.plaintext !== "string") throw new DecryptionError("integrity", ref);
    return Buffer.from(data.plaintext, "base64");
  }

  async rewrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<WrappedDataKey> {
    const ref = { provider: this.name, keyId, keyVersion };
    if (keyId !== this.options.keyName) {
      // Another transit key: Vault's rewrap only moves between versions of one key.
      const plaintextKey = await this.unwrap(wrappedKey, keyId, keyVersion, context);
      try {
        return await this.wrap(plaintextKey, context);
      } finally {
        plaintextKey.fill(0);
      }
    }
    await this.requireDerived();
    const data = await this.write("rewrap", `rewrap/${keyId}`, { ciphertext: wrappedKey.toString("utf8"), context: ctx(context) }, ref);
    if (typeof data.ciphertext !== "string") throw new KmsError("Vault rewrap returned no ciphertext");
    return this.wrapped(data.ciphertext, keyId);
  }

  async activeKey(): Promise<KeyRef> {
    if (this.active && this.active.until > Date.now()) return this.active.ref;
    const key = await this.readKey();
    if (!key.latest_version) throw new KmsError(`Vault transit key "${this.options.keyName}" reports no latest_version`);
    const ref: KeyRef = { provider: this.name, keyId: this.options.keyName, keyVersion: String(key.latest_version) };
    this.active = { ref, until: Date.now() + (this.options.activeKeyTtlMs ?? 60_000) };
    return ref;
  }

  async health(): Promise<HealthReport> {
    try {
      const key = await this.readKey();
      const ok = key.derived === true && key.supports_encryption !== false;
      return {
        ok,
        provider: this.name,
        keyId: this.options.keyName,
        keyVersion: key.latest_version ? String(key.latest_version) : undefined,
        detail: ok
          ? `derived key, latest version ${key.latest_version}, min_decryption_version ${key.min_decryption_version ?? 1}`
          : `transit key "${this.options.keyName}" is not derived (create it with derived=true)`,
      };
    } catch (e) {
      return { ok: false, provider: this.name, keyId: this.options.keyName, detail: (e as Error).message };
    }
  }

  private async requireDerived(): Promise<void> {
    if (this.derivedChecked) return;
    const key = await this.readKey();
    if (key.derived !== true) {
      throw new KmsError(
        `Vault transit key "${this.options.keyName}" is not derived: Vault would ignore the encryption context. ` +
          `Create a key with: vault write -f transit/keys/<name> derived=true`,
      );
    }
    this.derivedChecked = true;
  }

  private async readKey(): Promise<VaultKey> {
    const { status, body } = await requestJson(this.fetchImpl, SERVICE, `${this.base}/keys/${this.options.keyName}`, {
      method: "GET",
      headers: this.headers(),
    });
    if (status !== 200) throw failure("read key", status, body);
    return ((body as { data?: VaultKey })?.data ?? {}) as VaultKey;
  }

  /** POST; when `unwrapping`, a 400 is a verdict on the ciphertext (DecryptionError), else KmsError. */
  private async write(op: string, path: string, payload: unknown, unwrapping?: KeyRef): Promise<Record<string, unknown>> {
    const { status, body } = await requestJson(this.fetchImpl, SERVICE, `${this.base}/${path}`, {
      method: "POST",
      headers: this.headers(),
      body: payload,
    });
    if (status === 200) return ((body as { data?: Record<string, unknown> })?.data ?? {}) as Record<string, unknown>;
    if (unwrapping && status === 400) {
      const text = errorsOf(body);
      const unavailable = /too old|not found|invalid key version|disallowed by policy/i.test(text);
      throw new DecryptionError(unavailable ? "key-unavailable" : "integrity", unwrapping);
    }
    throw failure(op, status, body);
  }

  private headers(): Record<string, string> {
    return { "x-vault-token": this.options.token, ...(this.options.namespace ? { "x-vault-namespace": this.options.namespace } : {}) };
  }

  private wrapped(ciphertext: string, keyId: string): WrappedDataKey {
    const m = /^vault:v(\d+):/.exec(ciphertext);
    if (!m) throw new KmsError("Vault returned a ciphertext without a vault:vN: prefix");
    return { wrappedKey: Buffer.from(ciphertext, "utf8"), keyId, keyVersion: m[1]! };
  }
}

function ctx(context: EncryptionContext): string {
  return canonicalContext(context).toString("base64");
}

function errorsOf(body: unknown): string {
  const errors = (body as { errors?: unknown })?.errors;
  return Array.isArray(errors) ? errors.map(String).join("; ") : "";
}

function failure(op: string, status: number, body: unknown): KmsError {
  return new KmsError(`Vault transit ${op} failed: HTTP ${status}: ${brief(errorsOf(body))}`);
}
