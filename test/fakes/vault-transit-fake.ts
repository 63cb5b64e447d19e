import crypto from "node:crypto";
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./http-server";

/**
 * A HashiCorp Vault transit stand-in over the real HTTP API under /v1/transit: keys (create, read,
 * rotate, config with min_decryption_version), datakey/:type, encrypt, decrypt, rewrap; requires
 * `X-Vault-Token`; errors as `{"errors":[…]}`; ciphertexts `vault:vN:base64(nonce|ct|tag)`.
 *
 * Real crypto and Vault's semantics as read in its source (builtin/logical/transit):
 *  - a derived key uses HKDF-SHA256(version key, context) per request, so a wrong context gives a
 *    wrong key and GCM fails ("cipher: message authentication failed");
 *  - a non-derived key ignores `context` silently (that is why the provider insists on derived);
 *  - `associated_data` is honoured by encrypt/decrypt only; datakey and rewrap don't take it.
 */
export interface VaultTransitFake extends FakeServer {
  token: string;
  createKey(name: string, options?: { derived?: boolean }): void;
}

interface TransitKey {
  derived: boolean;
  versions: Map<number, Buffer>;
  latest: number;
  minDecryption: number;
  minEncryption: number;
}

class VaultFault extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startVaultTransitFake(token = `hvs.fake-${crypto.randomBytes(8).toString("hex")}`): Promise<VaultTransitFake> {
  const keys = new Map<string, TransitKey>();

  const create = (name: string, derived: boolean) => {
    if (!keys.has(name)) keys.set(name, { derived, versions: new Map([[1, crypto.randomBytes(32)]]), latest: 1, minDecryption: 1, minEncryption: 0 });
  };
  const find = (name: string) => {
    const key = keys.get(name);
    if (!key) throw new VaultFault(400, "encryption key not found");
    return key;
  };
  const b64 = (v: unknown): Buffer | undefined => (typeof v === "string" && v ? Buffer.from(v, "base64") : undefined);
  const keyFor = (key: TransitKey, version: number, context: Buffer | undefined): Buffer => {
    if (!key.derived) return key.versions.get(version)!;
    if (!context) throw new VaultFault(400, "missing 'context' for key derivation; the key was created using a derived key, which means additional, per-request information must be included in order to perform operations with the key");
    return Buffer.from(crypto.hkdfSync("sha256", key.versions.get(version)!, Buffer.alloc(0), context, 32));
  };
  const encrypt = (key: TransitKey, plaintext: Buffer, context?: Buffer, aad?: Buffer, requested = 0) => {
    const version = requested || key.latest;
    if (!key.versions.has(version) || (key.minEncryption && version < key.minEncryption)) throw new VaultFault(400, "invalid key version");
    const nonce = crypto.randomBytes(12);
    const c = crypto.createCipheriv("aes-256-gcm", keyFor(key, version, context), nonce);
    if (aad) c.setAAD(aad);
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    return { ciphertext: `vault:v${version}:${Buffer.concat([nonce, ct, c.getAuthTag()]).toString("base64")}`, key_version: version };
  };
  const decrypt = (key: TransitKey, ciphertext: unknown, context?: Buffer, aad?: Buffer): Buffer => {
    const m = typeof ciphertext === "string" ? /^vault:v(\d+):(.*)$/.exec(ciphertext) : null;
    if (!m) throw new VaultFault(400, "invalid ciphertext: no prefix");
    const version = Number(m[1]);
    if (version < key.minDecryption) throw new VaultFault(400, "ciphertext or signature version is disallowed by policy (too old)");
    if (!key.versions.has(version)) throw new VaultFault(400, "invalid key version");
    const blob = Buffer.from(m[2]!, "base64");
    if (blob.length < 28) throw new VaultFault(400, "invalid ciphertext: unable to decrypt");
    const d = crypto.createDecipheriv("aes-256-gcm", keyFor(key, version, context), blob.subarray(0, 12));
    if (aad) d.setAAD(aad);
    d.setAuthTag(blob.subarray(blob.length - 16));
    try {
      return Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]);
    } catch {
      throw new VaultFault(400, "cipher: message authentication failed");
    }
  };

  const routes = (req: FakeRequest, body: Record<string, unknown>): unknown => {
    const m = /^\/v1\/transit\/(keys|datakey\/(?:plaintext|wrapped)|encrypt|decrypt|rewrap)\/([^/]+)(?:\/(rotate|config))?$/.exec(req.path);
    if (!m) throw new VaultFault(404, "unsupported path");
    const [, route, name, action] = m as unknown as [string, string, string, string | undefined];
    const ctx = b64(body.context);
    if (route === "keys") {
      if (req.method === "GET" && !action) {
        const k = find(name);
        return {
          name,
          type: "aes256-gcm96",
          derived: k.derived,
          latest_version: k.latest,
          min_decryption_version: k.minDecryption,
          min_encryption_version: k.minEncryption,
          keys: Object.fromEntries([...k.versions.keys()].map((v) => [String(v), 1_700_000_000 + v])),
          supports_encryption: true,
          supports_decryption: true,
          supports_derivation: true,
        };
      }
      if (req.method === "POST" && !action) return create(name, body.derived === true || body.derived === "true"), null;
      if (req.method === "POST" && action === "rotate") {
        const k = find(name);
        k.latest++;
        k.versions.set(k.latest, crypto.randomBytes(32));
        return null;
      }
      if (req.method === "POST" && action === "config") {
        const k = find(name);
        if (body.min_decryption_version !== undefined) k.minDecryption = Number(body.min_decryption_version);
        if (body.min_encryption_version !== undefined) k.minEncryption = Number(body.min_encryption_version);
        return null;
      }
    }
    if (req.method !== "POST" || action) throw new VaultFault(405, "unsupported operation");
    const key = find(name);
    if (route.startsWith("datakey/")) {
      const bits = body.bits === undefined ? 256 : Number(body.bits);
      if (![128, 256, 512].includes(bits)) throw new VaultFault(400, "invalid bit length");
      const plaintext = crypto.randomBytes(bits / 8);
      const out = encrypt(key, plaintext, ctx, undefined, Number(body.key_version ?? 0));
      return route === "datakey/plaintext" ? { ...out, plaintext: plaintext.toString("base64") } : out;
    }
    if (route === "encrypt") {
      const plaintext = b64(body.plaintext) ?? Buffer.alloc(0);
      return encrypt(key, plaintext, ctx, b64(body.associated_data), Number(body.key_version ?? 0));
    }
    if (route === "decrypt") return { plaintext: decrypt(key, body.ciphertext, ctx, b64(body.associated_data)).toString("base64") };
    // rewrap: like Vault, decrypts and re-encrypts with no associated data.
    return encrypt(key, decrypt(key, body.ciphertext, ctx), ctx, undefined, Number(body.key_version ?? 0));
  };

  const handle = (req: FakeRequest): FakeResponse => {
    try {
      if (req.headers["x-vault-token"] !== token) throw new VaultFault(403, "permission denied");
      const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
      const data = routes(req, body);
      return data === null ? { status: 204, body: "" } : { status: 200, body: { request_id: crypto.randomUUID(), lease_id: "", renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null } };
    } catch (e) {
      if (!(e instanceof VaultFault)) throw e;
      return { status: e.status, body: { errors: [e.message] } };
    }
  };

  const server = await startFakeServer(handle);
  return { ...server, token, createKey: (name, options = {}) => create(name, options.derived ?? true) };
}
