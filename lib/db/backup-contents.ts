import type { PGlite } from "@electric-sql/pglite";

/**
 * What a snapshot of the database holds, read from an opened copy: versions, migrations, rows per
 * main table, and the keys its sealed secrets and hashes were made with (which must be configured
 * wherever it is restored).
 */
export const MAIN_TABLES: ReadonlyArray<readonly [table: string, label: string]> = [
  ["User", "users"],
  ["Team", "teams"],
  ["App", "apps"],
  ["Customer", "customers"],
  ["License", "licenses"],
  ["Registry", "registries"],
  ["EncryptedSecret", "sealed secrets"],
  ["ApiToken", "API tokens"],
  ["AuditEvent", "audit events"],
  ["PullEvent", "pull events"],
];

export interface SnapshotContents {
  postgres: string;
  migrations: { count: number; latest: string | null };
  rows: Record<string, number>;
  /** Sealed secrets per KMS key (`provider:keyId`), hashes per hash key id. */
  keys: { kms: Record<string, number>; hash: Record<string, number> };
}

export async function readContents(db: PGlite): Promise<SnapshotContents> {
  const tables = new Set(
    (await db.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => r.name),
  );
  const rows: Record<string, number> = {};
  for (const [table] of MAIN_TABLES) {
    if (tables.has(table)) rows[table] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0]!.n;
  }
  const migrations = tables.has("_prisma_migrations")
    ? (
        await db.query<{ count: number; latest: string | null }>(
          "SELECT count(*)::int AS count, max(migration_name) AS latest FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
        )
      ).rows[0]!
    : { count: 0, latest: null };
  const kms: Record<string, number> = {};
  if (tables.has("EncryptedSecret")) {
    const r = await db.query<{ key: string; n: number }>(`SELECT provider || ':' || "keyId" AS key, count(*)::int AS n FROM "EncryptedSecret" GROUP BY 1 ORDER BY 1`);
    for (const { key, n } of r.rows) kms[key] = n;
  }
  const hash: Record<string, number> = {};
  for (const [table, column] of [["License", "licenseIdHashKey"], ["ApiToken", "tokenHashKey"]] as const) {
    if (!tables.has(table)) continue;
    const r = await db.query<{ key: string; n: number }>(`SELECT "${column}" AS key, count(*)::int AS n FROM "${table}" GROUP BY 1`);
    for (const { key, n } of r.rows) hash[key] = (hash[key] ?? 0) + n;
  }
  const postgres = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  return { postgres, migrations: { count: Number(migrations.count), latest: migrations.latest }, rows, keys: { kms, hash } };
}

/** "12 users, 3 teams, …" in MAIN_TABLES order. */
export function describeRows(rows: Record<string, number>): string {
  return MAIN_TABLES.filter(([t]) => t in rows)
    .map(([t, label]) => `${rows[t]} ${label}`)
    .join(", ");
}
