import crypto from "node:crypto";
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./http-server";

/**
 * An AWS KMS stand-in speaking the real wire protocol (awsJson1_1): `POST /`,
 * `X-Amz-Target: TrentService.<Operation>`, `Content-Type: application/x-amz-json-1.1`, base64
 * blobs, errors as `{"__type": …, "message": …}` with `x-amzn-ErrorType`. Enough for
 * @aws-sdk/client-kms to run unmodified against it.
 *
 * Real crypto: each key is 32 random bytes; a ciphertext blob is AES-256-GCM under it with the
 * encryption context (sorted, as KMS treats it order-insensitively) as AAD, so a wrong or missing
 * context fails exactly like KMS (InvalidCiphertextException). The blob names its key, like a real
 * one, so Decrypt works without KeyId and refuses a mismatching KeyId (IncorrectKeyException).
 */
export interface AwsKmsFake extends FakeServer {
  region: string;
  /** Creates a symmetric ENCRYPT_DECRYPT key; returns its ARN. `alias` like "alias/portcullis". */
  createKey(alias?: string): string;
  setKeyState(arn: string, state: "Enabled" | "Disabled"): void;
}

interface Key {
  id: string;
  arn: string;
  material: Buffer;
  state: "Enabled" | "Disabled";
}

class KmsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startAwsKmsFake(region = "us-east-1", account = "111122223333"): Promise<AwsKmsFake> {
  const keys = new Map<string, Key>(); // by ARN
  const aliases = new Map<string, string>(); // alias name → ARN

  const resolve = (keyId: unknown): Key => {
    if (typeof keyId !== "string" || !keyId) throw new KmsFault("ValidationException", "KeyId is required");
    const arn = keyId.startsWith("alias/")
      ? aliases.get(keyId)
      : keyId.startsWith("arn:aws:kms:") && keyId.includes(":alias/")
        ? aliases.get(keyId.slice(keyId.indexOf("alias/")))
        : keyId.startsWith("arn:")
          ? keyId
          : `arn:aws:kms:${region}:${account}:key/${keyId}`;
    const key = arn ? keys.get(arn) : undefined;
    if (!key) throw new KmsFault("NotFoundException", `Key '${keyId}' does not exist`);
    return key;
  };
  const usable = (key: Key) => {
    if (key.state !== "Enabled") throw new KmsFault("DisabledException", `${key.arn} is disabled.`);
    return key;
  };

