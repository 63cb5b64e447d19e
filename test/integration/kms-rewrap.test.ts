import crypto from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretAAD } from "@/lib/crypto/aad";
import { decryptSecret, encryptSecret, type SealedSecret } from "@/lib/crypto/envelope";
import { prismaSecretStore } from "@/lib/crypto/prisma-store";
import { LocalKeyProvider } from "@/lib/crypto/providers/local";
import { rewrapSecrets, status } from "@/lib/crypto/rewrap";
import { ENCRYPTED_SECRET_DDL, rawSqlOver, SELECT_ONE_SQL, upsertValues, UPSERT_SQL } from "@/test/fakes/encrypted-secret-table";

/**
 * Rotation without downtime, on PostgreSQL: `kms rewrap` runs over one pool while other
 * connections keep reading (and decrypting) and writing secrets. Nothing may fail to read,
 * nothing written may be lost, and at the end every row is on the new key.
 * Uses its own throw-away database on TEST_POSTGRES_URL (default: the local server).
 */
const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const dbName = `kms_rewrap_${crypto.randomBytes(4).toString("hex")}`;
const k1 = { id: "k1", key: crypto.randomBytes(32) };
const v1 = new LocalKeyProvider([k1]);
const k2 = { id: "k2", key: crypto.randomBytes(32) };
const v2 = new LocalKeyProvider([k1, k2]);
const ROWS = 400;

let admin: pg.Client;
let rewrapPool: pg.Pool;
let appPool: pg.Pool;
const expected = new Map<string, { aad: SecretAAD; value: string }>();

beforeAll(async () => {
  admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  rewrapPool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  appPool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  await appPool.query(ENCRYPTED_SECRET_DDL);
  const team = crypto.randomUUID();
  for (let i = 0; i < ROWS; i++) {
    const id = crypto.randomUUID();
    const aad = { teamId: team, recordId: `reg-${i}`, field: "password", purpose: "registry-credential" };
    expected.set(id, { aad, value: `pw-${i}` });
    await appPool.query(UPSERT_SQL, upsertValues(id, aad, await encryptSecret(`pw-${i}`, aad, { provider: v1 })));
  }
}, 120_000);

afterAll(async () => {
  await rewrapPool?.end();
  await appPool?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin?.end();
});

describe("kms rewrap on PostgreSQL under concurrent reads and writes", () => {
  it("loses nothing, fails no read, and ends with every row on the new key", async () => {
    const ids = [...expected.keys()];
    const pick = () => ids[crypto.randomInt(ids.length)]!;
    let done = false;
    const stats = { reads: 0, readFailures: 0, writes: 0 };

    const reader = async () => {
      while (!done) {
        const id = pick();
        const row = (await appPool.query<SealedSecret>(SELECT_ONE_SQL, [id])).rows[0]!;
        const want = expected.get(id)!;
        try {
          const got = (await decryptSecret(row, want.aad, { provider: v2 })).toString();
          // A write may have landed after we read the row: either value is fine, garbage is not.
          if (!/^pw-/.test(got)) stats.readFailures++;
        } catch {
          stats.readFailures++;
        }
        stats.reads++;
      }
    };
    const writer = async () => {
      while (!done) {
        const id = pick();
        const { aad } = expected.get(id)!;
        const value = `pw-rotated-${stats.writes}`;
        await appPool.query(UPSERT_SQL, upsertValues(id, aad, await encryptSecret(value, aad, { provider: v2 })));
        expected.set(id, { aad, value });
        stats.writes++;
        await new Promise((r) => setTimeout(r, 2));
      }
    };

    const background = [reader(), reader(), writer()];
    const report = await rewrapSecrets(prismaSecretStore(rawSqlOver(rewrapPool)), { provider: v2, batchSize: 25, concurrency: 4 });
    done = true;
    await Promise.all(background);

    expect(stats.readFailures).toBe(0);
    expect(stats.reads).toBeGreaterThan(50);
    expect(stats.writes).toBeGreaterThan(5);
    expect(report.failed).toEqual([]);
    expect(report.scanned).toBe(ROWS);
    expect(report.rewrapped + report.current + report.conflicts).toBe(ROWS);

    const store = prismaSecretStore(rawSqlOver(appPool));
    expect((await status(store)).keys).toEqual([{ provider: "local", keyId: "k2", keyVersion: "k2", count: ROWS, active: false }]);
    const k2Only = new LocalKeyProvider([k2]); // k1 could now be retired
    for (const row of await store.listBatch(null, ROWS)) {
      expect((await decryptSecret(row.sealed, row.aad, { provider: k2Only })).toString()).toBe(expected.get(row.id)!.value);
    }
  }, 120_000);
});
