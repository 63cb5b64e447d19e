import type { SealedSecret } from "./envelope";
import type { KeyUsage, SecretRow, SecretStore } from "./rewrap";

/**
 * The SecretStore over the `EncryptedSecret` table (model in INVARIANTS.md / the lead's schema),
 * through Prisma's raw SQL so it needs nothing from the generated model types. Pass the
 * PrismaClient (or an interactive transaction client — anything with these two methods).
 *
 * The table's sealed columns have exactly SealedSecret's names, so the app writes with
 * `prisma.encryptedSecret.create({ data: { teamId, recordId, field, purpose, ...sealed } })` and
 * reads with `select: SEALED_COLUMNS`.
 */
export interface RawSqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export const SEALED_COLUMNS = {
  formatVersion: true,
  provider: true,
  keyId: true,
  keyVersion: true,
  wrappedKey: true,
  iv: true,
  ciphertext: true,
  tag: true,
} as const;

interface Row extends SealedSecret {
  id: string;
  teamId: string;
  recordId: string;
  field: string;
  purpose: string;
}

const TABLE = `"EncryptedSecret"`;

/**
 * The table whose row owns each purpose's secrets (`recordId` = that row's id, same team), or
 * null for a team-level secret (the license signing key), which its team row owns and the
 * team's cascade removes. A secret of a purpose not listed here has no owner either. Kept in step
 * with the purposes in lib/licenses, lib/registries and lib/sso by prisma-store.test.ts.
 */
export const SECRET_OWNERS: Readonly<Record<string, string | null>> = {
  "license-id": "License",
  "registry-credential": "Registry",
  "license-signing-key": null,
  "sso-client-secret": "TeamSso",
};

/** SQL: the secrets no record owns any more (sealed data nothing will ever read). */
function orphanedSecretsSql(): string {
  const owned = Object.entries(SECRET_OWNERS).map(([purpose, table]) => {
    const p = `s.purpose = '${purpose.replace(/'/g, "''")}'`;
    return table ? `(${p} AND EXISTS (SELECT 1 FROM "${table}" o WHERE o.id::text = s."recordId" AND o."teamId" = s."teamId"))` : `(${p})`;
  });
  return `SELECT COUNT(*)::int AS count FROM ${TABLE} s WHERE NOT (${owned.join(" OR ")})`;
}

export function prismaSecretStore(db: RawSqlClient): SecretStore {
  return {
    async listBatch(afterId, limit) {
      const rows = await db.$queryRawUnsafe<Row[]>(
        `SELECT id::text AS id, "teamId"::text AS "teamId", "recordId", field, purpose,
                "formatVersion", provider, "keyId", "keyVersion", "wrappedKey", iv, ciphertext, tag
           FROM ${TABLE}
          WHERE $1::uuid IS NULL OR id > $1::uuid
          ORDER BY id
          LIMIT $2`,
        afterId,
        limit,
      );
      return rows.map(
        (r): SecretRow => ({
          id: r.id,
          aad: { teamId: r.teamId, recordId: r.recordId, field: r.field, purpose: r.purpose },
          sealed: {
            formatVersion: r.formatVersion,
            provider: r.provider,
            keyId: r.keyId,
            keyVersion: r.keyVersion,
            wrappedKey: r.wrappedKey,
            iv: r.iv,
            ciphertext: r.ciphertext,
            tag: r.tag,
          },
        }),
      );
    },

    /** Compare-and-swap on every sealed column: a concurrent save (new iv, new wrapped key) wins. */
    async update(id, expected, next) {
      if (next.iv !== expected.iv || next.ciphertext !== expected.ciphertext || next.tag !== expected.tag || next.formatVersion !== expected.formatVersion) {
        throw new Error("rewrap may only change the wrapped key and key fields, never the ciphertext");
      }
      const count = await db.$executeRawUnsafe(
        `UPDATE ${TABLE}
            SET provider = $2, "keyId" = $3, "keyVersion" = $4, "wrappedKey" = $5, "updatedAt" = now()
          WHERE id = $1::uuid
            AND "formatVersion" = $6 AND provider = $7 AND "keyId" = $8 AND "keyVersion" = $9
            AND "wrappedKey" = $10 AND iv = $11 AND ciphertext = $12 AND tag = $13`,
        id,
        next.provider,
        next.keyId,
        next.keyVersion,
        next.wrappedKey,
        expected.formatVersion,
        expected.provider,
        expected.keyId,
        expected.keyVersion,
        expected.wrappedKey,
        expected.iv,
        expected.ciphertext,
        expected.tag,
      );
      return count === 1;
    },

    async countOrphans() {
      const rows = await db.$queryRawUnsafe<Array<{ count: number }>>(orphanedSecretsSql());
      return Number(rows[0]?.count ?? 0);
    },

    async countByKey() {
      const rows = await db.$queryRawUnsafe<KeyUsage[]>(
        `SELECT provider, "keyId", "keyVersion", COUNT(*)::int AS count FROM ${TABLE} GROUP BY 1, 2, 3`,
      );
      return rows.map((r) => ({ ...r, count: Number(r.count) }));
    },
  };
}
