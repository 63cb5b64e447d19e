import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { MemorySecretStore } from "@/test/fakes/memory-secret-store";
import type { SecretAAD } from "./aad";
import { combinedSecretStore } from "./combined-store";
import { decryptSecret, encryptSecret } from "./envelope";
import { LocalKeyProvider } from "./providers/local";
import { rewrapSecrets, status } from "./rewrap";

const k1 = { id: "k1", key: crypto.randomBytes(32) };
const k2 = { id: "k2", key: crypto.randomBytes(32) };
const v1 = new LocalKeyProvider([k1]);
const v2 = new LocalKeyProvider([k1, k2]);
const aadOf = (id: string): SecretAAD => ({ teamId: "team", recordId: id, field: "password", purpose: "registry-credential" });

async function storeOf(ids: string[]) {
  const store = new MemorySecretStore();
  for (const id of ids) store.put({ id, aad: aadOf(id), sealed: await encryptSecret(`plain-${id}`, aadOf(id), { provider: v1 }) });
  return store;
}

describe("combinedSecretStore", () => {
  it("counts and rewraps the secrets of every part, in batches that cross from one part to the next", async () => {
    const teams = await storeOf(["a", "b", "c"]);
    const people = await storeOf(["u1", "u2"]);
    const combined = combinedSecretStore([
      { name: "secret", store: teams },
      { name: "totp", store: people },
    ]);
    expect((await status(combined)).total).toBe(5);
    const report = await rewrapSecrets(combined, { provider: v2, batchSize: 2 });
    expect(report).toMatchObject({ scanned: 5, rewrapped: 5, failed: [], lastId: "totp:u2" });
    for (const store of [teams, people]) {
      for (const row of store.rows.values()) {
        expect(row.sealed.keyId).toBe("k2");
        expect((await decryptSecret(row.sealed, row.aad, { provider: new LocalKeyProvider([k2]) })).toString()).toBe(`plain-${row.id}`);
      }
    }
    const { keys } = await status(combined, { provider: "local", keyId: "k2", keyVersion: "k2" });
    expect(keys).toEqual([{ provider: "local", keyId: "k2", keyVersion: "k2", count: 5, active: true }]);
  });

  it("resumes after an id of either part, and refuses ids it doesn't know", async () => {
    const combined = combinedSecretStore([
      { name: "secret", store: await storeOf(["a", "b"]) },
      { name: "totp", store: await storeOf(["u1", "u2"]) },
    ]);
    expect((await combined.listBatch("secret:a", 10)).map((r) => r.id)).toEqual(["secret:b", "totp:u1", "totp:u2"]);
    expect((await combined.listBatch("totp:u1", 10)).map((r) => r.id)).toEqual(["totp:u2"]);
    expect(await combined.listBatch("nothing:x", 10)).toEqual([]);
    const [row] = await combined.listBatch(null, 1);
    expect(await combined.update("nothing:a", row!.sealed, row!.sealed)).toBe(false);
  });
});
