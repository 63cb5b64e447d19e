/**
 * Framing of PostgreSQL frontend messages (protocol 3.0), just enough for a server to split a
 * byte stream into whole messages. Before startup a message is `int32 length` + body (SSLRequest,
 * GSSENCRequest, CancelRequest, StartupMessage); after it, `byte type` + `int32 length` + body.
 */

export const PROTOCOL_3 = 196608;
export const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

export type FrontendMessage =
  | { kind: "ssl" | "gssenc" | "cancel"; bytes: Buffer }
  | { kind: "startup"; bytes: Buffer }
  | { kind: "regular"; type: string; bytes: Buffer };

/**
 * Takes as many whole messages as `buffer` holds. `started` says whether the startup message was
 * already seen (it changes the framing). Returns the messages and the unconsumed rest.
 */
export function splitMessages(buffer: Buffer, started: boolean): { messages: FrontendMessage[]; rest: Buffer } {
  const messages: FrontendMessage[] = [];
  let offset = 0;
  let isStarted = started;
  for (;;) {
    const available = buffer.length - offset;
    if (!isStarted) {
      if (available < 8) break;
      const length = buffer.readInt32BE(offset);
      if (length < 8 || length > 10_000) throw new Error(`invalid startup packet length ${length}`);
      if (available < length) break;
      const code = buffer.readInt32BE(offset + 4);
      const bytes = buffer.subarray(offset, offset + length);
      offset += length;
      if (code === SSL_REQUEST) messages.push({ kind: "ssl", bytes });
      else if (code === GSSENC_REQUEST) messages.push({ kind: "gssenc", bytes });
      else if (code === CANCEL_REQUEST) messages.push({ kind: "cancel", bytes });
      else if (code === PROTOCOL_3) {
        messages.push({ kind: "startup", bytes });
        isStarted = true;
      } else throw new Error(`unsupported protocol version ${code}`);
    } else {
      if (available < 5) break;
      const length = buffer.readInt32BE(offset + 1);
      if (length < 4) throw new Error(`invalid message length ${length}`);
      if (available < 1 + length) break;
      const bytes = buffer.subarray(offset, offset + 1 + length);
      messages.push({ kind: "regular", type: String.fromCharCode(buffer[offset]!), bytes });
      offset += 1 + length;
    }
  }
  return { messages, rest: Buffer.from(buffer.subarray(offset)) };
}

/** A Sync message. */
export function syncMessage(): Buffer {
  return Buffer.from([0x53, 0, 0, 0, 4]);
}

/** A simple Query message. */
export function queryMessage(sql: string): Buffer {
  const text = Buffer.from(sql + "\0", "utf8");
  const header = Buffer.alloc(5);
  header.write("Q", 0, "latin1");
  header.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([header, text]);
}

/** An ErrorResponse (backend) with severity FATAL, for refusing a connection. */
export function fatalErrorMessage(code: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from("SFATAL\0VFATAL\0", "utf8"),
    Buffer.from(`C${code}\0M${message}\0\0`, "utf8"),
  ]);
  const header = Buffer.alloc(5);
  header.write("E", 0, "latin1");
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

/** The parameters of a StartupMessage (user, database, …). */
export function startupParameters(bytes: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const parts = bytes.subarray(8).toString("utf8").split("\0");
  for (let i = 0; i + 1 < parts.length && parts[i] !== ""; i += 2) out.set(parts[i]!, parts[i + 1]!);
  return out;
}

/** An Authentication* message: 10 SASL (mechanism list), 11 SASLContinue, 12 SASLFinal. */
export function authenticationMessage(code: 10 | 11 | 12, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.write("R", 0, "latin1");
  header.writeInt32BE(8 + payload.length, 1);
  header.writeInt32BE(code, 5);
  return Buffer.concat([header, payload]);
}

/**
 * The body of a SASLInitialResponse (`p`: mechanism, int32 length, data) or, when `initial` is
 * false, of a SASLResponse (`p`: data).
 */
export function saslResponse(bytes: Buffer, initial: boolean): { mechanism?: string; data: string } {
  const body = bytes.subarray(5);
  if (!initial) return { data: body.toString("utf8") };
  const end = body.indexOf(0);
  if (end < 0 || body.length < end + 5) throw new Error("malformed SASLInitialResponse");
  const mechanism = body.subarray(0, end).toString("utf8");
  const length = body.readInt32BE(end + 1);
  const data = length < 0 ? "" : body.subarray(end + 5, end + 5 + length).toString("utf8");
  return { mechanism, data };
}
