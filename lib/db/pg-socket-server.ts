import crypto from "node:crypto";
import net from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { Mutex } from "./mutex";
import {
  authenticationMessage,
  fatalErrorMessage,
  queryMessage,
  saslResponse,
  splitMessages,
  startupParameters,
  syncMessage,
  type FrontendMessage,
} from "./pg-wire";
import { SCRAM_MECHANISM, ScramExchange, scramKeys, type ScramKeys } from "./scram";
import { isBackupQuery, sendSnapshot, snapshotDirectory, snapshotRefusal } from "./backup-snapshot";
import { envValue } from "@/lib/config/env";
import { logger } from "@/lib/log/log";

/**
 * A PostgreSQL wire-protocol server over one PGlite instance, safe with many client connections.
 *
 * PGlite is a single backend: unnamed statements/portals, the extended-protocol error state and
 * the open transaction are shared by everyone who talks to it. So a connection takes a global lock
 * with the first message of a unit of work and keeps it until it has processed a Sync or a simple
 * Query *and* PGlite is outside a transaction block; meanwhile other connections wait. When a
 * client disconnects while holding the lock, its unit is closed (Sync) and rolled back.
 *
 * The one statement answered here rather than by PGlite is the backup query (./backup-snapshot.ts):
 * a snapshot of the data directory, taken while no client is inside a unit of work.
 *
 * Session state that is not per-unit (SET, named prepared statements) is still shared by all
 * connections: clients should not rely on it (Prisma and node-postgres by default don't).
 * LISTEN and UNLISTEN sent as simple queries are per connection: PGlite's notifications are
 * taken out of whatever output they appear in and sent to the connections that listen on their
 * channel (lib/db/listen.ts relies on it).
 * Listens on 127.0.0.1 only, and every client must authenticate with the server's password by
 * SCRAM-SHA-256 before anything reaches PGlite (PGlite itself accepts any user): a wrong or missing
 * password gets FATAL 28P01 and the connection is closed.
 */
export interface PgSocketServerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Connections beyond this are refused with a FATAL error (default 100). */
  maxConnections?: number;
  /**
   * A connection that holds the lock (open transaction or unfinished unit) and sends nothing for
   * this long is terminated and rolled back, as PostgreSQL's idle_in_transaction_session_timeout
   * does: here one stuck client would block every other. Default 60 s; 0 disables.
   */
  idleInTransactionTimeoutMs?: number;
  /** The password clients must present; default: 32 random bytes, generated per server. */
  password?: string;
}

const AUTHENTICATION_TIMEOUT_MS = 30_000;

/** One lock per PGlite: several servers over the same instance still take turns. */
const locks = new WeakMap<PGlite, Mutex>();
/** The connections listening on each channel, per PGlite (its LISTEN state is one backend's). */
type Channels = Map<string, Set<Connection>>;
const channelsOf = new WeakMap<PGlite, Channels>();

export class PgSocketServer {
  private readonly lock: Mutex;
  private readonly connections = new Set<Connection>();
  private server: net.Server | null = null;
  private boundPort = 0;
  /** The password clients must send (see `url`). */
  readonly password: string;
  private readonly keys: ScramKeys;

  constructor(
    readonly db: PGlite,
    private readonly options: PgSocketServerOptions = {},
  ) {
    if (!locks.has(db)) locks.set(db, new Mutex());
    this.lock = locks.get(db)!;
    if (!channelsOf.has(db)) channelsOf.set(db, new Map());
    this.password = options.password ?? crypto.randomBytes(32).toString("base64url");
    if (this.password === "") throw new Error("PgSocketServer needs a non-empty password");
    this.keys = scramKeys(this.password);
  }

  get port(): number {
    return this.boundPort;
  }

  /** The postgresql:// URL of this server, password included. */
  get url(): string {
    return pgSocketUrl(this.boundPort, this.password);
  }

  get host(): string {
    return "127.0.0.1";
  }

