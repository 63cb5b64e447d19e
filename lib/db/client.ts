import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "@/lib/generated/prisma/client";
import { assertEmbeddedDatabaseAllowed, env, type Env } from "@/lib/config/env";
import { openEmbeddedDatabase, type EmbeddedDatabase } from "./embedded";

/**
 * The process's database connection. Nothing opens at import time (Next dev reloads and
 * `next build` import this freely); the first `getDb()` connects. DATABASE_URL wins; without it
 * the embedded PGlite under PORTCULLIS_DATA_DIR is used, served over a local socket so that several
 * processes can share it (see ./embedded.ts). State lives on globalThis to survive module reloads.
 */
export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Prisma.TransactionClient;

interface DbState {
  embedded?: Promise<EmbeddedDatabase>;
  url?: Promise<string>;
  client?: Promise<PrismaClient>;
}
const g = globalThis as { __portcullisDb?: DbState };
const state = (): DbState => (g.__portcullisDb ??= {});

/** What the connection depends on (default: this process's configuration). */
export type DbConfig = Pick<Env, "DATABASE_URL" | "PORTCULLIS_DATA_DIR" | "NODE_ENV" | "PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION">;

/** The PostgreSQL URL this process uses: DATABASE_URL, else the embedded database's socket. */
export function databaseUrl(config?: DbConfig): Promise<string> {
  const s = state();
  if (!s.url) {
    const url = (async () => {
      const c = config ?? env();
      if (c.DATABASE_URL) return c.DATABASE_URL;
      assertEmbeddedDatabaseAllowed(c);
      s.embedded ??= openEmbeddedDatabase(c.PORTCULLIS_DATA_DIR);
      return (await s.embedded).url;
    })();
    s.url = url;
    // Let a later call retry (e.g. after a DatabaseLockedError).
    url.catch(() => {
      if (s.url === url) s.url = s.embedded = undefined;
    });
  }
  return s.url;
}

/** The shared PrismaClient, created on first use. */
export function getDb(config?: DbConfig): Promise<PrismaClient> {
  const s = state();
  if (!s.client) {
    const client = databaseUrl(config).then((url) => createPrismaClient(url));
    s.client = client;
    client.catch(() => {
      if (s.client === client) s.client = undefined;
    });
  }
  return s.client;
}

/**
 * How long a transaction may wait to start. The embedded database runs one transaction at a time
 * and `portcullis backup` holds them for the seconds its copy takes: wait through that rather
 * than fail at Prisma's default of 2 s.
 */
const TRANSACTION_MAX_WAIT_MS = 15_000;

/** A new PrismaClient on `url` through @prisma/adapter-pg (callers own it and disconnect it). */
export function createPrismaClient(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }), transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS } });
}

/** Disconnects the shared client and, when this process serves the embedded database, closes it. */
export async function disconnectDb(): Promise<void> {
  const s = state();
  g.__portcullisDb = {};
  const client = await s.client?.catch(() => undefined);
  await client?.$disconnect();
  const embedded = await s.embedded?.catch(() => undefined);
  await embedded?.close();
}
