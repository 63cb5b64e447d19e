import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DiffTarget, MigrationList } from "@prisma/schema-engine-wasm";
import { openSchemaEngine, type EngineHandle } from "./schema-engine";

/**
 * Migrations without Prisma's native engines: `prisma migrate deploy`, `migrate diff` and the
 * create half of `migrate dev`, on the wasm schema engine. The folder layout and the
 * `_prisma_migrations` table are Prisma's own, so a real `prisma migrate deploy` accepts both.
 *
 * The engine leaves a timer pending for ~10 s after use: short-lived callers (the CLI) should end
 * the process explicitly.
 */
export interface MigrationPaths {
  /** Default: prisma/migrations of this repository. */
  migrationsDir?: string;
  /** Default: prisma/schema.prisma of this repository. */
  schemaPath?: string;
}

/**
 * The folder holding prisma/: this file's repository, or, bundled (dist/portcullis.mjs,
 * dist/start.mjs), the folder above the bundle's.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "prisma", "schema.prisma"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, "../..");
  }
}
const repoRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
const LOCK_FILE = "migration_lock.toml";
const filters = { externalTables: [], externalEnums: [] };

function resolvePaths(paths: MigrationPaths = {}) {
  return {
    migrationsDir: path.resolve(paths.migrationsDir ?? path.join(repoRoot, "prisma", "migrations")),
    schemaPath: path.resolve(paths.schemaPath ?? path.join(repoRoot, "prisma", "schema.prisma")),
  };
}

/** The migrations folder as the engine wants it: every `<name>/migration.sql`, in name order. */
export function readMigrations(migrationsDir: string): MigrationList {
  const entries = fs.existsSync(migrationsDir) ? fs.readdirSync(migrationsDir, { withFileTypes: true }) : [];
  const lockPath = path.join(migrationsDir, LOCK_FILE);
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCK_FILE, content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: entries
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(migrationsDir, e.name, "migration.sql")))
      .map((e) => e.name)
      .sort()
      .map((name) => ({
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: { tag: "ok" as const, value: fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8") },
        },
      })),
  };
}

function schemaTarget(schemaPath: string): DiffTarget {
  return { tag: "schemaDatamodel", files: [{ path: schemaPath, content: fs.readFileSync(schemaPath, "utf8") }] };
}

async function withEngine<T>(url: string | undefined, op: (engine: EngineHandle) => Promise<T>): Promise<T> {
  const handle = await openSchemaEngine(url);
  try {
    return await op(handle);
  } finally {
    await handle.dispose();
  }
}

/** SQL that turns `from` into `to`; '' when they are the same. */
async function diff(url: string | undefined, from: DiffTarget, to: DiffTarget): Promise<string> {
  const result = await withEngine(url, (h) => h.run((e) => e.diff({ from, to, script: true, exitCode: true, filters })));
  return result.exitCode === 2 ? (result.stdout ?? "") : "";
}

/** Applies the pending migrations to `url` (like `prisma migrate deploy`); returns their names. */
export async function applyMigrations(url: string, paths?: MigrationPaths): Promise<string[]> {
  const migrationsList = readMigrations(resolvePaths(paths).migrationsDir);
  if (migrationsList.migrationDirectories.length === 0) return [];
  const out = await withEngine(url, (h) => h.run((e) => e.applyMigrations({ migrationsList, filters })));
  return out.appliedMigrationNames;
}

/** SQL from the migrations folder to schema.prisma; '' when the folder produces exactly the schema. */
export async function schemaDrift(paths?: MigrationPaths): Promise<string> {
  const { migrationsDir, schemaPath } = resolvePaths(paths);
  const list = readMigrations(migrationsDir);
  list.lockfile.content ??= 'provider = "postgresql"\n'; // the engine refuses a folder without one
  return diff(undefined, { tag: "migrations", ...list }, schemaTarget(schemaPath));
}

/**
 * SQL from the database at `url` to schema.prisma; '' when the database matches the schema. (The
 * wasm engine cannot diff from a URL: the database is introspected into a datamodel first.)
 */
export async function databaseDrift(url: string, paths?: MigrationPaths): Promise<string> {
  const schema = schemaTarget(resolvePaths(paths).schemaPath) as DiffTarget & { tag: "schemaDatamodel" };
  return withEngine(url, async (h) => {
    const from: DiffTarget = await h
      .run((e) => e.introspect({ schema, baseDirectoryPath: repoRoot, force: true, compositeTypeDepth: -1, namespaces: null }))
      .then(
        (introspected) => ({ tag: "schemaDatamodel" as const, ...introspected.schema }),
        (e) => {
          if ((e as { code?: string }).code === "P4001") return { tag: "empty" as const }; // no tables at all
          throw e;
        },
      );
    const result = await h.run((e) => e.diff({ from, to: schema, script: true, exitCode: true, filters }));
    return result.exitCode === 2 ? (result.stdout ?? "") : "";
  });
}

export interface CreatedMigration {
  name: string;
  /** Path of the new migration.sql. */
  file: string;
  sql: string;
}

/**
 * Writes `<migrationsDir>/<YYYYMMDDHHMMSS>_<name>/migration.sql` with the SQL from the folder's
 * migrations to schema.prisma. Returns null (and writes nothing) when there is no change.
 */
export async function createMigration(
  name: string,
  options: MigrationPaths & { out?: (line: string) => void; now?: Date } = {},
): Promise<CreatedMigration | null> {
  const out = options.out ?? ((line: string) => console.log(line));
  const slug = migrationSlug(name);
  const { migrationsDir } = resolvePaths(options);
  const sql = await schemaDrift(options);
  if (sql === "") {
    out("no changes: the migrations already produce prisma/schema.prisma");
    return null;
  }
  fs.mkdirSync(migrationsDir, { recursive: true });
  const lockPath = path.join(migrationsDir, LOCK_FILE);
  if (!fs.existsSync(lockPath)) {
    fs.writeFileSync(lockPath, '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
  }
  let at = options.now ?? new Date();
  let folder = `${timestamp(at)}_${slug}`;
  while (fs.readdirSync(migrationsDir).some((d) => d.slice(0, 14) === folder.slice(0, 14))) {
    at = new Date(at.getTime() + 1000); // keep names unique and ordered
    folder = `${timestamp(at)}_${slug}`;
  }
  const file = path.join(migrationsDir, folder, "migration.sql");
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, sql);
  out(`created ${path.relative(process.cwd(), file)}`);
  return { name: folder, file, sql };
}

/** A migration name as Prisma writes it: lowercase words joined by `_`. */
export function migrationSlug(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!slug) throw new Error(`invalid migration name "${name}": use letters, digits and _`);
  return slug.slice(0, 200);
}

/** UTC YYYYMMDDHHMMSS, as Prisma names migration folders. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
