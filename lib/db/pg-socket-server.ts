import net from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { Mutex } from "./mutex";
import { fatalErrorMessage, queryMessage, splitMessages, syncMessage, type FrontendMessage } from "./pg-wire";

/**
 * A PostgreSQL wire-protocol server over one PGlite instance, safe with many client connections.
 *
 * PGlite is a single backend: unnamed statements/portals, the extended-protocol error state and
 * the open transaction are shared by everyone who talks to it. So a connection takes a global lock
 * with the first message of a unit of work and keeps it until it has processed a Sync or a simple
 * Query *and* PGlite is outside a transaction block; meanwhile other connections wait. When a
 * client disconnects while holding the lock, its unit is closed (Sync) and rolled back.
 *
 * Session state that is not per-unit (SET, named prepared statements, LISTEN) is still shared
 * by all connections: clients should not rely on it (Prisma and node-postgres by default don't).
 * Listens on 127.0.0.1 only.
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
}

/** One lock per PGlite: several servers over the same instance still take turns. */
const locks = new WeakMap<PGlite, Mutex>();

export class PgSocketServer {
  private readonly lock: Mutex;
  private readonly connections = new Set<Connection>();
  private server: net.Server | null = null;
  private boundPort = 0;

  constructor(
    readonly db: PGlite,
    private readonly options: PgSocketServerOptions = {},
  ) {
    if (!locks.has(db)) locks.set(db, new Mutex());
    this.lock = locks.get(db)!;
  }

  get port(): number {
    return this.boundPort;
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
    const connection = new Connection(this.db, this.lock, socket, idleMs, () => this.connections.delete(connection));
    this.connections.add(connection);
  }
}

/** One client socket. Its messages are handled strictly in order, one at a time. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private closed = false;
  private release: (() => void) | null = null;
  private work: Promise<void> = Promise.resolve();
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: PGlite,
    private readonly lock: Mutex,
    private readonly socket: net.Socket,
    private readonly idleMs: number,
    private readonly onGone: () => void,
  ) {
    socket.setNoDelay(true);
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
      if (flush) this.socket.end();
      else this.socket.destroy();
      this.enqueue(() => this.abandonUnit());
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
        if (process.env.DEBUG_PG_SOCKET) console.error("pg-socket-server:", e);
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
        await this.acquire();
        await this.execute(message.bytes, true);
        this.releaseIfIdle();
        return;
      case "regular":
        if (message.type === "X") {
          this.socket.end();
          void this.destroy(); // queues abandonUnit after this task; awaiting it here would deadlock
          return;
        }
        await this.acquire();
        if (this.closed) return; // abandonUnit (queued by destroy) releases
        await this.execute(message.bytes, true);
        if (message.type === "S" || message.type === "Q") this.releaseIfIdle();
    }
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

  /** Runs one message on PGlite, streaming the response to the client (or dropping it). */
  private execute(bytes: Uint8Array, forward: boolean): Promise<void> {
    return this.db._runExclusiveQuery(() =>
      this.db.execProtocolRawStream(new Uint8Array(bytes), {
        onRawData: (data) => {
          if (forward && !this.closed && data.length > 0) this.socket.write(Buffer.from(data));
        },
      }),
    );
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
