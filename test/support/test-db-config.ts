import crypto from "node:crypto";
import path from "node:path";
import pg from "pg";

/**
 * Which engine integration tests run on, and the names they use. PostgreSQL 15 when
 * TEST_DATABASE=postgres or CI=true (CI must test production's database; an unreachable server is
 * a failure there, never a skip), else PGlite. TEST_DATABASE=pglite forces PGlite.
 */
export type TestDatabaseKind = "postgres" | "pglite";

export function testDatabaseKind(environment: NodeJS.ProcessEnv = process.env): TestDatabaseKind {
  const chosen = environment.TEST_DATABASE?.trim().toLowerCase();
  if (chosen === "postgres" || chosen === "postgresql") return "postgres";
  if (chosen === "pglite") return "pglite";
  if (chosen) throw new Error(`TEST_DATABASE must be "postgres" or "pglite", not "${environment.TEST_DATABASE}"`);
  return environment.CI === "true" || environment.CI === "1" ? "postgres" : "pglite";
}

/** Server-level URL for creating and dropping test databases (TEST_POSTGRES_URL overrides). */
export function postgresAdminUrl(): string {
  return process.env.TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
}

/** The same server, another database. */
export function postgresUrlFor(database: string): string {
  const url = new URL(postgresAdminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/** `portcullis_test_<pid of the run>_<random>`: unique, and traceable to a (possibly dead) run. */
export const TEST_DB_PREFIX = "portcullis_test_";
export function uniqueDatabaseName(runPid = process.pid): string {
  return `${TEST_DB_PREFIX}${runPid}_${crypto.randomBytes(4).toString("hex")}`;
}

/** Runs `fn` with a client on the admin database; a clear error when the server is unreachable. */
export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(
      `PostgreSQL is unreachable at ${postgresAdminUrl()} (${(e as Error).message}). Integration tests run on ` +
        `PostgreSQL when CI=true or TEST_DATABASE=postgres; start it (pg_ctlcluster 15 main start) or set TEST_DATABASE=pglite.`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Where global setup leaves the migrated PGlite snapshot (inside the git-ignored .test-data/). */
export function snapshotPath(runPid = process.pid): string {
  return path.resolve(import.meta.dirname, "../../.test-data", `pglite-migrated-${runPid}.tar`);
}
