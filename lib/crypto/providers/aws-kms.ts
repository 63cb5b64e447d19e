import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ReEncryptCommand,
  type KMSClientConfig,
} from "@aws-sdk/client-kms";
import type { EncryptionContext } from "@/lib/crypto/aad";
import { brief, DecryptionError, KmsError } from "@/lib/crypto/errors";
import type { DataKey, HealthReport, KeyProvider, KeyRef, WrappedDataKey } from "@/lib/crypto/key-provider";

/**
 * AWS KMS through @aws-sdk/client-kms. The encryption context is passed on every call, so KMS
 * itself refuses to unwrap a data key under another row's context (and logs the context in
 * CloudTrail). Credentials and region come from the SDK's default chain (env, profile, IMDS…);
 * `clientConfig.endpoint` (or AWS_ENDPOINT_URL_KMS) points it elsewhere, e.g. a local fake.
 *
 * keyId is the key ARN KMS reports; keyVersion === keyId because AWS rotates backing key material
 * inside the same key transparently (old ciphertexts keep decrypting, no rewrap needed). A
 * Portcullis "rotation" on AWS means a new KMS key: set AWS_KMS_KEY_ID to it and run rewrap.
 */
export interface AwsKmsOptions {
  /** Key id, key ARN, alias name ("alias/portcullis") or alias ARN. */
  keyId: string;
  client?: KMSClient;
  clientConfig?: KMSClientConfig;
  /** How long the resolved active key ARN is reused (default 5 minutes). */
  activeKeyTtlMs?: number;
}

/** Errors that mean "this ciphertext does not decrypt", as opposed to "KMS could not be asked". */
const INTEGRITY = new Set(["InvalidCiphertextException", "IncorrectKeyException"]);
const KEY_UNAVAILABLE = new Set(["NotFoundException", "KMSInvalidStateException", "DisabledException"]);

export class AwsKmsProvider implements KeyProvider {
  readonly name = "aws-kms" as const;
  private readonly client: KMSClient;
  private active?: { ref: KeyRef; until: number };

  constructor(private readonly options: AwsKmsOptions) {
    this.client = options.client ?? new KMSClient(options.clientConfig ?? {});
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const out = await this.call("GenerateDataKey", () =>
      this.client.send(new GenerateDataKeyCommand({ KeyId: this.options.keyId, KeySpec: "AES_256", EncryptionContext: { ...context } })),
    );
    if (!out.Plaintext || !out.CiphertextBlob || !out.KeyId) throw new KmsError("AWS KMS GenerateDataKey returned an incomplete answer");
    return { plaintextKey: Buffer.from(out.Plaintext), ...this.wrapped(out.CiphertextBlob, out.KeyId) };
  }

  async wrap(plaintextKey: Buffer, context: EncryptionContext): Promise<WrappedDataKey> {
    const out = await this.call("Encrypt", () =>
      this.client.send(new EncryptCommand({ KeyId: this.options.keyId, Plaintext: plaintextKey, EncryptionContext: { ...context } })),
    );
    if (!out.CiphertextBlob || !out.KeyId) throw new KmsError("AWS KMS Encrypt returned an incomplete answer");
    return this.wrapped(out.CiphertextBlob, out.KeyId);
  }

  async unwrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<Buffer> {
    const ref = { provider: this.name, keyId, keyVersion };
    // KeyId pins the key: KMS refuses (IncorrectKeyException) a blob made under any other key.
    const out = await this.call(
      "Decrypt",
      () => this.client.send(new DecryptCommand({ CiphertextBlob: wrappedKey, KeyId: keyId, EncryptionContext: { ...context } })),
      ref,
    );
    if (!out.Plaintext) throw new DecryptionError("integrity", ref);
    return Buffer.from(out.Plaintext);
  }

  async rewrap(wrappedKey: Buffer, keyId: string, keyVersion: string, context: EncryptionContext): Promise<WrappedDataKey> {
    const ref = { provider: this.name, keyId, keyVersion };
    // Server-side: the data key never leaves KMS in plaintext during a rotation.
    const out = await this.call(
      "ReEncrypt",
      () =>
        this.client.send(
          new ReEncryptCommand({
            CiphertextBlob: wrappedKey,
            SourceKeyId: keyId,
            SourceEncryptionContext: { ...context },
            DestinationKeyId: this.options.keyId,
            DestinationEncryptionContext: { ...context },
          }),
        ),
      ref,
      false, // NotFound/Disabled here may be about the destination key: report, don't blame the row
    );
    if (!out.CiphertextBlob || !out.KeyId) throw new KmsError("AWS KMS ReEncrypt returned an incomplete answer");
    return this.wrapped(out.CiphertextBlob, out.KeyId);
  }

  /** Resolves AWS_KMS_KEY_ID (often an alias) to the ARN that stored secrets record. */
  async activeKey(): Promise<KeyRef> {
    if (this.active && this.active.until > Date.now()) return this.active.ref;
    const out = await this.call("DescribeKey", () => this.client.send(new DescribeKeyCommand({ KeyId: this.options.keyId })));
    const arn = out.KeyMetadata?.Arn;
    if (!arn) throw new KmsError("AWS KMS DescribeKey returned no key ARN");
    const ref: KeyRef = { provider: this.name, keyId: arn, keyVersion: arn };
    this.active = { ref, until: Date.now() + (this.options.activeKeyTtlMs ?? 300_000) };
    return ref;
  }

  async health(): Promise<HealthReport> {
    try {
      const out = await this.call("DescribeKey", () => this.client.send(new DescribeKeyCommand({ KeyId: this.options.keyId })));
      const meta = out.KeyMetadata;
      const ok = meta?.KeyState === "Enabled" && meta.KeyUsage === "ENCRYPT_DECRYPT";
      return {
        ok,
        provider: this.name,
        keyId: meta?.Arn,
        keyVersion: meta?.Arn,
        detail: ok ? "key enabled for ENCRYPT_DECRYPT" : `key state ${meta?.KeyState ?? "?"}, usage ${meta?.KeyUsage ?? "?"}`,
      };
    } catch (e) {
      return { ok: false, provider: this.name, detail: (e as Error).message };
    }
  }

  private wrapped(blob: Uint8Array, arn: string): WrappedDataKey {
    return { wrappedKey: Buffer.from(blob), keyId: arn, keyVersion: arn };
  }

  /** Maps SDK errors: ciphertext verdicts → DecryptionError (only when unwrapping), the rest → KmsError. */
  private async call<T>(op: string, fn: () => Promise<T>, unwrapping?: KeyRef, keyUnavailableIsVerdict = true): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const name = (e as Error)?.name ?? "Error";
      if (unwrapping && INTEGRITY.has(name)) throw new DecryptionError("integrity", unwrapping);
      if (unwrapping && keyUnavailableIsVerdict && KEY_UNAVAILABLE.has(name)) throw new DecryptionError("key-unavailable", unwrapping);
      throw new KmsError(`AWS KMS ${op} failed: ${name}: ${brief((e as Error)?.message)}`);
    }
  }
}