  /** Starts listening on 127.0.0.1; resolves with the bound port. */
  async start(): Promise<number> {
    if (this.server) throw new Error("PgSocketServer already started");
    await this.db.waitReady;
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as net.AddressInfo).port;
    return this.boundPort;
  }

  /** Stops accepting, disconnects every client (rolling back their open units) and waits for that. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.destroy()));
    await closed;
  }

  private accept(socket: net.Socket) {
    if (!this.server) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= (this.options.maxConnections ?? 100)) {
      socket.end(fatalErrorMessage("53300", "sorry, too many clients already"));
      return;
    }
    const idleMs = this.options.idleInTransactionTimeoutMs ?? 60_000;
    const connection = new Connection(this.db, this.lock, channelsOf.get(this.db)!, this.keys, socket, idleMs, () => this.connections.delete(connection));
    this.connections.add(connection);
  }
}

/** The URL of a PgSocketServer on 127.0.0.1:port with `password`. */
export function pgSocketUrl(port: number, password: string): string {
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * Where a connection is in authentication: waiting for the StartupMessage, for the client-first
 * (SASLInitialResponse) and client-final (SASLResponse) SCRAM messages, then authenticated.
 */
type AuthState =
  | { step: "startup" }
  | { step: "sasl-initial"; startup: Buffer; user: string }
  | { step: "sasl-final"; startup: Buffer; user: string; exchange: ScramExchange }
  | { step: "done" };

/** One client socket. Its messages are handled strictly in order, one at a time. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private auth: AuthState = { step: "startup" };
  private authTimer: NodeJS.Timeout;
  private closed = false;
  private release: (() => void) | null = null;
  private work: Promise<void> = Promise.resolve();
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: PGlite,
    private readonly lock: Mutex,
    private readonly channels: Channels,
    private readonly keys: ScramKeys,
    private readonly socket: net.Socket,
    private readonly idleMs: number,
    private readonly onGone: () => void,
  ) {
    socket.setNoDelay(true);
    // As PostgreSQL's authentication_timeout: a client that never authenticates gives its slot back.
    this.authTimer = setTimeout(() => {
      if (this.auth.step !== "done" && !this.closed) this.refuse("08P01", "authentication timeout");
    }, AUTHENTICATION_TIMEOUT_MS);
    this.authTimer.unref();
    socket.on("data", (chunk) => this.receive(chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.destroy());
  }

  /**
   * Drops the client (after flushing what was written when `flush`); resolves once any unit it
   * held is closed and the lock released.
   */
  destroy(flush = false): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearTimeout(this.idleTimer);
      clearTimeout(this.authTimer);
      if (flush) this.socket.end();
      else this.socket.destroy();
      this.enqueue(() => this.abandonUnit());
      this.enqueue(() => this.unlistenAll());
      this.work = this.work.then(() => this.onGone());
    }
    return this.work;
  }

  private receive(chunk: Buffer) {
    if (this.closed) return;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let messages: FrontendMessage[];
    try {
      const split = splitMessages(this.buffer, this.started);
      messages = split.messages;
      this.buffer = split.rest;
    } catch (e) {
      this.socket.end(fatalErrorMessage("08P01", (e as Error).message));
      void this.destroy();
      return;
    }
    if (messages.some((m) => m.kind === "startup")) this.started = true;
    for (const message of messages) this.enqueue(() => this.handle(message));
  }

  private enqueue(task: () => Promise<void>) {
    this.pending++;
    clearTimeout(this.idleTimer);
    this.work = this.work
      .then(task)
      .catch((e) => {
        if (envValue("DEBUG_PG_SOCKET")) logger().warn("pg-socket-server: a connection failed", { error: e });
        void this.destroy(); // queues abandonUnit after this task
      })
      .finally(() => {
        if (--this.pending === 0 && this.release && !this.closed && this.idleMs > 0) {
          this.idleTimer = setTimeout(() => this.idleTimeout(), this.idleMs);
          this.idleTimer.unref();
        }
      });
  }

  private idleTimeout() {
    if (this.pending > 0 || !this.release || this.closed) return;
    this.socket.write(fatalErrorMessage("25P03", "terminating connection due to idle-in-transaction timeout"));
    void this.destroy(true);
  }

  private async handle(message: FrontendMessage): Promise<void> {
    if (this.closed) return;
    switch (message.kind) {
      case "ssl":
      case "gssenc":
        this.socket.write("N");
        return;
      case "cancel":
        this.socket.end(); // not supported: there is nothing running we could cancel safely
        return;
      case "startup":
        this.auth = { step: "sasl-initial", startup: message.bytes, user: startupParameters(message.bytes).get("user") ?? "" };
        this.socket.write(authenticationMessage(10, Buffer.from(`${SCRAM_MECHANISM}\0\0`)));
        return;
      case "regular":
        if (message.type === "X") {
          this.socket.end();
          void this.destroy(); // queues abandonUnit after this task; awaiting it here would deadlock
          return;
        }
        if (this.auth.step !== "done") return this.authenticate(message);
        if (isBackupQuery(message.bytes)) return this.backup();
        await this.acquire();
        if (this.closed) return; // abandonUnit (queued by destroy) releases
        await this.execute(message.bytes, true);
        if (message.type === "Q") await this.noteListen(message.bytes);
        if (message.type === "S" || message.type === "Q") this.releaseIfIdle();
    }
  }

  /** A message before authentication finished: the SCRAM exchange, then the startup on PGlite. */
  private async authenticate(message: FrontendMessage & { kind: "regular" }): Promise<void> {
    const auth = this.auth;
    if (auth.step === "done") return;
    if (auth.step === "startup" || message.type !== "p") return this.refuse("08P01", "expected a password (SASL) message");
    try {
      if (auth.step === "sasl-initial") {
        const { mechanism, data } = saslResponse(message.bytes, true);
        if (mechanism !== SCRAM_MECHANISM) return this.refuse("28000", `only ${SCRAM_MECHANISM} authentication is supported`);
        const exchange = new ScramExchange(this.keys);
        this.socket.write(authenticationMessage(11, Buffer.from(exchange.start(data))));
        this.auth = { ...auth, step: "sasl-final", exchange };
        return;
      }
      const serverFinal = auth.exchange.finish(saslResponse(message.bytes, false).data);
      if (serverFinal === null) return this.refuse("28P01", `password authentication failed for user "${auth.user}"`);
      this.socket.write(authenticationMessage(12, Buffer.from(serverFinal)));
    } catch (e) {
      // Everything above only parses what the client sent: any failure is its protocol error.
      return this.refuse("08P01", e instanceof Error ? e.message : "invalid authentication message");
    }
    this.auth = { step: "done" };
    clearTimeout(this.authTimer);
    await this.acquire();
    if (this.closed) return;
    await this.execute(auth.startup, true); // PGlite answers AuthenticationOk, parameters, ReadyForQuery
    this.releaseIfIdle();
  }

  /** The backup query: a snapshot taken under the lock, sent once the lock is released. */
  private async backup(): Promise<void> {
    const inUnit = this.release !== null;
    await this.acquire();
    if (this.closed) return;
    let snapshot: Buffer | undefined;
    let refusal: Buffer | undefined;
    try {
      if (inUnit || this.db.isInTransaction()) refusal = snapshotRefusal("25001", "a backup cannot be taken inside a transaction");
      else snapshot = await snapshotDirectory(this.db);
    } catch (e) {
      refusal = snapshotRefusal("58000", `the backup failed: ${(e as Error).message}`);
    } finally {
      this.releaseIfIdle();
    }
    if (this.closed) return;
    if (refusal) this.socket.write(refusal);
    else await sendSnapshot(snapshot!, (b) => this.socket.write(b), () => this.drained());
  }

  /** Resolves when the socket can take more, or is gone. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off("drain", done).off("close", done);
        resolve();
      };
      this.socket.on("drain", done).on("close", done);
    });
  }

  /** FATAL error, then close after it was sent. */
  private refuse(code: string, text: string): void {
    this.socket.write(fatalErrorMessage(code, text));
    void this.destroy(true);
  }

  private async acquire() {
    if (!this.release) this.release = await this.lock.acquire();
  }

  private releaseIfIdle() {
    if (this.release && !this.db.isInTransaction()) {
      this.release();
      this.release = null;
    }
  }

  /**
   * Runs one message on PGlite, streaming the response to the client (or dropping it). While any
   * connection listens, notifications are taken out of the response and sent to their listeners.
   */
  private execute(bytes: Uint8Array, forward: boolean): Promise<void> {
    const send = (data: Buffer) => {
      if (forward && !this.closed && data.length > 0) this.socket.write(data);
    };
    const notifications = this.channels.size > 0 ? new NotificationFilter((channel, message) => this.notify(channel, message)) : undefined;
    return this.db._runExclusiveQuery(async () => {
      await this.db.execProtocolRawStream(new Uint8Array(bytes), {
        onRawData: (data) => send(notifications ? notifications.push(Buffer.from(data)) : Buffer.from(data)),
      });
      if (notifications) send(notifications.rest());
    });
  }

  /** After a simple query: a LISTEN or UNLISTEN it was changes what this connection is sent. */
  private async noteListen(bytes: Buffer): Promise<void> {
    const sql = bytes.subarray(5, bytes.length - 1).toString("utf8");
    const m = /^\s*(UN)?LISTEN\s+(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*)|(\*))\s*;?\s*$/i.exec(sql);
    if (!m) return;
    const channel = m[2] ?? m[3]?.toLowerCase();
    if (!m[1] && channel) {
      if (!this.channels.has(channel)) this.channels.set(channel, new Set());
      this.channels.get(channel)!.add(this);
      return;
    }
    for (const [name, listeners] of this.channels) {
      if (channel !== undefined && name !== channel) continue;
      listeners.delete(this);
      if (listeners.size === 0) this.channels.delete(name);
      // PGlite's one backend stopped listening: others still do.
      else await this.execute(queryMessage(`LISTEN "${name.replace(/"/g, '""')}"`), false);
    }
  }

  private notify(channel: string, message: Buffer): void {
    for (const connection of this.channels.get(channel) ?? []) connection.deliver(message);
  }

  /** A NotificationResponse for this connection, sent between the messages it is answered. */
  deliver(message: Buffer): void {
    if (this.closed) return;
    this.enqueue(async () => {
      if (!this.closed) this.socket.write(message);
    });
  }

  /** Connection gone: it listens no more; channels nobody else listens on are UNLISTENed in PGlite. */
  private async unlistenAll(): Promise<void> {
    const abandoned: string[] = [];
    for (const [name, listeners] of this.channels) {
      if (!listeners.delete(this)) continue;
      if (listeners.size === 0) {
        this.channels.delete(name);
        abandoned.push(name);
      }
    }
    if (abandoned.length === 0) return;
    const release = await this.lock.acquire();
    try {
      for (const name of abandoned) if (!this.channels.has(name)) await this.execute(queryMessage(`UNLISTEN "${name.replace(/"/g, '""')}"`), false);
    } finally {
      release();
    }
  }

  /** Client gone mid-unit: end the extended-protocol unit, roll back, release the lock. */
  private async abandonUnit(): Promise<void> {
    if (!this.release) return;
    try {
      await this.execute(syncMessage(), false);
      if (this.db.isInTransaction()) await this.execute(queryMessage("ROLLBACK"), false);
    } finally {
      this.release?.();
      this.release = null;
    }
  }
}

/**
 * Takes NotificationResponse messages (`A`: int32 pid, channel, payload) out of a backend byte
 * stream cut anywhere, handing each to `onNotification`; `push` returns the rest, whole messages
 * only, and `rest` what is left at the end.
 */
class NotificationFilter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onNotification: (channel: string, message: Buffer) => void) {}

  push(chunk: Buffer): Buffer {
    const buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const keep: Buffer[] = [];
    let offset = 0;
    let from = 0;
    while (buffer.length - offset >= 5) {
      const size = 1 + buffer.readInt32BE(offset + 1);
      if (buffer.length - offset < size) break;
      if (buffer[offset] === 0x41) {
        keep.push(buffer.subarray(from, offset));
        const message = Buffer.from(buffer.subarray(offset, offset + size));
        const end = message.indexOf(0, 9);
        this.onNotification(message.subarray(9, end < 0 ? message.length : end).toString("utf8"), message);
        from = offset + size;
      }
      offset += size;
    }
    keep.push(buffer.subarray(from, offset));
    this.pending = Buffer.from(buffer.subarray(offset));
    return keep.length === 1 ? keep[0]! : Buffer.concat(keep);
  }

  rest(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}
