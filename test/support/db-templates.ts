import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { applyMigrations } from "@/lib/db/migrations";
import { PgSocketServer } from "@/lib/db/pg-socket-server";
import { pidAlive } from "@/lib/db/lock-file";
import { quoteIdent, snapshotPath, TEST_DB_PREFIX, uniqueDatabaseName, withAdmin, postgresUrlFor } from "./test-db-config";

/** A migrated database to copy from, made once per test run (see global-setup.ts). */
export interface Template {
  /** PostgreSQL: the template database's name. PGlite: the snapshot file (dumpDataDir). */
  ref: string;
  remove(): Promise<void>;
}

/** Drops a database, disconnecting whoever still uses it. */
export async function dropPostgresDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

/** Test databases left by runs whose process is gone (killed runs never drop theirs). */
async function dropLeftovers(): Promise<void> {
  const names = await withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${TEST_DB_PREFIX}%`]);
    return rows.map((r) => r.datname);
  });
  for (const name of names) {
    const pid = Number(/^portcullis_test_(\d+)_/.exec(name)?.[1]);
    if (pid && !pidAlive(pid)) await dropPostgresDatabase(name).catch(() => {});
  }
}

/** A freshly migrated PostgreSQL database. */
export async function migratedPostgresDatabase(runPid = process.pid): Promise<string> {
  const name = uniqueDatabaseName(runPid);
  await withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  try {
    await applyMigrations(postgresUrlFor(name));
  } catch (e) {
    await dropPostgresDatabase(name).catch(() => {});
    throw e;
  }
  return name;
}

export async function postgresTemplate(): Promise<Template> {
  await dropLeftovers();
  const name = await migratedPostgresDatabase();
  return { ref: name, remove: () => dropPostgresDatabase(name) };
}

/** A fresh in-memory PGlite with the migrations applied (through the socket server, as in production). */
export async function migratedPglite(loadDataDir?: Blob): Promise<PGlite> {
  const db = await PGlite.create(loadDataDir ? { loadDataDir } : {});
  if (loadDataDir) return db;
  const server = new PgSocketServer(db);
  try {
    await server.start();
    await applyMigrations(server.url);
  } finally {
    await server.stop();
  }
  return db;
}

export async function pgliteTemplate(): Promise<Template> {
  const db = await migratedPglite();
  const file = snapshotPath();
  try {
    const dump = await db.dumpDataDir("none");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await db.close();
  }
  return { ref: file, remove: async () => fs.rmSync(file, { force: true }) };
}
