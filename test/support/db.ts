import fs from "node:fs";
import { afterAll, beforeAll, inject, type ProvidedContext } from "vitest";
import { createPrismaClient } from "@/lib/db/client";
import { PgSocketServer } from "@/lib/db/pg-socket-server";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { dropPostgresDatabase, migratedPglite, migratedPostgresDatabase } from "./db-templates";
import { postgresUrlFor, quoteIdent, testDatabaseKind, uniqueDatabaseName, withAdmin } from "./test-db-config";
import { releaseDatabase, pointAtDatabase } from "./test-env";

export interface TestDatabase {
  db: PrismaClient;
  /** postgresql:// URL of this database (for a second client, a child process, raw pg). */
  url: string;
  /** Disconnects and deletes the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a copy of the template made by global-setup.ts
 * (PostgreSQL: CREATE DATABASE … TEMPLATE; PGlite: loadDataDir of the snapshot, served over the
 * wire protocol like the embedded database). Without the global setup it migrates from scratch.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const provided: ProvidedContext["testDatabase"] | undefined = inject("testDatabase");
  const kind = provided?.kind ?? testDatabaseKind();
  return kind === "postgres" ? postgresDatabase(provided?.template, provided?.runPid) : pgliteDatabase(provided?.template);
}

/**
 * The test database of the file (or `describe` block) this is called in: created before its
 * tests, dropped after them. With `processDb`, the portal code of this process (getDb, routes
 * without `.with({ db })`) uses it too. Read `db` and `url` in tests and hooks, not at load.
 */
export function setupTestDatabase(opts: { processDb?: boolean } = {}): TestDatabase {
  let t: TestDatabase | undefined;
  const ready = () => {
    if (!t) throw new Error("the test database is created in beforeAll: use it in a test or a hook");
    return t;
  };
  beforeAll(async () => {
    t = await createTestDatabase();
    if (opts.processDb) pointAtDatabase(t.url);
  });
  afterAll(async () => {
    if (opts.processDb) await releaseDatabase();
    await t?.drop();
  });
  return {
    get db() {
      return ready().db;
    },
    get url() {
      return ready().url;
    },
    drop: () => ready().drop(),
  };
}

async function postgresDatabase(template?: string, runPid?: number): Promise<TestDatabase> {
  let name: string;
  if (template) {
    name = uniqueDatabaseName(runPid);
    await createFromTemplate(name, template);
  } else {
    name = await migratedPostgresDatabase();
  }
  return withClient(postgresUrlFor(name), () => dropPostgresDatabase(name));
}

/** A client of the database at `url`; `drop` disconnects it, then removes the database. */
function withClient(url: string, remove: () => Promise<void>): TestDatabase {
  const db = createPrismaClient(url);
  return {
    db,
    url,
    drop: async () => {
      await db.$disconnect();
      await remove();
    },
  };
}

/** CREATE DATABASE … TEMPLATE fails while another session copies the same template: retry. */
async function createFromTemplate(name: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await withAdmin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`));
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== "55006" || attempt >= 20) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

async function pgliteDatabase(snapshot?: string): Promise<TestDatabase> {
  const pglite = await migratedPglite(snapshot ? new Blob([fs.readFileSync(snapshot)]) : undefined);
  const server = new PgSocketServer(pglite);
  await server.start();
  return withClient(server.url, async () => {
    await server.stop();
    await pglite.close();
  });
}
