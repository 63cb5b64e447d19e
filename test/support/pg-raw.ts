import crypto from "node:crypto";
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

  /** Connects and authenticates (SCRAM-SHA-256 when the server asks for it, with `password`). */
  static async connect(port: number, password = ""): Promise<RawPgClient> {
    const socket = net.connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const client = new RawPgClient(socket);
    const params = Buffer.from("user\0postgres\0database\0postgres\0\0");
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([head, params]));
    const first = await client.next();
    if (first[0] === "R" && first[1].readInt32BE(0) === 10) await client.scram(password);
    else client.unshift(first);
    await client.readUntilReady();
    return client;
  }

  /** The next whole backend message (consumed). */
  private async next(timeoutMs = 10_000): Promise<[string, Buffer]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [message] = this.takeOne();
      if (message) return message;
      if (Date.now() > deadline) throw new Error("timed out waiting for a message");
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private takeOne(): [string, Buffer][] {
    if (this.received.length < 5) return [];
    const length = this.received.readInt32BE(1);
    if (this.received.length < 1 + length) return [];
    const message: [string, Buffer] = [String.fromCharCode(this.received[0]!), Buffer.from(this.received.subarray(5, 1 + length))];
    this.received = this.received.subarray(1 + length);
    return [message];
  }

  private unshift([type, body]: [string, Buffer]) {
    const header = Buffer.alloc(5);
    header.write(type, 0, "latin1");
    header.writeInt32BE(4 + body.length, 1);
    this.received = Buffer.concat([header, body, this.received]);
  }

  /** The client side of SCRAM-SHA-256 (RFC 5802). */
  private async scram(password: string) {
    const hmac = (key: Buffer, text: string) => crypto.createHmac("sha256", key).update(text).digest();
    const clientNonce = crypto.randomBytes(18).toString("base64");
    const clientFirstBare = `n=,r=${clientNonce}`;
    const mechanism = Buffer.from("SCRAM-SHA-256\0");
    const initial = Buffer.from(`n,,${clientFirstBare}`);
    const len = Buffer.alloc(4);
    len.writeInt32BE(initial.length);
    this.send(msg("p", Buffer.concat([mechanism, len, initial])));
    const [type, body] = await this.next();
    if (type !== "R" || body.readInt32BE(0) !== 11) throw new Error(`SCRAM refused: ${errorText(body)}`);
    const serverFirst = body.subarray(4).toString("utf8");
    const attrs = Object.fromEntries(serverFirst.split(",").map((p) => [p[0], p.slice(2)]));
    const salted = crypto.pbkdf2Sync(password, Buffer.from(attrs.s!, "base64"), Number(attrs.i), 32, "sha256");
    const clientKey = hmac(salted, "Client Key");
    const withoutProof = `c=biws,r=${attrs.r}`;
    const signature = hmac(crypto.createHash("sha256").update(clientKey).digest(), `${clientFirstBare},${serverFirst},${withoutProof}`);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    this.send(msg("p", Buffer.from(`${withoutProof},p=${proof.toString("base64")}`)));
    const [finalType, finalBody] = await this.next();
    if (finalType !== "R" || finalBody.readInt32BE(0) !== 12) throw new Error(`SCRAM refused: ${errorText(finalBody)}`);
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

function errorText(body: Buffer): string {
  return body.toString("utf8").replace(/\0/g, " ").trim();
}
