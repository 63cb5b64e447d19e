import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { z } from "zod";

/**
 * The file `portcullis backup` writes: a first line naming the format, a line of JSON describing
 * the snapshot, then the gzip-compressed copy of the embedded database's data directory (./backup-archive.ts).
 *
 *   PORTCULLIS-BACKUP 1\n
 *   {"createdAt":…,"rows":{…},"payload":{"sha256":…}}\n
 *   <gzip of the packed directory>
 *
 * The checksum covers the payload, so a truncated or altered file is refused before anything is
 * written. The file holds the whole database (sealed secrets, hashes, emails): it is written mode
 * 0600. It holds no key: see the README's *Backups*.
 */
const MAGIC = "PORTCULLIS-BACKUP 1\n";
/** How far the header may reach; beyond this the file is not one of ours. */
const HEADER_LIMIT = 1 << 20;

export const backupHeaderSchema = z.object({
  kind: z.literal("embedded-database"),
  createdAt: z.string(),
  /** PGlite and PostgreSQL versions of the snapshot: the data directory's format. */
  pglite: z.string(),
  postgres: z.string(),
  /** Applied migrations: how many, and the newest. */
  migrations: z.object({ count: z.number().int(), latest: z.string().nullable() }),
  /** Rows per main table at the snapshot. */
  rows: z.record(z.string(), z.number().int()),
  payload: z.object({ encoding: z.literal("directory+gzip"), bytes: z.number().int(), sha256: z.string() }),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

/** The file is not a Portcullis backup, or is damaged. */
export class BackupFileError extends Error {
  override name = "BackupFileError";
}

/** Writes the backup atomically (a temporary file renamed into place), mode 0600. */
export function writeBackupFile(file: string, header: Omit<BackupHeader, "payload">, snapshot: Buffer): BackupHeader {
  const payload = zlib.gzipSync(snapshot);
  const full: BackupHeader = { ...header, payload: { encoding: "directory+gzip", bytes: payload.length, sha256: sha256(payload) } };
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC + JSON.stringify(full) + "\n", "utf8"), payload]), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return full;
}

/** Reads and checks a backup: its header, and the packed data directory. */
export function readBackupFile(file: string): { header: BackupHeader; snapshot: Buffer } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new BackupFileError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const notOurs = new BackupFileError(`${file} is not a Portcullis backup (it does not start with "${MAGIC.trim()}"; make one with \`portcullis backup FILE\`)`);
  if (!bytes.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC))) throw notOurs;
  const end = bytes.indexOf(0x0a, MAGIC.length);
  if (end < 0 || end > HEADER_LIMIT) throw notOurs;
  let header: BackupHeader;
  try {
    header = backupHeaderSchema.parse(JSON.parse(bytes.subarray(MAGIC.length, end).toString("utf8")));
  } catch {
    throw new BackupFileError(`${file} is not a Portcullis backup this version can read (its description is malformed)`);
  }
  const payload = bytes.subarray(end + 1);
  if (payload.length !== header.payload.bytes || sha256(payload) !== header.payload.sha256) {
    throw new BackupFileError(`${file} is damaged: its content does not match its checksum (truncated or altered)`);
  }
  return { header, snapshot: zlib.gunzipSync(payload) };
}

const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
