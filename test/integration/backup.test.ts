import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "@/cli/main";
import type { TeamContext } from "@/lib/auth/context";
import { createCustomer } from "@/lib/customers/operations";
import { DecryptionError, resetKeyProviders } from "@/lib/crypto";
import { BACKUP_QUERY } from "@/lib/db/backup-snapshot";
import { createPrismaClient } from "@/lib/db/client";
import { openEmbeddedDatabase, type EmbeddedDatabase } from "@/lib/db/embedded";
import { applyMigrations } from "@/lib/db/migrations";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { loadRegistryCredentials } from "@/lib/registries/secret";
import { invoke } from "@/lib/server/operation";
import { addRegistry, memberContext } from "@/test/support/factories";
import { cleanEnv } from "@/test/support/registry/process";
import { configureTestEnv, updateTestEnv } from "@/test/support/test-env";

/**
 * `portcullis backup` and `portcullis restore` on the embedded database: a backup taken while the
 * portal's code writes, restored into a fresh data directory and opened again, with the registry
 * credentials sealed before it decrypting under the kept KMS key and failing without it.
 */
const root = path.resolve(import.meta.dirname, "../..");
const keys = {
  AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
  LOCAL_KMS_KEYS: `kept:${crypto.randomBytes(32).toString("base64")}`,
  TOKEN_HASH_KEYS: `h1:${crypto.randomBytes(32).toString("base64url")}`,
};
const testEnv = configureTestEnv({ name: "backup", vars: { ...keys, DATABASE_URL: undefined } });
const work = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-backup-"));
const backupFile = path.join(work, "portal.backup");

/** The `portcullis` bin in a child process: a clean environment plus `env`. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, "cli/portcullis.js"), ...args], { cwd: root, env: cleanEnv(os.homedir(), env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

/** The CLI in this process (for the refusals, which open nothing). */
async function cliHere(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const registryPassword = "s3cret-registry-password";
let served: EmbeddedDatabase;
let db: PrismaClient;
let admin: TeamContext;
let registryId: string;

beforeAll(async () => {
  served = await openEmbeddedDatabase(testEnv.dataDir);
  await applyMigrations(served.url);
  db = createPrismaClient(served.url);
  admin = await memberContext(db, { teamName: "Backed Up" });
  registryId = (await addRegistry(db, admin.teamId, { endpoint: "registry.example.com", username: "puller", secret: registryPassword })).id;
});

afterAll(async () => {
  await db?.$disconnect();
  await served?.close();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(testEnv.dataDir, { recursive: true, force: true });
});

/** Opens the embedded database of `dataDir` as the portal does at start (migrations applied). */
async function startOn(dataDir: string) {
  const embedded = await openEmbeddedDatabase(dataDir);
  await applyMigrations(embedded.url);
  const client = createPrismaClient(embedded.url);
  return {
    db: client,
    close: async () => {
      await client.$disconnect();
      await embedded.close();
    },
  };
}

/** Runs `fn` with PORTCULLIS_DATA_DIR at `dir`, then back at the served one. */
async function inDataDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  updateTestEnv({ PORTCULLIS_DATA_DIR: dir });
  try {
    return await fn();
  } finally {
    updateTestEnv({ PORTCULLIS_DATA_DIR: testEnv.dataDir });
  }
}

const writerName = (i: number) => `Writer ${String(i).padStart(5, "0")}`;

