import crypto from "node:crypto";
import { KMSClient } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { startAwsKmsFake } from "@/test/fakes/aws-kms-fake";
import { MemorySecretStore } from "@/test/fakes/memory-secret-store";
import type { SecretAAD } from "./aad";
import { decryptSecret, encryptSecret, type EnvelopeOptions } from "./envelope";
import { KeyInUseError } from "./errors";
import { AwsKmsProvider } from "./providers/aws-kms";
import { LocalKeyProvider } from "./providers/local";
import { assertKeyRetirable, rewrapSecrets, RewrapInterruptedError, status } from "./rewrap";

const k1 = { id: "k1", key: crypto.randomBytes(32) };
const k2 = { id: "k2", key: crypto.randomBytes(32) };
const v1 = new LocalKeyProvider([k1]);
const v2 = new LocalKeyProvider([k1, k2]);
const local = (id: string) => ({ provider: "local" as const, keyId: id, keyVersion: id });

const aadOf = (i: number): SecretAAD => ({ teamId: `team-${i % 3}`, recordId: `reg-${i}`, field: "password", purpose: "registry-credential" });
const idOf = (i: number) => `row-${String(i).padStart(4, "0")}`;
const plaintextOf = (i: number) => `password-${i}`;

async function seed(n: number, provider = v1): Promise<MemorySecretStore> {
  const store = new MemorySecretStore();
  for (let i = 0; i < n; i++) store.put({ id: idOf(i), aad: aadOf(i), sealed: await encryptSecret(plaintextOf(i), aadOf(i), { provider }) });
  return store;
}

async function expectAllReadable(store: MemorySecretStore, opts: EnvelopeOptions) {
  for (const row of store.rows.values()) {
    const i = Number(row.id.slice(4));
    expect((await decryptSecret(row.sealed, row.aad, opts)).toString()).toBe(plaintextOf(i));
  }
}

