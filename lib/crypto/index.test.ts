import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/config/env";
import { restoreTestEnv, stubTestEnv } from "@/test/support/test-env";
import { DecryptionError, getKeyProvider, secrets } from ".";

const aad = { teamId: "t1", recordId: "reg-1", field: "password", purpose: "registry-credential" };
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-kms-index-"));
  const kmsVars = ["KMS_PROVIDER", "LOCAL_KMS_KEYS", "LOCAL_KMS_KEY_FILE", "LOCAL_KMS_ACTIVE_KEY", "AWS_KMS_KEY_ID", "VAULT_ADDR", "VAULT_TOKEN", "VAULT_TRANSIT_KEY", "GCP_KMS_KEY_NAME"];
  stubTestEnv({ PORTCULLIS_DATA_DIR: dir, ...Object.fromEntries(kmsVars.map((v) => [v, ""])) });
});
afterEach(() => {
  restoreTestEnv();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("secrets facade", () => {
  it("uses KMS_PROVIDER (default local) and round-trips text", async () => {
    stubTestEnv({ LOCAL_KMS_KEYS: `k1:${crypto.randomBytes(32).toString("base64")}` });
    expect(getKeyProvider().name).toBe("local");
    const sealed = await secrets.encrypt("p@ss", aad);
    expect(sealed).toMatchObject({ provider: "local", keyId: "k1" });
    expect(await secrets.decrypt(sealed, aad)).toBe("p@ss");
    await expect(secrets.decrypt(sealed, { ...aad, teamId: "t2" })).rejects.toThrow(DecryptionError);
  });

  it("names the missing variable for a cloud provider", () => {
    stubTestEnv({ KMS_PROVIDER: "vault-transit", VAULT_ADDR: "http://127.0.0.1:8200" });
    expect(() => getKeyProvider()).toThrow(ConfigError);
    expect(() => getKeyProvider()).toThrow(/VAULT_TOKEN is required for KMS_PROVIDER=vault-transit/);
  });

  it("after switching KMS_PROVIDER, still decrypts rows under the old provider; reports them unavailable once it is gone", async () => {
    const keys = `k1:${crypto.randomBytes(32).toString("base64")}`;
    stubTestEnv({ LOCAL_KMS_KEYS: keys });
    const old = await secrets.encrypt("legacy", aad);

    stubTestEnv({ KMS_PROVIDER: "aws-kms", AWS_KMS_KEY_ID: "alias/unreachable" }); // never called: the row names `local`
    expect(getKeyProvider().name).toBe("aws-kms");
    expect(await secrets.decrypt(old, aad)).toBe("legacy");

    stubTestEnv({ LOCAL_KMS_KEYS: "" });
    const e = await secrets.decrypt(old, aad).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DecryptionError);
    expect((e as DecryptionError).reason).toBe("key-unavailable");
    // A non-active local provider never creates a development key.
    expect(fs.existsSync(path.join(dir, "kms-local.key"))).toBe(false);
  });
});
