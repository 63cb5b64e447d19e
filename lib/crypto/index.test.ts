import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError, resetEnvCache } from "@/lib/config/env";
import { DecryptionError, getKeyProvider, resetKeyProviders, secrets } from ".";

const aad = { teamId: "t1", recordId: "reg-1", field: "password", purpose: "registry-credential" };
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-kms-index-"));
  vi.stubEnv("PORTCULLIS_DATA_DIR", dir);
  for (const v of ["KMS_PROVIDER", "LOCAL_KMS_KEYS", "LOCAL_KMS_KEY_FILE", "LOCAL_KMS_ACTIVE_KEY", "AWS_KMS_KEY_ID", "VAULT_ADDR", "VAULT_TOKEN", "VAULT_TRANSIT_KEY", "GCP_KMS_KEY_NAME"]) {
    vi.stubEnv(v, "");
  }
  refresh();
});
afterEach(() => {
  vi.unstubAllEnvs();
  refresh();
  fs.rmSync(dir, { recursive: true, force: true });
});

function refresh() {
  resetEnvCache();
  resetKeyProviders();
}

describe("secrets facade", () => {
  it("uses KMS_PROVIDER (default local) and round-trips text", async () => {
    vi.stubEnv("LOCAL_KMS_KEYS", `k1:${crypto.randomBytes(32).toString("base64")}`);
    refresh();
    expect(getKeyProvider().name).toBe("local");
    const sealed = await secrets.encrypt("p@ss", aad);
    expect(sealed).toMatchObject({ provider: "local", keyId: "k1" });
    expect(await secrets.decrypt(sealed, aad)).toBe("p@ss");
    await expect(secrets.decrypt(sealed, { ...aad, teamId: "t2" })).rejects.toThrow(DecryptionError);
  });

  it("names the missing variable for a cloud provider", () => {
    vi.stubEnv("KMS_PROVIDER", "vault-transit");
    vi.stubEnv("VAULT_ADDR", "http://127.0.0.1:8200");
    refresh();
    expect(() => getKeyProvider()).toThrow(ConfigError);
    expect(() => getKeyProvider()).toThrow(/VAULT_TOKEN is required for KMS_PROVIDER=vault-transit/);
  });

  it("after switching KMS_PROVIDER, still decrypts rows under the old provider; reports them unavailable once it is gone", async () => {
    const keys = `k1:${crypto.randomBytes(32).toString("base64")}`;
    vi.stubEnv("LOCAL_KMS_KEYS", keys);
    refresh();
    const old = await secrets.encrypt("legacy", aad);

    vi.stubEnv("KMS_PROVIDER", "aws-kms");
    vi.stubEnv("AWS_KMS_KEY_ID", "alias/unreachable"); // never called: the row names `local`
    refresh();
    expect(getKeyProvider().name).toBe("aws-kms");
    expect(await secrets.decrypt(old, aad)).toBe("legacy");

    vi.stubEnv("LOCAL_KMS_KEYS", "");
    refresh();
    const e = await secrets.decrypt(old, aad).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DecryptionError);
    expect((e as DecryptionError).reason).toBe("key-unavailable");
    // A non-active local provider never creates a development key.
    expect(fs.existsSync(path.join(dir, "kms-local.key"))).toBe(false);
  });
});
