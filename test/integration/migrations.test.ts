import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, createMigration, databaseDrift, readMigrations, schemaDrift } from "@/lib/db/migrations";
import { PgSocketServer } from "@/lib/db/pg-socket-server";
import { dropPostgresDatabase } from "@/test/support/db-templates";
import { postgresUrlFor, quoteIdent, testDatabaseKind, uniqueDatabaseName, withAdmin } from "@/test/support/test-db-config";

const repoMigrations = path.resolve(import.meta.dirname, "../../prisma/migrations");
const repoSchema = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");
const folderNames = () => readMigrations(repoMigrations).migrationDirectories.map((d) => d.path);

/** A copy of schema.prisma with one more model, in a temporary folder. */
function grownSchema(dir: string): string {
  const file = path.join(dir, "schema.prisma");
  fs.writeFileSync(file, fs.readFileSync(repoSchema, "utf8") + "\nmodel DriftProbe {\n  id Int @id\n}\n");
  return file;
}

describe("the migrations folder", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-migrations-"));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("exists and produces exactly prisma/schema.prisma", async () => {
    expect(folderNames().length).toBeGreaterThan(0);
    expect(await schemaDrift()).toBe("");
  });

  it("drift is reported when schema.prisma has changes no migration has", async () => {
    const drift = await schemaDrift({ schemaPath: grownSchema(tmp) });
    expect(drift).toContain('CREATE TABLE "DriftProbe"');
  });

  it("createMigration writes a timestamped folder and lock file, then nothing when in sync", async () => {
    const dir = path.join(tmp, "migrations");
    const lines: string[] = [];
    const out = (line: string) => lines.push(line);
    const created = await createMigration("First Step", { migrationsDir: dir, schemaPath: repoSchema, out, now: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) });
    expect(created?.name).toBe("20300102030405_first_step");
    expect(fs.readFileSync(path.join(dir, "migration_lock.toml"), "utf8")).toContain('provider = "postgresql"');
    expect(fs.readFileSync(path.join(dir, "20300102030405_first_step", "migration.sql"), "utf8")).toBe(created!.sql);
    expect(created!.sql).toContain('CREATE TABLE "User"');

    expect(await createMigration("again", { migrationsDir: dir, schemaPath: repoSchema, out })).toBeNull();
    expect(lines.at(-1)).toMatch(/no changes/);
    expect(fs.readdirSync(dir).sort()).toEqual(["20300102030405_first_step", "migration_lock.toml"]);
  });
});

/** Applies the repository's migrations to a fresh database and compares it with the schema. */
function describeAppliedOn(name: string, open: () => Promise<{ url: string; close(): Promise<void> }>) {
  describe(`applyMigrations on ${name}`, () => {
    let db: { url: string; close(): Promise<void> };
    beforeAll(async () => {
      db = await open();
    });
    afterAll(() => db?.close());

    it("applies every migration once and records it in _prisma_migrations", async () => {
      expect(await applyMigrations(db.url)).toEqual(folderNames());
      expect(await applyMigrations(db.url)).toEqual([]);
      const client = new pg.Client(db.url);
      await client.connect();
      try {
        const { rows } = await client.query("SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name");
        expect(rows.map((r) => r.migration_name)).toEqual(folderNames());
        for (const row of rows) {
          expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
          expect(row.finished_at).not.toBeNull();
        }
      } finally {
        await client.end();
      }
    });

    it("leaves the database exactly as schema.prisma describes it", async () => {
      expect(await databaseDrift(db.url)).toBe("");
    });

    it("would notice a database that differs from the schema", async () => {
      const client = new pg.Client(db.url);
      await client.connect();
      try {
        await client.query('ALTER TABLE "User" ADD COLUMN "stray" integer');
        expect(await databaseDrift(db.url)).toMatch(/stray/);
      } finally {
        await client.query('ALTER TABLE "User" DROP COLUMN "stray"');
        await client.end();
      }
    });
  });
}

describeAppliedOn("PGlite (through PgSocketServer)", async () => {
  const pglite = await PGlite.create();
  const server = new PgSocketServer(pglite);
  await server.start();
  const url = server.url;
  return {
    url,
    close: async () => {
      await server.stop();
      await pglite.close();
    },
  };
});

// PostgreSQL 15 always runs here and in CI (where an unreachable server fails the run); a
// developer without it can set TEST_DATABASE=pglite to leave this part out.
describe.skipIf(testDatabaseKind() === "pglite" && process.env.TEST_DATABASE !== undefined)("on PostgreSQL", () => {
  describeAppliedOn("PostgreSQL 15", async () => {
    const name = uniqueDatabaseName();
    await withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    return { url: postgresUrlFor(name), close: () => dropPostgresDatabase(name) };
  });
});
