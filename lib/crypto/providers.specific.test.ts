/** What only one provider has: Vault's min_decryption_version and derived keys, Cloud KMS auth and
 * disabled versions, AWS wire details and disabled keys. The shared behaviour is in the contract suite. */
import { KMSClient } from "@aws-sdk/client-kms";
import { afterEach, describe, expect, it } from "vitest";
import { startAwsKmsFake } from "@/test/fakes/aws-kms-fake";
import { startGcpKmsFake } from "@/test/fakes/gcp-kms-fake";
import { startVaultTransitFake } from "@/test/fakes/vault-transit-fake";
import { DecryptionError, KmsError } from "./errors";
import { AwsKmsProvider } from "./providers/aws-kms";
import { defaultGcpTokenSource, GcpKmsProvider } from "./providers/gcp-kms";
import { VaultTransitProvider } from "./providers/vault-transit";

const context = { teamId: "t1", recordId: "r1", field: "password", purpose: "registry-credential" };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
const rejection = (p: Promise<unknown>) => p.then(() => new Error("expected a rejection"), (e: unknown) => e);

describe("vault-transit", () => {
  async function vault(derived = true) {
    const fake = await startVaultTransitFake();
    cleanups.push(() => fake.close());
    fake.createKey("portcullis", { derived });
    const provider = new VaultTransitProvider({ addr: fake.url, token: fake.token, keyName: "portcullis", activeKeyTtlMs: 0 });
    const post = (path: string, body: unknown = {}) =>
      fetch(`${fake.url}/v1/transit/${path}`, { method: "POST", headers: { "x-vault-token": fake.token }, body: JSON.stringify(body) });
    return { fake, provider, post };
  }

  it("sends X-Vault-Token, base64 context, and records the vault:vN version", async () => {
    const { fake, provider } = await vault();
    const dk = await provider.generateDataKey(context);
    expect(dk.wrappedKey.toString()).toMatch(/^vault:v1:/);
    expect(dk.keyVersion).toBe("1");
    const req = fake.requests.find((r) => r.path === "/v1/transit/datakey/plaintext/portcullis")!;
    expect(req.headers["x-vault-token"]).toBe(fake.token);
    expect(JSON.parse(req.body)).toMatchObject({ bits: 256, context: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) });
  });

  it("after rotation and rewrap, raising min_decryption_version makes v1 wrapped keys unavailable", async () => {
    const { provider, post } = await vault();
    const old = await provider.generateDataKey(context);
    await post("keys/portcullis/rotate");
    const moved = await provider.rewrap(old.wrappedKey, old.keyId, old.keyVersion, context);
    expect(moved.keyVersion).toBe("2");
    await post("keys/portcullis/config", { min_decryption_version: 2 });
    const e = await rejection(provider.unwrap(old.wrappedKey, old.keyId, old.keyVersion, context));
    expect(e).toBeInstanceOf(DecryptionError);
    expect((e as DecryptionError).reason).toBe("key-unavailable");
    expect(await provider.unwrap(moved.wrappedKey, moved.keyId, moved.keyVersion, context)).toEqual(old.plaintextKey);
  });

  it("refuses a non-derived transit key, which would silently ignore the context", async () => {
    const { provider } = await vault(false);
    expect(await rejection(provider.generateDataKey(context))).toBeInstanceOf(KmsError);
    expect((await provider.health()).ok).toBe(false);
  });

  it("a bad token is a KmsError (retry/fix config), not a verdict on the data", async () => {
    const { fake, provider } = await vault();
    const dk = await provider.generateDataKey(context);
    const wrongToken = new VaultTransitProvider({ addr: fake.url, token: "hvs.wrong", keyName: "portcullis" });
    const e = await rejection(wrongToken.unwrap(dk.wrappedKey, dk.keyId, dk.keyVersion, context));
    expect(e).toBeInstanceOf(KmsError);
    expect((e as Error).message).toMatch(/403/);
    expect((e as Error).message).not.toContain("hvs.wrong");
  });
});

