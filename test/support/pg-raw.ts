import net from "node:net";

/**
 * A bare PostgreSQL wire-protocol client for tests that must control message boundaries exactly
 * (e.g. stop between Bind and Sync), which pg.Client never does.
 */
export class RawPgClient {
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      this.received = Buffer.concat([this.received, chunk]);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on("error", () => {});
  }

  static async connect(port: number): Promise<RawPgClient> {
    const socket = net.connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const client = new RawPgClient(socket);
    const params = Buffer.from("user\0postgres\0database\0postgres\0\0");
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([head, params]));
    await client.readUntilReady();
    return client;
  }

  send(...messages: Buffer[]) {
    this.socket.write(Buffer.concat(messages));
  }

  destroy() {
    this.socket.destroy();
  }

  /** Backend messages received so far, as [type, body]. Consumes them. */
  take(): [string, Buffer][] {
    const out: [string, Buffer][] = [];
    let offset = 0;
    while (this.received.length - offset >= 5) {
      const length = this.received.readInt32BE(offset + 1);
      if (this.received.length - offset < 1 + length) break;
      out.push([String.fromCharCode(this.received[offset]!), this.received.subarray(offset + 5, offset + 1 + length)]);
      offset += 1 + length;
    }
    this.received = this.received.subarray(offset);
    return out;
  }

  /** Whether a complete ReadyForQuery has arrived (without consuming anything). */
  hasReady(): boolean {
    let offset = 0;
    while (this.received.length - offset >= 5) {
      const length = this.received.readInt32BE(offset + 1);
      if (this.received.length - offset < 1 + length) return false;
      if (this.received[offset] === 0x5a) return true;
      offset += 1 + length;
    }
    return false;
  }

  /** Waits for ReadyForQuery and returns every message up to and including it. */
  async readUntilReady(timeoutMs = 10_000): Promise<[string, Buffer][]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.hasReady()) {
      if (Date.now() > deadline) throw new Error("timed out waiting for ReadyForQuery");
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    const all = this.take();
    const i = all.findIndex(([t]) => t === "Z");
    // Put back anything after the first ReadyForQuery (not expected in these tests).
    return all.slice(0, i + 1);
  }
}

const msg = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
};
const cstr = (s: string) => Buffer.from(s + "\0");
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/** Parse into the unnamed statement, with no declared parameter types. */
export const parse = (sql: string) => msg("P", Buffer.concat([cstr(""), cstr(sql), int16(0)]));
/** Bind text parameters to the unnamed portal. */
export const bind = (...params: string[]) =>
  msg(
    "B",
    Buffer.concat([
      cstr(""),
      cstr(""),
      int16(0),
      int16(params.length),
      ...params.flatMap((p) => [int32(Buffer.byteLength(p)), Buffer.from(p)]),
      int16(0),
    ]),
  );
export const execute = () => msg("E", Buffer.concat([cstr(""), int32(0)]));
export const sync = () => msg("S", Buffer.alloc(0));
export const query = (sql: string) => msg("Q", cstr(sql));

/** Text values of the DataRows among `messages`. */
export function dataRows(messages: [string, Buffer][]): string[][] {
  return messages
    .filter(([t]) => t === "D")
    .map(([, body]) => {
      const n = body.readInt16BE(0);
      const values: string[] = [];
      let offset = 2;
      for (let i = 0; i < n; i++) {
        const len = body.readInt32BE(offset);
        offset += 4;
        values.push(len < 0 ? "NULL" : body.subarray(offset, offset + len).toString());
        offset += Math.max(len, 0);
      }
      return values;
    });
}

/** The message texts of ErrorResponses among `messages`. */
export function errors(messages: [string, Buffer][]): string[] {
  return messages
    .filter(([t]) => t === "E")
    .map(([, body]) => {
      const m = body.toString().split("\0").find((f) => f.startsWith("M"));
      return m?.slice(1) ?? "error";
    });
}