describe("portcullis backup while the portal writes, and restore", () => {
  const restoredDir = path.join(work, "restored");

  // Two CLI processes and three opens of the database: more than the default test time on a busy machine.
  it("restores to a state that existed: every customer written before the backup, none half-written, the sealed credentials readable with the kept keys", { timeout: 600_000 }, async () => {
    // The portal's code creating customers one after the other (each with its audit event, in one transaction).
    let done = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        await invoke(createCustomer, admin, { name: writerName(done) });
        done++;
      }
    })();
    while (done < 5) await new Promise((resolve) => setTimeout(resolve, 50));
    const before = done;
    const backup = await cli(["backup", backupFile], { PORTCULLIS_DATA_DIR: testEnv.dataDir, ...keys });
    const after = done;
    stop = true;
    await writer;
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(after).toBeGreaterThan(before); // the writes went on while the backup ran
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(backup.stdout).toMatch(/^backed up the embedded database in .* to .*portal\.backup/);
    expect(backup.stdout).toContain("Not in the file, keep them with it: the KMS key, TOKEN_HASH_KEYS, AUTH_SECRET");

    const restore = await cli(["restore", backupFile], { PORTCULLIS_DATA_DIR: restoredDir, ...keys });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);

    updateTestEnv({ PORTCULLIS_DATA_DIR: restoredDir });
    const restored = await startOn(restoredDir);
    try {
      const names = (await restored.db.customer.findMany({ where: { teamId: admin.teamId }, select: { name: true }, orderBy: { name: "asc" } })).map((c) => c.name);
      // Sequential writes: a state that existed is exactly the first k of them.
      expect(names.length).toBeGreaterThanOrEqual(before);
      expect(names.length).toBeLessThanOrEqual(after);
      expect(names).toEqual(Array.from({ length: names.length }, (_, i) => writerName(i)));
      const audited = (await restored.db.auditEvent.findMany({ where: { teamId: admin.teamId, action: "customer.create" }, select: { targetLabel: true } })).map((e) => e.targetLabel).sort();
      expect(audited).toEqual(names);
      // What restore said it restored is what is there.
      expect(restore.stdout).toContain(`restored ${backupFile} (taken `);
      expect(restore.stdout).toContain(`  customers: ${names.length}\n`);
      expect(restore.stdout).toContain(`  audit events: ${await restored.db.auditEvent.count()}\n`);
      expect(restore.stdout).toContain("  registries: 1\n");
      expect(restore.stdout).toContain("key local:kept (1 sealed secret(s)): configured — LOCAL_KMS_KEYS");

      // The registry's credentials, sealed before the backup, decrypt with the kept key…
      const registry = await restored.db.registry.findUniqueOrThrow({ where: { id: registryId } });
      expect(await loadRegistryCredentials(restored.db, registry)).toEqual({ kind: "basic", username: "puller", password: registryPassword });
      // …and without it fail, naming the key that is missing.
      updateTestEnv({ LOCAL_KMS_KEYS: `other:${crypto.randomBytes(32).toString("base64")}` });
      const failure = await loadRegistryCredentials(restored.db, registry).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DecryptionError);
      expect((failure as DecryptionError).reason).toBe("key-unavailable");
      expect((failure as Error).message).toBe("Secret could not be decrypted (key-unavailable, key local:kept)");
    } finally {
      updateTestEnv({ ...keys, PORTCULLIS_DATA_DIR: testEnv.dataDir });
      resetKeyProviders();
      await restored.close();
    }
  });

  it("restored without the keys, it says which ones are missing", { timeout: 300_000 }, async () => {
    const dir = path.join(work, "no-keys");
    const res = await cli(["restore", backupFile], {
      PORTCULLIS_DATA_DIR: dir,
      AUTH_SECRET: keys.AUTH_SECRET,
      LOCAL_KMS_KEYS: `other:${crypto.randomBytes(32).toString("base64")}`,
      TOKEN_HASH_KEYS: `h2:${crypto.randomBytes(32).toString("base64url")}`,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("key local:kept (1 sealed secret(s)): NOT CONFIGURED — LOCAL_KMS_KEYS");
    expect(res.stderr).toContain("portcullis restore: warning: local:kept is not configured");
  });

  describe("refusals", () => {
    it("refuses to restore over the database while it is served", async () => {
      const res = await cliHere(["restore", backupFile]); // PORTCULLIS_DATA_DIR: the one this process serves
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(
        `portcullis restore: the embedded database in ${path.resolve(testEnv.dataDir)} is in use by process ${process.pid} (the portal, or another portcullis command): stop it, then restore`,
      );
    });

    it("refuses to replace an existing database without --force, and keeps the old one aside with it", async () => {
      await inDataDir(restoredDir, async () => {
        const refused = await cliHere(["restore", backupFile]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toBe(
          `portcullis restore: ${path.join(restoredDir, "pglite")} already holds a database: pass --force to replace it (it is kept as pglite.replaced-<time>)`,
        );
        const forced = await cliHere(["restore", backupFile, "--force"]);
        expect(forced.stderr).toBe("");
        expect(forced.code).toBe(0);
        const kept = /the database it replaced is kept in (.*)/.exec(forced.stdout)?.[1];
        expect(kept).toMatch(/pglite\.replaced-/);
        expect(fs.existsSync(path.join(kept!, "PG_VERSION"))).toBe(true);
        expect(fs.existsSync(path.join(restoredDir, "pglite", "PG_VERSION"))).toBe(true);
      });
    });

    it("refuses a file that is not a Portcullis backup, and a damaged one, before touching anything", async () => {
      const dir = path.join(work, "untouched");
      await inDataDir(dir, async () => {
        const other = path.join(work, "notes.txt");
        fs.writeFileSync(other, "not a backup\n");
        const wrong = await cliHere(["restore", other]);
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toBe(`portcullis restore: ${other} is not a Portcullis backup (it does not start with "PORTCULLIS-BACKUP 1"; make one with \`portcullis backup FILE\`)`);

        const truncated = path.join(work, "truncated.backup");
        const bytes = fs.readFileSync(backupFile);
        fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 1000));
        const damaged = await cliHere(["restore", truncated]);
        expect(damaged.code).toBe(1);
        expect(damaged.stderr).toBe(`portcullis restore: ${truncated} is damaged: its content does not match its checksum (truncated or altered)`);
        expect(fs.existsSync(path.join(dir, "pglite"))).toBe(false);
      });
    });

    it("refuses to back up a data directory with no database, creating none", async () => {
      const dir = path.join(work, "mistyped");
      await inDataDir(dir, async () => {
        const res = await cliHere(["backup", path.join(work, "empty.backup")]);
        expect(res.code).toBe(1);
        expect(res.stderr).toBe(`portcullis backup: there is no embedded database in ${dir} (check PORTCULLIS_DATA_DIR)`);
        expect(fs.existsSync(path.join(dir, "pglite"))).toBe(false);
      });
    });

    it("the serving process refuses a snapshot asked for inside a transaction, and the transaction goes on", async () => {
      const client = new pg.Client(served.url);
      await client.connect();
      try {
        await client.query("BEGIN");
        await expect(client.query(BACKUP_QUERY)).rejects.toThrow("a backup cannot be taken inside a transaction");
        expect((await client.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
        await client.query("ROLLBACK");
      } finally {
        await client.end();
      }
    });

    it("with DATABASE_URL, points at pg_dump and pg_restore with the exact commands", async () => {
      updateTestEnv({ DATABASE_URL: "postgresql://portcullis@db.example.com/portcullis" });
      try {
        const backup = await cliHere(["backup", "nightly.dump"]);
        expect(backup.code).toBe(1);
        expect(backup.stderr).toBe('portcullis backup: DATABASE_URL is set: back up PostgreSQL with its own tools:\n  pg_dump --format=custom --file="nightly.dump" "$DATABASE_URL"');
        const restore = await cliHere(["restore", "nightly.dump"]);
        expect(restore.code).toBe(1);
        expect(restore.stderr).toBe(
          'portcullis restore: DATABASE_URL is set: restore PostgreSQL with its own tools:\n  pg_restore --clean --if-exists --no-owner --exit-on-error --dbname="$DATABASE_URL" "nightly.dump"',
        );
      } finally {
        updateTestEnv({ DATABASE_URL: undefined });
      }
    });
  });
});