describe("gcp-kms", () => {
  async function gcp() {
    const fake = await startGcpKmsFake();
    cleanups.push(() => fake.close());
    const keyName = fake.createKey();
    return { fake, keyName, provider: new GcpKmsProvider({ keyName, baseUrl: fake.url, tokenSource: async () => fake.token }) };
  }

  it("calls :encrypt with base64 plaintext and additionalAuthenticatedData and a Bearer token", async () => {
    const { fake, keyName, provider } = await gcp();
    const dk = await provider.generateDataKey(context);
    expect(dk).toMatchObject({ keyId: keyName, keyVersion: "1" });
    const req = fake.requests.find((r) => r.path.endsWith(":encrypt"))!;
    expect(req.path).toBe(`/v1/${keyName}:encrypt`);
    expect(req.headers.authorization).toBe(`Bearer ${fake.token}`);
    const body = JSON.parse(req.body);
    expect(Buffer.from(body.plaintext, "base64")).toEqual(dk.plaintextKey);
    expect(Buffer.from(body.additionalAuthenticatedData, "base64").toString()).toContain("registry-credential");
  });

  it("a disabled key version makes its wrapped keys unavailable; a missing token is a KmsError", async () => {
    const { fake, keyName, provider } = await gcp();
    const dk = await provider.generateDataKey(context);
    const anonymous = new GcpKmsProvider({ keyName, baseUrl: fake.url, tokenSource: async () => "" });
    expect(await rejection(anonymous.unwrap(dk.wrappedKey, dk.keyId, dk.keyVersion, context))).toBeInstanceOf(KmsError);
    fake.disableVersion(keyName, 1);
    const e = await rejection(provider.unwrap(dk.wrappedKey, dk.keyId, dk.keyVersion, context));
    expect((e as DecryptionError).reason).toBe("key-unavailable");
  });

  it("refuses a stored key id that is not a CryptoKey name instead of putting it in a URL", async () => {
    const { fake, provider } = await gcp();
    const dk = await provider.generateDataKey(context);
    const before = fake.requests.length;
    const e = await rejection(provider.unwrap(dk.wrappedKey, "../../v1/projects/x", "1", context));
    expect((e as DecryptionError).reason).toBe("malformed");
    expect(fake.requests.length).toBe(before);
  });

  it("default token source: GOOGLE_OAUTH_ACCESS_TOKEN, else the metadata server", async () => {
    expect(await defaultGcpTokenSource(fetch, { GOOGLE_OAUTH_ACCESS_TOKEN: "ya29.env" })()).toBe("ya29.env");
    const calls: RequestInit[] = [];
    const metadata = async (_url: string, init: RequestInit) => {
      calls.push(init);
      return new Response(JSON.stringify({ access_token: "ya29.meta", expires_in: 3599 }), { status: 200 });
    };
    const source = defaultGcpTokenSource(metadata, { GCE_METADATA_HOST: "127.0.0.1:1" });
    expect(await source()).toBe("ya29.meta");
    expect(await source()).toBe("ya29.meta");
    expect(calls).toHaveLength(1); // cached until near expiry
    expect((calls[0]!.headers as Record<string, string>)["metadata-flavor"]).toBe("Google");
  });
});

describe("aws-kms", () => {
  it("speaks awsJson1_1 with SigV4 and the encryption context; a disabled key is key-unavailable", async () => {
    const fake = await startAwsKmsFake();
    const client = new KMSClient({ region: fake.region, endpoint: fake.url, credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "x" } });
    cleanups.push(() => fake.close(), () => client.destroy());
    const arn = fake.createKey("alias/portcullis");
    const provider = new AwsKmsProvider({ keyId: "alias/portcullis", client });
    const dk = await provider.generateDataKey(context);
    expect(dk.keyId).toBe(arn); // the alias is resolved: rows record the ARN
    const req = fake.requests[0]!;
    expect(req.headers["x-amz-target"]).toBe("TrentService.GenerateDataKey");
    expect(req.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(String(req.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKE\/\d{8}\/us-east-1\/kms\/aws4_request/);
    expect(JSON.parse(req.body)).toEqual({ KeyId: "alias/portcullis", KeySpec: "AES_256", EncryptionContext: context });
    expect(await provider.activeKey()).toMatchObject({ keyId: arn });

    fake.setKeyState(arn, "Disabled");
    const e = await rejection(provider.unwrap(dk.wrappedKey, dk.keyId, dk.keyVersion, context));
    expect((e as DecryptionError).reason).toBe("key-unavailable");
    expect((await provider.health()).ok).toBe(false);
  });
});