  const contextAAD = (ctx: unknown) => {
    const entries = Object.entries((ctx ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1));
    return Buffer.from(JSON.stringify(entries));
  };
  const seal = (key: Key, plaintext: Buffer, ctx: unknown): string => {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv("aes-256-gcm", key.material, iv);
    c.setAAD(contextAAD(ctx));
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    const arn = Buffer.from(key.arn);
    const head = Buffer.alloc(3);
    head.writeUInt8(1, 0);
    head.writeUInt16BE(arn.length, 1);
    return Buffer.concat([head, arn, iv, ct, c.getAuthTag()]).toString("base64");
  };
  const open = (blobB64: unknown, ctx: unknown): { key: Key; plaintext: Buffer } => {
    const invalid = () => new KmsFault("InvalidCiphertextException", "");
    if (typeof blobB64 !== "string") throw invalid();
    const blob = Buffer.from(blobB64, "base64");
    if (blob.length < 3 + 12 + 16 || blob[0] !== 1) throw invalid();
    const arnLen = blob.readUInt16BE(1);
    const key = keys.get(blob.subarray(3, 3 + arnLen).toString());
    if (!key) throw invalid();
    const iv = blob.subarray(3 + arnLen, 15 + arnLen);
    const body = blob.subarray(15 + arnLen);
    if (body.length < 16) throw invalid();
    const d = crypto.createDecipheriv("aes-256-gcm", key.material, iv);
    d.setAAD(contextAAD(ctx));
    d.setAuthTag(body.subarray(body.length - 16));
    try {
      return { key: usable(key), plaintext: Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]) };
    } catch (e) {
      if (e instanceof KmsFault) throw e;
      throw invalid();
    }
  };
  const b64 = (v: unknown, field: string): Buffer => {
    if (typeof v !== "string") throw new KmsFault("ValidationException", `${field} is required`);
    return Buffer.from(v, "base64");
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GenerateDataKey(input) {
      const key = usable(resolve(input.KeyId));
      const bytes = input.KeySpec === "AES_256" ? 32 : input.KeySpec === "AES_128" ? 16 : Number(input.NumberOfBytes);
      if (!(bytes >= 1 && bytes <= 1024)) throw new KmsFault("ValidationException", "KeySpec or NumberOfBytes is required");
      const plaintext = crypto.randomBytes(bytes);
      return { CiphertextBlob: seal(key, plaintext, input.EncryptionContext), Plaintext: plaintext.toString("base64"), KeyId: key.arn };
    },
    Encrypt(input) {
      const key = usable(resolve(input.KeyId));
      return { CiphertextBlob: seal(key, b64(input.Plaintext, "Plaintext"), input.EncryptionContext), KeyId: key.arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
    },
    Decrypt(input) {
      const { key, plaintext } = open(input.CiphertextBlob, input.EncryptionContext);
      if (input.KeyId !== undefined && resolve(input.KeyId).arn !== key.arn) throw new KmsFault("IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.");
      return { Plaintext: plaintext.toString("base64"), KeyId: key.arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
    },
    ReEncrypt(input) {
      const { key: source, plaintext } = open(input.CiphertextBlob, input.SourceEncryptionContext);
      if (input.SourceKeyId !== undefined && resolve(input.SourceKeyId).arn !== source.arn) throw new KmsFault("IncorrectKeyException", "Source key mismatch.");
      const dest = usable(resolve(input.DestinationKeyId));
      return {
        CiphertextBlob: seal(dest, plaintext, input.DestinationEncryptionContext),
        SourceKeyId: source.arn,
        KeyId: dest.arn,
        SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      };
    },
    DescribeKey(input) {
      const key = resolve(input.KeyId);
      return {
        KeyMetadata: {
          AWSAccountId: account,
          KeyId: key.id,
          Arn: key.arn,
          Enabled: key.state === "Enabled",
          KeyState: key.state,
          KeyUsage: "ENCRYPT_DECRYPT",
          KeySpec: "SYMMETRIC_DEFAULT",
          KeyManager: "CUSTOMER",
          Origin: "AWS_KMS",
          CreationDate: 1_700_000_000,
        },
      };
    },
  };

  const handle = (req: FakeRequest): FakeResponse => {
    const fault = (f: KmsFault): FakeResponse => ({
      status: f.status,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": f.type },
      body: { __type: f.type, message: f.message },
    });
    if (req.method !== "POST" || req.path !== "/") return fault(new KmsFault("UnknownOperationException", "", 404));
    if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 Credential=")) {
      return fault(new KmsFault("MissingAuthenticationTokenException", "Missing Authentication Token"));
    }
    if (req.headers["content-type"] !== "application/x-amz-json-1.1") return fault(new KmsFault("SerializationException", "wrong content type"));
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith("TrentService.") ? operations[target.slice("TrentService.".length)] : undefined;
    if (!op) return fault(new KmsFault("UnknownOperationException", ""));
    try {
      const out = op(JSON.parse(req.body || "{}") as Record<string, unknown>);
      return { status: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: out };
    } catch (e) {
      if (e instanceof KmsFault) return fault(e);
      throw e;
    }
  };

  const server = await startFakeServer(handle);
  return {
    ...server,
    region,
    createKey(alias) {
      const id = crypto.randomUUID();
      const arn = `arn:aws:kms:${region}:${account}:key/${id}`;
      keys.set(arn, { id, arn, material: crypto.randomBytes(32), state: "Enabled" });
      if (alias) aliases.set(alias, arn);
      return arn;
    },
    setKeyState(arn, state) {
      keys.get(arn)!.state = state;
    },
  };
}
