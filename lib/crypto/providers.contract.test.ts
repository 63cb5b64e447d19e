/**
 * ONE contract, every provider. Runs against `local` directly and against local fakes of AWS KMS
 * (through the real @aws-sdk/client-kms), Cloud KMS and Vault transit that speak each service's
 * HTTP wire format with real AES-GCM inside.
 *
 * Against the real services (nothing here can reach them; run it where you can):
 *   KMS_CONTRACT_REAL=aws-kms        AWS_KMS_KEY_ID=… AWS_KMS_SECOND_KEY_ID=… (+ SDK credentials/region)
 *   KMS_CONTRACT_REAL=gcp-kms        GCP_KMS_KEY_NAME=projects/…/cryptoKeys/… GOOGLE_OAUTH_ACCESS_TOKEN=$(gcloud auth print-access-token)
 *   KMS_CONTRACT_REAL=vault-transit  VAULT_ADDR=… VAULT_TOKEN=… VAULT_TRANSIT_KEY=<a key created with derived=true>
 *   npx vitest run --project unit lib/crypto/providers.contract.test.ts
 * (comma-separate several). Rotation is real there: a new Cloud KMS key version / Vault key
 * version is created and made primary; for AWS the second key becomes the active one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeHarnesses, realHarnesses, type Harness, type HarnessFactory } from "@/test/fakes/kms-harnesses";
import { decryptSecret, encryptSecret } from "./envelope";
import { DecryptionError } from "./errors";
import type { KeyProvider } from "./key-provider";

const context = { teamId: "team-a", recordId: "reg-1", field: "password", purpose: "registry-credential" };
const aad = context;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
}

const cases: [string, HarnessFactory][] = [...fakeHarnesses, ...realHarnesses()];

describe.each(cases)("KeyProvider contract: %s", (_name, make) => {
  let h: Harness;
  let provider: KeyProvider;
  beforeAll(async () => {
    h = await make();
    provider = h.provider;
  }, 30_000);
  afterAll(() => h?.close());

  it("is healthy and reports its active key", async () => {
    const health = await provider.health();
    expect(health.ok, health.detail).toBe(true);
    const active = await provider.activeKey();
    expect(active.provider).toBe(provider.name);
    expect(active.keyId).toBeTruthy();
    expect(active.keyVersion).toBeTruthy();
  });

  it("generates fresh 32-byte data keys wrapped under the active key, and unwraps them", async () => {
    const active = await provider.activeKey();
    const a = await provider.generateDataKey(context);
    const b = await provider.generateDataKey(context);
    expect(a.plaintextKey).toHaveLength(32);
    expect(a.plaintextKey.equals(b.plaintextKey)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
    expect(a.wrappedKey.includes(a.plaintextKey)).toBe(false);
    expect({ keyId: a.keyId, keyVersion: a.keyVersion }).toEqual({ keyId: active.keyId, keyVersion: active.keyVersion });
    expect(await provider.unwrap(a.wrappedKey, a.keyId, a.keyVersion, context)).toEqual(a.plaintextKey);
  });

  it("wraps a given data key (used when switching providers)", async () => {
    const key = Buffer.alloc(32, 7);
    const w = await provider.wrap(key, context);
    expect(await provider.unwrap(w.wrappedKey, w.keyId, w.keyVersion, context)).toEqual(key);
  });

  it("refuses to unwrap under another context, or a partial one", async () => {
    const dk = await provider.generateDataKey(context);
    for (const other of [{ ...context, teamId: "team-b" }, { ...context, recordId: "reg-2" }, { teamId: "team-a" }]) {
      const e = await rejection(provider.unwrap(dk.wrappedKey, dk.keyId, dk.keyVersion, other));
      expect(e).toBeInstanceOf(DecryptionError);
    }
  });

  it("refuses a wrapped key with a flipped byte (start, middle, end)", async () => {
    const dk = await provider.generateDataKey(context);
    for (const i of [0, Math.floor(dk.wrappedKey.length / 2), dk.wrappedKey.length - 1]) {
      const bad = Buffer.from(dk.wrappedKey);
      bad[i] = bad[i]! ^ 0x01;
      const e = await rejection(provider.unwrap(bad, dk.keyId, dk.keyVersion, context));
      expect(e, `byte ${i}`).toBeInstanceOf(DecryptionError);
    }
  });

  it("reports a key that does not exist as key-unavailable", async () => {
    const dk = await provider.generateDataKey(context);
    const e = await rejection(provider.unwrap(dk.wrappedKey, h.unknownKeyId, h.unknownKeyId, context));
    expect(e).toBeInstanceOf(DecryptionError);
    expect((e as DecryptionError).reason).toBe("key-unavailable");
  });

  it("seals and opens a secret end to end, bound to its associated data", async () => {
    const sealed = await encryptSecret("s3cr3t", aad, { provider });
    expect(sealed.provider).toBe(provider.name);
    expect((await decryptSecret(sealed, aad, { provider })).toString()).toBe("s3cr3t");
    expect(await rejection(decryptSecret(sealed, { ...aad, teamId: "team-b" }, { provider }))).toBeInstanceOf(DecryptionError);
  });

  it("after rotation: old keys still unwrap, new keys use the new version, rewrap moves old to new", async () => {
    const before = await provider.activeKey();
    const old = await provider.generateDataKey(context);
    const rotated = await h.rotate();
    provider = rotated;
    const after = await rotated.activeKey();
    expect(after).not.toEqual(before);

    expect(await rotated.unwrap(old.wrappedKey, old.keyId, old.keyVersion, context)).toEqual(old.plaintextKey);
    const fresh = await rotated.generateDataKey(context);
    expect([fresh.keyId, fresh.keyVersion]).toEqual([after.keyId, after.keyVersion]);

    const moved = await rotated.rewrap(old.wrappedKey, old.keyId, old.keyVersion, context);
    expect([moved.keyId, moved.keyVersion]).toEqual([after.keyId, after.keyVersion]);
    expect(moved.wrappedKey.equals(old.wrappedKey)).toBe(false);
    expect(await rotated.unwrap(moved.wrappedKey, moved.keyId, moved.keyVersion, context)).toEqual(old.plaintextKey);

    const e = await rejection(rotated.rewrap(old.wrappedKey, old.keyId, old.keyVersion, { ...context, teamId: "team-b" }));
    expect(e).toBeInstanceOf(DecryptionError);
  });
});
