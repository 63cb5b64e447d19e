import crypto from "node:crypto";
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./http-server";

/**
 * A Google Cloud KMS stand-in for the REST API v1 calls Portcullis makes (and the two a rotation
 * needs): `GET /v1/{cryptoKey}`, `POST /v1/{cryptoKey}:encrypt|:decrypt`,
 * `POST /v1/{cryptoKey}/cryptoKeyVersions`, `POST /v1/{cryptoKey}:updatePrimaryVersion`. Requires
 * `Authorization: Bearer <token>`; errors in Google's JSON form
 * `{"error":{"code","message","status"}}`.
 *
 * Real crypto: each key version holds 32 random bytes; a ciphertext is
 * version id (u32) | iv | AES-256-GCM(plaintext, AAD = additionalAuthenticatedData) | tag, so a
 * wrong AAD fails (400 INVALID_ARGUMENT) as with Cloud KMS. Decrypt picks the version from the
 * ciphertext; a disabled version answers FAILED_PRECONDITION.
 */
export interface GcpKmsFake extends FakeServer {
  token: string;
  /** Creates projects/p/locations/global/keyRings/<ring>/cryptoKeys/<name> with version 1 as primary. */
  createKey(name?: string, ring?: string): string;
  disableVersion(keyName: string, version: number): void;
}

interface Version {
  id: number;
  material: Buffer;
  state: "ENABLED" | "DISABLED";
}
interface Key {
  versions: Map<number, Version>;
  primary: number;
}

class GoogleFault extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startGcpKmsFake(token = `ya29.fake-${crypto.randomBytes(8).toString("hex")}`): Promise<GcpKmsFake> {
  const keys = new Map<string, Key>();

  const keyJson = (name: string, key: Key) => ({
    name,
    purpose: "ENCRYPT_DECRYPT",
    primary: versionJson(name, key.versions.get(key.primary)!),
    versionTemplate: { protectionLevel: "SOFTWARE", algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION" },
  });
  const versionJson = (keyName: string, v: Version) => ({
    name: `${keyName}/cryptoKeyVersions/${v.id}`,
    state: v.state,
    protectionLevel: "SOFTWARE",
    algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
  });
  const addVersion = (key: Key): Version => {
    const v: Version = { id: key.versions.size + 1, material: crypto.randomBytes(32), state: "ENABLED" };
    key.versions.set(v.id, v);
    return v;
  };
  const find = (name: string): Key => {
    const key = keys.get(name);
    if (!key) throw new GoogleFault(404, "NOT_FOUND", `CryptoKey ${name} not found.`);
    return key;
  };
  const bytes = (v: unknown, field: string, required = true): Buffer => {
    if (v === undefined && !required) return Buffer.alloc(0);
    if (typeof v !== "string") throw new GoogleFault(400, "INVALID_ARGUMENT", `${field} is required.`);
    const b = Buffer.from(v, "base64");
    if (b.length > 65536) throw new GoogleFault(400, "INVALID_ARGUMENT", `${field} is too large.`);
    return b;
  };

  const encrypt = (name: string, body: Record<string, unknown>) => {
    const key = find(name);
    const v = key.versions.get(key.primary)!;
    if (v.state !== "ENABLED") throw new GoogleFault(400, "FAILED_PRECONDITION", `${name} primary version is not enabled.`);
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv("aes-256-gcm", v.material, iv);
    c.setAAD(bytes(body.additionalAuthenticatedData, "additional_authenticated_data", false));
    const ct = Buffer.concat([c.update(bytes(body.plaintext, "plaintext")), c.final()]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(v.id);
    return {
      name: `${name}/cryptoKeyVersions/${v.id}`,
      ciphertext: Buffer.concat([head, iv, ct, c.getAuthTag()]).toString("base64"),
      protectionLevel: "SOFTWARE",
    };
  };
  const decrypt = (name: string, body: Record<string, unknown>) => {
    const key = find(name);
    const invalid = () => new GoogleFault(400, "INVALID_ARGUMENT", "Decryption failed: the ciphertext is invalid.");
    const blob = bytes(body.ciphertext, "ciphertext");
    if (blob.length < 4 + 12 + 16) throw invalid();
    const v = key.versions.get(blob.readUInt32BE(0));
    if (!v) throw invalid();
    if (v.state !== "ENABLED") throw new GoogleFault(400, "FAILED_PRECONDITION", `${name}/cryptoKeyVersions/${v.id} is not enabled.`);
    const d = crypto.createDecipheriv("aes-256-gcm", v.material, blob.subarray(4, 16));
    d.setAAD(bytes(body.additionalAuthenticatedData, "additional_authenticated_data", false));
    d.setAuthTag(blob.subarray(blob.length - 16));
    try {
      const plaintext = Buffer.concat([d.update(blob.subarray(16, blob.length - 16)), d.final()]);
      return { plaintext: plaintext.toString("base64"), usedPrimary: v.id === key.primary, protectionLevel: "SOFTWARE" };
    } catch {
      throw invalid();
    }
  };

  const handle = (req: FakeRequest): FakeResponse => {
    try {
      if (req.headers.authorization !== `Bearer ${token}`) {
        throw new GoogleFault(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
      }
      const m = /^\/v1\/(projects\/[^:]+?)(?::(encrypt|decrypt|updatePrimaryVersion)|\/(cryptoKeyVersions))?$/.exec(req.path);
      if (!m) throw new GoogleFault(404, "NOT_FOUND", `The requested URL ${req.path} was not found.`);
      const [, name, verb, sub] = m as unknown as [string, string, string | undefined, string | undefined];
      const body = req.method === "POST" ? (JSON.parse(req.body || "{}") as Record<string, unknown>) : {};
      if (req.method === "GET" && !verb && !sub) return { status: 200, body: keyJson(name, find(name)) };
      if (req.method === "POST" && verb === "encrypt") return { status: 200, body: encrypt(name, body) };
      if (req.method === "POST" && verb === "decrypt") return { status: 200, body: decrypt(name, body) };
      if (req.method === "POST" && sub) return { status: 200, body: versionJson(name, addVersion(find(name))) };
      if (req.method === "POST" && verb === "updatePrimaryVersion") {
        const key = find(name);
        const id = Number(body.cryptoKeyVersionId);
        if (!key.versions.get(id) || key.versions.get(id)!.state !== "ENABLED") throw new GoogleFault(400, "FAILED_PRECONDITION", "Version is not enabled.");
        key.primary = id;
        return { status: 200, body: keyJson(name, key) };
      }
      throw new GoogleFault(404, "NOT_FOUND", `The requested URL ${req.path} was not found.`);
    } catch (e) {
      if (!(e instanceof GoogleFault)) throw e;
      return { status: e.code, body: { error: { code: e.code, message: e.message, status: e.status } } };
    }
  };

  const server = await startFakeServer(handle);
  return {
    ...server,
    token,
    createKey(name = "portcullis", ring = "portcullis") {
      const full = `projects/fake-project/locations/global/keyRings/${ring}/cryptoKeys/${name}`;
      const key: Key = { versions: new Map(), primary: 1 };
      addVersion(key);
      keys.set(full, key);
      return full;
    },
    disableVersion(keyName, version) {
      find(keyName).versions.get(version)!.state = "DISABLED";
    },
  };
}
