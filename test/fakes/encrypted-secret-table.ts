import fs from "node:fs";
import path from "node:path";
import type { SealedSecret } from "@/lib/crypto/envelope";
import type { RawSqlClient } from "@/lib/crypto/prisma-store";

/**
 * The EncryptedSecret table as the migrations create it (lib/crypto/INVARIANTS.md), minus the Team
 * foreign key, so the store can be tested on a bare database: read from the migrations, so it
 * can't drift from them.
 */
export const ENCRYPTED_SECRET_DDL = encryptedSecretDdl();

function encryptedSecretDdl(): string {
  const dir = path.join(import.meta.dirname, "..", "..", "prisma", "migrations");
  const statements = fs
    .readdirSync(dir)
    .sort()
    .filter((name) => fs.existsSync(path.join(dir, name, "migration.sql")))
    .flatMap((name) => fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8").split(";"))
    .map((statement) => statement.replace(/^--.*$/gm, "").trim())
    .filter((statement) => /^CREATE (TABLE|(UNIQUE )?INDEX "[^"]+" ON) "EncryptedSecret"/.test(statement) || /^ALTER TABLE "EncryptedSecret" (ADD|DROP|ALTER) COLUMN/.test(statement));
  if (!statements.some((st) => st.startsWith('CREATE TABLE "EncryptedSecret"'))) throw new Error("no CREATE TABLE \"EncryptedSecret\" in prisma/migrations");
  return statements.map((st) => `${st};`).join("\n");
}

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
