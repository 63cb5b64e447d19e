import crypto from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENCRYPTED_SECRET_DDL, rawSqlOver, SELECT_ONE_SQL, upsertValues, UPSERT_SQL } from "@/test/fakes/encrypted-secret-table";
import type { SecretAAD } from "./aad";
import { decryptSecret, encryptSecret, type SealedSecret } from "./envelope";
import { prismaSecretStore, SECRET_OWNERS } from "./prisma-store";
import { LICENSE_SECRET_PURPOSE } from "@/lib/licenses/license-id";
import { REGISTRY_SECRET_PURPOSE } from "@/lib/registries/secret";
import { SIGNING_KEY_PURPOSE } from "@/lib/licenses/signing-key";
import { SSO_SECRET_PURPOSE } from "@/lib/sso/secret";
import { LocalKeyProvider } from "./providers/local";
import { rewrapSecrets, status } from "./rewrap";

// The store's SQL on a real PostgreSQL engine (PGlite, in process). The same SQL runs through
// Prisma's $queryRawUnsafe/$executeRawUnsafe; test/integration/kms-rewrap.test.ts runs it on
// PostgreSQL 15 with concurrent connections.
const k1 = { id: "k1", key: crypto.randomBytes(32) };
const v1 = new LocalKeyProvider([k1]);
const v2 = new LocalKeyProvider([k1, { id: "k2", key: crypto.randomBytes(32) }]);
const team = crypto.randomUUID();
const aadOf = (i: number): SecretAAD => ({ teamId: team, recordId: `reg-${i}`, field: "password", purpose: "registry-credential" });

let pg: PGlite;
const ids: string[] = [];
beforeAll(async () => {
  pg = new PGlite();
  await pg.exec(ENCRYPTED_SECRET_DDL);
  for (let i = 0; i < 12; i++) {
    const id = crypto.randomUUID();
    ids.push(id);
    await pg.query(UPSERT_SQL, upsertValues(id, aadOf(i), await encryptSecret(`pw-${i}`, aadOf(i), { provider: v1 })));
  }
  ids.sort();
}, 60_000);
afterAll(() => pg?.close());

const readRow = async (id: string) => (await pg.query<SealedSecret>(SELECT_ONE_SQL, [id])).rows[0]!;

describe("prismaSecretStore on PostgreSQL", () => {
  it("lists in id order with a cursor, and counts by key with GROUP BY", async () => {
    const store = prismaSecretStore(rawSqlOver(pg));
    const first = await store.listBatch(null, 5);
    const second = await store.listBatch(first.at(-1)!.id, 100);
    expect([...first, ...second].map((r) => r.id)).toEqual(ids);
    expect(first[0]!.aad).toMatchObject({ teamId: team, field: "password" });
    expect(await status(store, await v2.activeKey())).toEqual({
      total: 12,
      keys: [{ provider: "local", keyId: "k1", keyVersion: "k1", count: 12, active: false }],
    });
  });

  it("swaps only when the row is unchanged, and never lets a rewrap change the ciphertext", async () => {
    const store = prismaSecretStore(rawSqlOver(pg));
    const [row] = await store.listBatch(null, 1);
    const stale = row!.sealed;
    // Someone saves new credentials for this row first.
    const saved = await encryptSecret("pw-new", row!.aad, { provider: v1 });
    await pg.query(UPSERT_SQL, upsertValues(row!.id, row!.aad, saved));
    expect(await store.update(row!.id, stale, { ...stale, keyId: "k2", keyVersion: "k2" })).toBe(false);
    expect(await readRow(row!.id)).toEqual(saved);
    await expect(store.update(row!.id, saved, { ...saved, ciphertext: stale.ciphertext })).rejects.toThrow(/never the ciphertext/);
  });

  it("rewraps the table to k2; every secret still decrypts to its value", async () => {
    const store = prismaSecretStore(rawSqlOver(pg));
    const report = await rewrapSecrets(store, { provider: v2, batchSize: 5 });
    expect(report).toMatchObject({ scanned: 12, rewrapped: 12, conflicts: 0, failed: [] });
    expect((await status(store)).keys).toEqual([{ provider: "local", keyId: "k2", keyVersion: "k2", count: 12, active: false }]);
    const plain = await Promise.all((await store.listBatch(null, 100)).map(async (r) => (await decryptSecret(r.sealed, r.aad, { provider: v2 })).toString()));
    expect(plain.filter((p) => p === "pw-new")).toHaveLength(1);
    expect(plain.filter((p) => /^pw-\d+$/.test(p))).toHaveLength(11);
  });
});

describe("orphaned secrets", () => {
  it("SECRET_OWNERS names an owner for exactly the purposes the portal seals", () => {
    expect(Object.keys(SECRET_OWNERS).sort()).toEqual([LICENSE_SECRET_PURPOSE, REGISTRY_SECRET_PURPOSE, SIGNING_KEY_PURPOSE, SSO_SECRET_PURPOSE].sort());
  });

  it("counts secrets whose license or registry row is gone, or whose purpose nobody owns", async () => {
    const db = new PGlite();
    try {
      await db.exec(ENCRYPTED_SECRET_DDL);
      await db.exec(`CREATE TABLE "License" (id uuid PRIMARY KEY, "teamId" uuid NOT NULL); CREATE TABLE "Registry" (id uuid PRIMARY KEY, "teamId" uuid NOT NULL); CREATE TABLE "TeamSso" (id uuid PRIMARY KEY, "teamId" uuid NOT NULL);`);
      const live = crypto.randomUUID();
      await db.query(`INSERT INTO "License" VALUES ($1, $2)`, [live, team]);
      const put = async (recordId: string, purpose: string, teamId = team) => {
        const aad = { teamId, recordId, field: "f", purpose };
        await db.query(UPSERT_SQL, upsertValues(crypto.randomUUID(), aad, await encryptSecret("x", aad, { provider: v1 })));
      };
      await put(live, LICENSE_SECRET_PURPOSE); // owned
      await put("team", SIGNING_KEY_PURPOSE); // owned by its team
      const store = prismaSecretStore(rawSqlOver(db));
      expect(await store.countOrphans!()).toBe(0);
      await put(crypto.randomUUID(), LICENSE_SECRET_PURPOSE); // its license is gone
      await put(crypto.randomUUID(), REGISTRY_SECRET_PURPOSE); // its registry is gone
      await put(live, LICENSE_SECRET_PURPOSE, crypto.randomUUID()); // another team's id for that license
      await put("x", "no-such-purpose");
      expect(await store.countOrphans!()).toBe(4);
    } finally {
      await db.close();
    }
  }, 60_000);
});
