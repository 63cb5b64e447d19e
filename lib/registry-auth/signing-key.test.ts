import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { restoreTestEnv, stubTestEnv } from "@/test/support/test-env";
import { libtrustKeyId } from "./jwt";
import { DEV_KEY_FILE, loadRegistrySigningKey, RegistryKeyError } from "./signing-key";

let dir: string;
const k1 = `k1:${crypto.randomBytes(32).toString("base64")}`;
const k2 = `k2:${crypto.randomBytes(32).toString("base64")}`;

const stub = stubTestEnv;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-regkey-"));
  stub({ PORTCULLIS_DATA_DIR: dir, KMS_PROVIDER: "", LOCAL_KMS_KEY_FILE: "", LOCAL_KMS_ACTIVE_KEY: "", LOCAL_KMS_KEYS: k1, REGISTRY_TOKEN_KEY_FILE: "", NODE_ENV: "test" });
});
afterEach(() => {
  restoreTestEnv();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("registry token signing key", () => {
  it("in development: generated once into the data directory, sealed by the KMS, mode 0600", async () => {
    const first = await loadRegistrySigningKey(parseEnv(process.env));
    const file = path.join(dir, DEV_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, "utf8");
    expect(text).not.toContain("PRIVATE KEY");
    expect(JSON.parse(text).sealed).toMatchObject({ provider: "local", keyId: "k1" });
    const again = await loadRegistrySigningKey(parseEnv(process.env));
    expect(again.kid).toBe(first.kid);
    expect(first.kid).toBe(libtrustKeyId(first.publicKey));
  });

  it("moves the sealed file to a new active KMS key on load, keeping the signing key", async () => {
    const first = await loadRegistrySigningKey(parseEnv(process.env));
    const env = stub({ LOCAL_KMS_KEYS: `${k1},${k2}`, LOCAL_KMS_ACTIVE_KEY: "k2" });
    expect((await loadRegistrySigningKey(env)).kid).toBe(first.kid);
    expect(JSON.parse(fs.readFileSync(path.join(dir, DEV_KEY_FILE), "utf8")).sealed.keyId).toBe("k2");
    // k1 can now be retired.
    const only2 = stub({ LOCAL_KMS_KEYS: k2, LOCAL_KMS_ACTIVE_KEY: "" });
    expect((await loadRegistrySigningKey(only2)).kid).toBe(first.kid);
  });

  it("REGISTRY_TOKEN_KEY_FILE: a PEM P-256 key, any other key refused by name", async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const file = path.join(dir, "token.key");
    fs.writeFileSync(file, privateKey.export({ type: "sec1", format: "pem" }));
    const key = await loadRegistrySigningKey(stub({ REGISTRY_TOKEN_KEY_FILE: file, NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) }));
    expect(key.kid).toBe(libtrustKeyId(publicKey));
    expect(fs.existsSync(path.join(dir, DEV_KEY_FILE))).toBe(false);

    fs.writeFileSync(file, crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }));
    await expect(loadRegistrySigningKey(parseEnv(process.env))).rejects.toThrow(/REGISTRY_TOKEN_KEY_FILE .* must hold a P-256/);
    fs.writeFileSync(file, "not a key");
    await expect(loadRegistrySigningKey(parseEnv(process.env))).rejects.toThrow(RegistryKeyError);
    await expect(loadRegistrySigningKey(stub({ REGISTRY_TOKEN_KEY_FILE: path.join(dir, "missing.key") }))).rejects.toThrow(/cannot be read \(ENOENT/);
  });

  it("production without REGISTRY_TOKEN_KEY_FILE is refused, and nothing is generated", async () => {
    const env = stub({ NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) });
    await expect(loadRegistrySigningKey(env)).rejects.toThrow(/REGISTRY_TOKEN_KEY_FILE is not set/);
    expect(fs.existsSync(path.join(dir, DEV_KEY_FILE))).toBe(false);
  });
});
