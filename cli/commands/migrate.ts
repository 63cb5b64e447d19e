import { stringFlags } from "@/cli/args";
import { defineCommand, type CommandIO } from "@/cli/command";
import { UsageError, UserError } from "@/cli/errors";
import { env } from "@/lib/config/env";
import { databaseUrl, disconnectDb } from "@/lib/db/client";
import { applyMigrations, createMigration, migrationSlug } from "@/lib/db/migrations";

const USAGE = `Usage: portcullis migrate [--create NAME]

Applies the pending migrations in prisma/migrations (like \`prisma migrate deploy\`) to
DATABASE_URL, or, when it is unset, to the embedded database in PORTCULLIS_DATA_DIR (default
./.data). When another process serves the embedded database, this goes through that process.

Options:
  --create NAME  write prisma/migrations/<timestamp>_NAME/migration.sql with the changes from the
                 existing migrations to prisma/schema.prisma (nothing is written when there are none)
  -h, --help     show this help`;

/** Database errors as one line, for the user. */
function reason(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split("\n")[0]!.trim();
}

async function create(name: string, io: CommandIO): Promise<number> {
  try {
    migrationSlug(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    await createMigration(name, { out: io.out });
  } catch (e) {
    throw new UserError(`could not create the migration: ${reason(e)}`);
  }
  return 0;
}

async function deploy(io: CommandIO): Promise<number> {
  const target = env().DATABASE_URL ? "DATABASE_URL" : `the embedded database in ${env().PORTCULLIS_DATA_DIR}`;
  try {
    const url = await databaseUrl();
    let applied: string[];
    try {
      applied = await applyMigrations(url);
    } catch (e) {
      throw new UserError(`migrating ${target} failed: ${reason(e)}`);
    }
    if (applied.length === 0) io.out(`${target} is up to date: no pending migrations`);
    else for (const name of applied) io.out(`applied ${name}`);
    return 0;
  } finally {
    await disconnectDb();
  }
}

export const migrateCommand = defineCommand({
  path: ["migrate"],
  summary: "apply database migrations (--create NAME: write a new one)",
  usage: USAGE,
  flags: { ...stringFlags("create") },
  async run({ values }, io) {
    if (values.create !== undefined) return create(values.create, io);
    return deploy(io);
  },
});
