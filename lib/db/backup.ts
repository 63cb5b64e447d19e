import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { BACKUP_QUERY } from "./backup-snapshot";
import { readBackupFile, writeBackupFile, type BackupHeader } from "./backup-file";
import { readContents, type SnapshotContents } from "./backup-contents";
import { readLock, tryAcquireLock } from "./lock-file";
import { unpackDirectory } from "./backup-archive";

/**
 * Backup and restore of the embedded database (PORTCULLIS_DATA_DIR/pglite).
 *
 * Backup asks the process serving the database for a snapshot over its socket (see
 * ./backup-snapshot.ts), so it is consistent while the portal writes; the snapshot is opened (in
 * a temporary folder) before it is written, which proves it loads and gives the rows the file
 * describes.
 * Restore writes a snapshot into a data directory nobody serves, next to the database it
 * replaces, opens it, and only then moves it into place.
 */

/** A refusal or failure to report to the user as is. */
export class BackupError extends Error {
  override name = "BackupError";
}

/** The snapshot of the database served at `url` (the embedded database's socket), packed. */
export async function fetchSnapshot(url: string): Promise<Buffer> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const query = client.query(new pg.Query(BACKUP_QUERY));
      query.on("row", (row: { chunk: string }) => chunks.push(Buffer.from(row.chunk, "base64")));
      query.on("end", () => resolve());
      query.on("error", (e: Error & { code?: string }) =>
        reject(e.code === "42601" ? new BackupError("the process serving the embedded database cannot take backups: restart it with this version") : e),
      );
    });
    return Buffer.concat(chunks);
  } finally {
    await client.end();
  }
}

/** Refuses a data directory with no database in it (a mistyped PORTCULLIS_DATA_DIR would otherwise get a new, empty one). */
export function assertEmbeddedDatabaseExists(dataDir: string): void {
  const dir = path.resolve(dataDir);
  if (!fs.existsSync(path.join(dir, "pglite", "PG_VERSION")) && !fs.existsSync(path.join(dir, "pglite.lock"))) {
    throw new BackupError(`there is no embedded database in ${dir} (check PORTCULLIS_DATA_DIR)`);
  }
}

/** Writes a snapshot into `dataDir` (which must not exist), opens it, reads what it holds, closes it. */
async function openAndRead(snapshot: Buffer, dataDir: string): Promise<SnapshotContents & { pglite: string }> {
  unpackDirectory(snapshot, dataDir);
  const db = await PGlite.create(dataDir);
  try {
    const version = (await db.query<{ v: string }>("SELECT version() AS v")).rows[0]!.v;
    return { ...(await readContents(db)), pglite: /PGlite ([\w.-]+)/.exec(version)?.[1] ?? "unknown" };
  } finally {
    await db.close();
  }
}

/** Takes a snapshot through `url` and writes it to `file`; what the file holds. */
export async function backupEmbeddedDatabase(url: string, file: string, now = new Date()): Promise<BackupHeader & Pick<SnapshotContents, "keys">> {
  const snapshot = await fetchSnapshot(url);
  let contents;
  const trial = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-backup-check-"));
  try {
    contents = await openAndRead(snapshot, path.join(trial, "pglite"));
  } catch (e) {
    throw new BackupError(`the snapshot does not open, nothing was written: ${(e as Error).message}`);
  } finally {
    fs.rmSync(trial, { recursive: true, force: true });
  }
  const header = writeBackupFile(
    file,
    { kind: "embedded-database", createdAt: now.toISOString(), pglite: contents.pglite, postgres: contents.postgres, migrations: contents.migrations, rows: contents.rows },
    snapshot,
  );
  return { ...header, keys: contents.keys };
}

export interface RestoreResult {
  header: BackupHeader;
  contents: SnapshotContents;
  /** Where the database is now. */
  target: string;
  /** Where the database it replaced was moved (with `force`), else null. */
  replaced: string | null;
}

/**
 * Restores `file` into `dataDir`/pglite. Refuses while any process serves that directory, and
 * when a database is there unless `force` (which moves it aside to pglite.replaced-<time>).
 */
export async function restoreEmbeddedDatabase(dataDir: string, file: string, opts: { force?: boolean; now?: Date } = {}): Promise<RestoreResult> {
  const { header, snapshot } = readBackupFile(file);
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(dir, "pglite.lock");
  const attempt = tryAcquireLock(lockPath);
  if (!attempt.acquired) {
    const pid = attempt.holder?.pid ?? readLock(lockPath)?.info?.pid;
    throw new BackupError(
      `the embedded database in ${dir} is in use${pid ? ` by process ${pid}` : ""} (the portal, or another portcullis command): stop it, then restore`,
    );
  }
  const target = path.join(dir, "pglite");
  const staging = path.join(dir, `pglite.restoring-${process.pid}`);
  try {
    const existing = fs.existsSync(target) && fs.readdirSync(target).length > 0;
    if (existing && !opts.force) {
      throw new BackupError(`${target} already holds a database: pass --force to replace it (it is kept as ${path.basename(target)}.replaced-<time>)`);
    }
    fs.rmSync(staging, { recursive: true, force: true });
    let contents: SnapshotContents;
    try {
      contents = await openAndRead(snapshot, staging);
    } catch (e) {
      throw new BackupError(`the backup does not open (${(e as Error).message}); ${existing ? "the existing database is unchanged" : "nothing was restored"}`);
    }
    let replaced: string | null = null;
    if (existing) {
      replaced = `${target}.replaced-${(opts.now ?? new Date()).toISOString().replace(/[:.]/g, "-")}`;
      fs.renameSync(target, replaced);
    } else {
      fs.rmSync(target, { recursive: true, force: true });
    }
    fs.renameSync(staging, target);
    return { header, contents, target, replaced };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    attempt.lock.release();
  }
}
