import path from "node:path";
import { booleanFlags } from "@/cli/args";
import { defineCommand, type CommandIO } from "@/cli/command";
import { UsageError, UserError } from "@/cli/errors";
import { env } from "@/lib/config/env";
import { databaseUrl, disconnectDb } from "@/lib/db/client";
import { BackupError, assertEmbeddedDatabaseExists, backupEmbeddedDatabase, restoreEmbeddedDatabase } from "@/lib/db/backup";
import { BackupFileError } from "@/lib/db/backup-file";
import { MAIN_TABLES, describeRows } from "@/lib/db/backup-contents";
import { checkKeys } from "@/lib/db/backup-keys";

const KEEP =
  "Not in the file, keep them with it: the KMS key, TOKEN_HASH_KEYS, AUTH_SECRET, the registry token key, PROXY_SERVICE_TOKEN, REGISTRY_EVENTS_TOKEN (README, Backups)";

const BACKUP_USAGE = `Usage: portcullis backup FILE

Writes a snapshot of the embedded database (PORTCULLIS_DATA_DIR) to FILE (mode 0600). The portal
may keep running: the snapshot is taken by the process serving the database, between
transactions, so it is a state that existed; writes wait the few seconds it takes.

The file holds no key: sealed secrets and hashes need the keys listed in the README's Backups
section. With DATABASE_URL set, use pg_dump (the command is printed).`;

const RESTORE_USAGE = `Usage: portcullis restore FILE [--force]

Restores a backup made by \`portcullis backup\` into the embedded database (PORTCULLIS_DATA_DIR),
then says what it restored and whether the keys it needs are configured. The portal must be
stopped. A database already there is replaced only with --force (it is kept beside it as
pglite.replaced-<time>). Pending migrations are applied at the next start.

Options:
  --force     replace an existing database
  -h, --help  show this help`;

function file(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError("give one FILE");
  return positionals[0]!;
}

/** With DATABASE_URL, PostgreSQL's own tools: the exact command, and exit 1. */
function postgresInstead(io: CommandIO, command: "backup" | "restore", target: string): number {
  const quoted = JSON.stringify(target);
  io.err(`portcullis ${command}: DATABASE_URL is set: ${command === "backup" ? "back up" : "restore"} PostgreSQL with its own tools:`);
  if (command === "backup") io.err(`  pg_dump --format=custom --file=${quoted} "$DATABASE_URL"`);
  else io.err(`  pg_restore --clean --if-exists --no-owner --exit-on-error --dbname="$DATABASE_URL" ${quoted}`);
  return 1;
}

function asUserError(e: unknown): never {
  if (e instanceof BackupError || e instanceof BackupFileError) throw new UserError(e.message);
  throw e;
}

export const backupCommand = defineCommand({
  path: ["backup"],
  summary: "write a snapshot of the embedded database to a file (the portal may keep running)",
  usage: BACKUP_USAGE,
  flags: {},
  positionals: true,
  async run({ positionals }, io) {
    const target = file(positionals);
    if (env().DATABASE_URL) return postgresInstead(io, "backup", target);
    try {
      assertEmbeddedDatabaseExists(env().PORTCULLIS_DATA_DIR);
    } catch (e) {
      asUserError(e);
    }
    try {
      const header = await backupEmbeddedDatabase(await databaseUrl(), target).catch(asUserError);
      io.out(`backed up the embedded database in ${path.resolve(env().PORTCULLIS_DATA_DIR)} to ${target} (${header.payload.bytes} bytes)`);
      io.out(`rows: ${describeRows(header.rows)}`);
      io.out(`migrations: ${header.migrations.count} applied, latest ${header.migrations.latest ?? "none"}`);
      io.out(KEEP);
    } finally {
      await disconnectDb();
    }
  },
});

export const restoreCommand = defineCommand({
  path: ["restore"],
  summary: "restore the embedded database from a backup (the portal stopped; --force replaces)",
  usage: RESTORE_USAGE,
  flags: { ...booleanFlags("force") },
  positionals: true,
  async run({ values, positionals }, io) {
    const source = file(positionals);
    const config = env();
    if (config.DATABASE_URL) return postgresInstead(io, "restore", source);
    const r = await restoreEmbeddedDatabase(config.PORTCULLIS_DATA_DIR, source, { force: !!values.force }).catch(asUserError);
    io.out(`restored ${source} (taken ${r.header.createdAt}) into ${r.target}`);
    for (const [table, label] of MAIN_TABLES) if (table in r.contents.rows) io.out(`  ${label}: ${r.contents.rows[table]}`);
    io.out(`migrations: ${r.contents.migrations.count} applied, latest ${r.contents.migrations.latest ?? "none"} (pending ones are applied at the next start)`);
    if (r.replaced) io.out(`the database it replaced is kept in ${r.replaced}`);
    const checks = checkKeys(r.contents.keys, config);
    for (const c of checks) {
      const state = c.configured === true ? "configured" : c.configured === false ? "NOT CONFIGURED" : "not checked here";
      io.out(`key ${c.key} (${c.uses}): ${state} — ${c.where}`);
    }
    const missing = checks.filter((c) => c.configured === false);
    if (missing.length > 0) {
      io.err(
        `portcullis restore: warning: ${missing.map((c) => c.key).join(", ")} ${missing.length === 1 ? "is" : "are"} not configured: ` +
          "what depends on them fails until the keys kept with the backup are configured again",
      );
    }
  },
});
