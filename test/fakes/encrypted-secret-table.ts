import type { SealedSecret } from "@/lib/crypto/envelope";
import type { RawSqlClient } from "@/lib/crypto/prisma-store";

/**
 * The DDL Prisma generates for the EncryptedSecret model described in lib/crypto/INVARIANTS.md
 * (minus the Team foreign key), so the store can be tested before the model lands in the schema.
 */
export const ENCRYPTED_SECRET_DDL = `
CREATE TABLE "EncryptedSecret" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "teamId" UUID NOT NULL,
  "recordId" TEXT NOT NULL,
  "field" TEXT NOT NULL,
  "purpose" TEXT NOT NULL,
  "formatVersion" INTEGER NOT NULL,
  "provider" TEXT NOT NULL,
  "keyId" TEXT NOT NULL,
  "keyVersion" TEXT NOT NULL,
  "wrappedKey" TEXT NOT NULL,
  "iv" TEXT NOT NULL,
  "ciphertext" TEXT NOT NULL,
  "tag" TEXT NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" TIMESTAMP(3) NOT NULL,
  CONSTRAINT "EncryptedSecret_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "EncryptedSecret_teamId_recordId_field_key" ON "EncryptedSecret"("teamId", "recordId", "field");
CREATE INDEX "EncryptedSecret_provider_keyId_keyVersion_idx" ON "EncryptedSecret"("provider", "keyId", "keyVersion");
`;

/** What the portal does on save: upsert the row's sealed columns (as Prisma's upsert would). */
export const UPSERT_SQL = `
INSERT INTO "EncryptedSecret" ("id","teamId","recordId","field","purpose","formatVersion","provider","keyId","keyVersion","wrappedKey","iv","ciphertext","tag","updatedAt")
VALUES ($1::uuid,$2::uuid,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,now())
ON CONFLICT ("id") DO UPDATE SET "formatVersion"=$6,"provider"=$7,"keyId"=$8,"keyVersion"=$9,"wrappedKey"=$10,"iv"=$11,"ciphertext"=$12,"tag"=$13,"updatedAt"=now()`;

export const SELECT_ONE_SQL = `SELECT "formatVersion",provider,"keyId","keyVersion","wrappedKey",iv,ciphertext,tag FROM "EncryptedSecret" WHERE id = $1::uuid`;

export function upsertValues(id: string, aad: { teamId: string; recordId: string; field: string; purpose: string }, s: SealedSecret) {
  return [id, aad.teamId, aad.recordId, aad.field, aad.purpose, s.formatVersion, s.provider, s.keyId, s.keyVersion, s.wrappedKey, s.iv, s.ciphertext, s.tag];
}

/** A RawSqlClient over anything with `query(sql, params)` (PGlite, node-postgres Pool). */
export function rawSqlOver(db: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number; rowCount?: number | null }> }): RawSqlClient {
  return {
    $queryRawUnsafe: async <T>(q: string, ...v: unknown[]) => (await db.query(q, v)).rows as T,
    $executeRawUnsafe: async (q: string, ...v: unknown[]) => {
      const r = await db.query(q, v);
      return r.affectedRows ?? r.rowCount ?? 0;
    },
  };
}
