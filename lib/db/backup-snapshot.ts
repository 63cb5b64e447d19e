import type { PGlite } from "@electric-sql/pglite";

/**
 * The embedded database's snapshot, served by the process that holds it (lib/db/embedded.ts).
 *
 * A client of the embedded socket sends the simple query BACKUP_QUERY; the socket server
 * (lib/db/pg-socket-server.ts) answers it itself, not PGlite: while it holds the lock every unit
 * of work takes, so no transaction of any client is open, it runs CHECKPOINT and copies the data
 * directory with PGlite's `dumpDataDir`, then releases the lock and sends the tarball as rows of
 * base64 text (column `chunk`). Writers wait for the copy, then go on; the tarball is a state
 * that existed, with every committed transaction and nothing of an uncommitted one.
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

/** The data directory as a tar archive; call it only while no client can start a unit of work. */
export async function snapshotTarball(db: PGlite): Promise<Buffer> {
  await db.exec("CHECKPOINT");
  const dump = await db.dumpDataDir("none");
  return Buffer.from(await dump.arrayBuffer());
}

/** The query's answer: RowDescription, one DataRow per chunk, CommandComplete, ReadyForQuery. */
export function snapshotAnswer(tarball: Buffer): Buffer {
  const parts = [rowDescription("chunk")];
  let rows = 0;
  for (let offset = 0; offset < tarball.length; offset += CHUNK_BYTES, rows++) {
    parts.push(dataRow(tarball.subarray(offset, offset + CHUNK_BYTES).toString("base64")));
  }
  parts.push(message("C", Buffer.from(`SELECT ${rows}\0`)), readyForQuery());
  return Buffer.concat(parts);
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
