import type { PGlite } from "@electric-sql/pglite";
import { packDirectory } from "./backup-archive";

/**
 * The embedded database's snapshot, served by the process that holds it (lib/db/embedded.ts).
 *
 * A client of the embedded socket sends the simple query BACKUP_QUERY; the socket server
 * (lib/db/pg-socket-server.ts) answers it itself, not PGlite: while it holds the lock every unit
 * of work takes, so no transaction of any client is open, it runs CHECKPOINT (every committed
 * change is then in the data files) and reads the data directory's files (./backup-archive.ts),
 * then releases the lock and sends the copy as rows of base64 text (column `chunk`). PGlite has
 * no background writer: nothing changes the files while the lock is held. Writers wait for the
 * copy (file reads, no compression), then go on; the copy is a state that existed, with every
 * committed transaction and nothing of an uncommitted one.
 *
 * A real PostgreSQL refuses the statement (a syntax error), so it can never be mistaken for data.
 */
export const BACKUP_QUERY = "PORTCULLIS BACKUP";

/** Raw bytes per DataRow. */
const CHUNK_BYTES = 1 << 20;

/** Whether a simple Query message (`Q`, length, text, NUL) asks for the snapshot. */
export function isBackupQuery(message: Buffer): boolean {
  if (message[0] !== 0x51) return false;
  return message.subarray(5, message.length - 1).toString("utf8").trim().replace(/;$/, "").trim().toUpperCase() === BACKUP_QUERY;
}

/** The data directory, packed; call it only while no client can start a unit of work. */
export async function snapshotDirectory(db: PGlite): Promise<Buffer> {
  const dir = db.dataDir?.replace(/^file:\/\//, "");
  if (!dir || dir.startsWith("memory://")) throw new Error("the database is in memory: there are no files to copy");
  await db.exec("CHECKPOINT");
  return packDirectory(dir);
}

/**
 * Sends the query's answer — RowDescription, one DataRow per chunk, CommandComplete,
 * ReadyForQuery — a chunk at a time, waiting for the socket to drain, so the serving process
 * keeps answering its other clients meanwhile.
 */
export async function sendSnapshot(snapshot: Buffer, write: (bytes: Buffer) => boolean, drained: () => Promise<void>): Promise<void> {
  if (!write(rowDescription("chunk"))) await drained();
  let rows = 0;
  for (let offset = 0; offset < snapshot.length; offset += CHUNK_BYTES, rows++) {
    if (!write(dataRow(snapshot.subarray(offset, offset + CHUNK_BYTES).toString("base64")))) await drained();
  }
  write(Buffer.concat([message("C", Buffer.from(`SELECT ${rows}\0`)), readyForQuery()]));
}

/** An ERROR (not FATAL: the connection stays usable) followed by ReadyForQuery. */
export function snapshotRefusal(code: string, text: string): Buffer {
  const fields = Buffer.from(`SERROR\0VERROR\0C${code}\0M${text}\0\0`, "utf8");
  return Buffer.concat([message("E", fields), readyForQuery()]);
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

const readyForQuery = () => message("Z", Buffer.from("I"));

/** One text column: name, table OID 0, column 0, type text (25), size -1, modifier -1, format text. */
function rowDescription(name: string): Buffer {
  const field = Buffer.alloc(18);
  field.writeInt32BE(0, 0);
  field.writeInt16BE(0, 4);
  field.writeInt32BE(25, 6);
  field.writeInt16BE(-1, 10);
  field.writeInt32BE(-1, 12);
  field.writeInt16BE(0, 16);
  const count = Buffer.alloc(2);
  count.writeInt16BE(1, 0);
  return message("T", Buffer.concat([count, Buffer.from(name + "\0", "utf8"), field]));
}

function dataRow(text: string): Buffer {
  const value = Buffer.from(text, "latin1");
  const head = Buffer.alloc(6);
  head.writeInt16BE(1, 0);
  head.writeInt32BE(value.length, 2);
  return message("D", Buffer.concat([head, value]));
}