describe("rewrap", () => {
  it("moves every row to the active key with the same plaintext, touching only the wrapped key", async () => {
    const store = await seed(25);
    const before = new Map([...store.rows].map(([id, r]) => [id, r.sealed]));
    const report = await rewrapSecrets(store, { provider: v2, batchSize: 7 });
    expect(report).toMatchObject({ target: local("k2"), scanned: 25, rewrapped: 25, current: 0, conflicts: 0, failed: [], lastId: idOf(24) });
    for (const [id, row] of store.rows) {
      const old = before.get(id)!;
      expect(row.sealed).toMatchObject({ keyId: "k2", keyVersion: "k2", iv: old.iv, ciphertext: old.ciphertext, tag: old.tag });
      expect(row.sealed.wrappedKey).not.toBe(old.wrappedKey);
    }
    await expectAllReadable(store, { provider: v2 });
    // Only k2 is needed now: a keyring without k1 reads everything.
    await expectAllReadable(store, { provider: new LocalKeyProvider([k2]) });
    // A second run has nothing left to do.
    expect(await rewrapSecrets(store, { provider: v2 })).toMatchObject({ rewrapped: 0, current: 25 });
  });

  it("dry run counts without writing", async () => {
    const store = await seed(10);
    store.put({ id: "row-9999", aad: aadOf(9999), sealed: await encryptSecret("x", aadOf(9999), { provider: v2 }) });
    const report = await rewrapSecrets(store, { provider: v2, dryRun: true, batchSize: 3 });
    expect(report).toMatchObject({ dryRun: true, scanned: 11, pending: 10, current: 1, rewrapped: 0 });
    expect(store.updates).toBe(0);
  });

  it("is safe to interrupt mid-batch and resume: nothing lost, everything ends on k2", async () => {
    const store = await seed(30);
    let updates = 0;
    store.beforeUpdate = () => {
      if (++updates === 13) throw new Error("connection reset"); // the process "dies" inside batch 2
    };
    const interrupted = await rewrapSecrets(store, { provider: v2, batchSize: 10, concurrency: 1 }).catch((e: unknown) => e);
    expect(interrupted).toBeInstanceOf(RewrapInterruptedError);
    const partial = (interrupted as RewrapInterruptedError).report;
    expect(partial.lastId).toBe(idOf(9)); // last *completed* batch
    expect((await status(store)).keys.map((k) => [k.keyId, k.count])).toEqual([
      ["k1", 18],
      ["k2", 12],
    ]);
    await expectAllReadable(store, { provider: v2 }); // mixed state: every row still reads

    store.beforeUpdate = undefined;
    const resumed = await rewrapSecrets(store, { provider: v2, batchSize: 10, after: partial.lastId });
    expect(resumed).toMatchObject({ scanned: 20, rewrapped: 18, current: 2 });
    expect((await status(store)).keys).toEqual([{ ...local("k2"), count: 30, active: false }]);
    await expectAllReadable(store, { provider: v2 });
  });

  it("does not clobber a concurrent write that lands between its read and its swap", async () => {
    const store = await seed(5);
    store.beforeUpdate = async (id) => {
      if (id !== idOf(2)) return;
      store.beforeUpdate = undefined;
      // The portal saves new credentials for this row right now (under the active key).
      store.put({ id, aad: aadOf(2), sealed: await encryptSecret("rotated-by-user", aadOf(2), { provider: v2 }) });
    };
    const report = await rewrapSecrets(store, { provider: v2, concurrency: 1 });
    expect(report).toMatchObject({ rewrapped: 4, conflicts: 1 });
    const row = store.get(idOf(2))!;
    expect((await decryptSecret(row.sealed, row.aad, { provider: v2 })).toString()).toBe("rotated-by-user");
  });

  it("reports rows that don't decrypt and carries on with the rest", async () => {
    const store = await seed(4);
    const victim = store.get(idOf(1))!;
    store.put({ ...victim, aad: { ...victim.aad, teamId: "someone-else" } }); // row copied under another team
    const report = await rewrapSecrets(store, { provider: v2 });
    expect(report.rewrapped).toBe(3);
    expect(report.failed).toEqual([{ id: idOf(1), reason: "integrity", key: "local:k1" }]);
    expect(JSON.stringify(report)).not.toContain(plaintextOf(1));
  });

  it("switches providers the same way: local → aws-kms (fake, through the real SDK)", async () => {
    const fake = await startAwsKmsFake();
    const client = new KMSClient({ region: fake.region, endpoint: fake.url, credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "x" } });
    try {
      const aws = new AwsKmsProvider({ keyId: fake.createKey("alias/portcullis"), client });
      const store = await seed(6);
      // During the switch the envelope still reaches the old provider for rows that name it.
      const opts = { provider: aws, resolve: () => v1 };
      await expectAllReadable(store, opts);
      expect(await rewrapSecrets(store, opts)).toMatchObject({ rewrapped: 6, failed: [] });
      const [only] = (await status(store)).keys;
      expect(only).toMatchObject({ provider: "aws-kms", count: 6 });
      // Done: the local keyring is no longer needed at all.
      await expectAllReadable(store, { provider: aws });
    } finally {
      client.destroy();
      await fake.close();
    }
  });
});

describe("status and retirement", () => {
  it("counts rows per provider/key/version and marks the active one", async () => {
    const store = await seed(7);
    for (let i = 7; i < 10; i++) store.put({ id: idOf(i), aad: aadOf(i), sealed: await encryptSecret(plaintextOf(i), aadOf(i), { provider: v2 }) });
    expect(await status(store, await v2.activeKey())).toEqual({
      total: 10,
      keys: [
        { ...local("k1"), count: 7, active: false },
        { ...local("k2"), count: 3, active: true },
      ],
    });
    expect(await status(new MemorySecretStore())).toEqual({ total: 0, keys: [] });
  });

  it("refuses to retire a key that rows still use, or the active key; allows it after rewrap", async () => {
    const store = await seed(3);
    const active = await v2.activeKey();
    await expect(assertKeyRetirable(store, { provider: "local", keyId: "k1" }, active)).rejects.toThrow(KeyInUseError);
    await expect(assertKeyRetirable(store, { provider: "local", keyId: "k1", keyVersion: "k1" }, active)).rejects.toThrow(/3 stored secret/);
    await expect(assertKeyRetirable(store, { provider: "local", keyId: "k2" }, active)).rejects.toThrow(/active key/);
    await rewrapSecrets(store, { provider: v2 });
    await expect(assertKeyRetirable(store, { provider: "local", keyId: "k1" }, active)).resolves.toBeUndefined();
  });
});
