import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { HeldLock, readLock, removeIfUnchanged, tryAcquireLock } from "./lock-file";
import { PgSocketServer, pgSocketUrl } from "./pg-socket-server";

/**
 * The embedded database: PGlite on disk under `<dataDir>/pglite`, served over the PostgreSQL wire
 * protocol on 127.0.0.1 by the one process that holds `<dataDir>/pglite.lock`. Every other
 * process (and the holder itself) connects to that socket, so the folder is opened exactly once.
 * The socket requires a password generated at each start and published in the lock file (mode
 * 0600), so only processes that can read the data directory can connect.
 */
export interface EmbeddedDatabase {
  /** postgresql:// URL of the serving process (this one when `owner`). */
  url: string;
  /** Whether this process opened the folder and serves it. */
  owner: boolean;
  /** Owner: stops serving, closes PGlite, removes the lock. Others: nothing to do. */
  close(): Promise<void>;
}

export interface OpenEmbeddedOptions {
  /** How long to wait for a live holder that has not published its port yet (default 20 s). */
  waitMs?: number;
}

export class DatabaseLockedError extends Error {
  override name = "DatabaseLockedError";
}

function embeddedUrl(port: number, password: string): string {
  return pgSocketUrl(port, password);
}

const g = globalThis as { __portcullisEmbedded?: Map<string, Promise<EmbeddedDatabase>> };
const openHere = (g.__portcullisEmbedded ??= new Map());

export async function openEmbeddedDatabase(dataDir: string, options: OpenEmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir);
  const lockPath = path.join(dir, "pglite.lock");
  const mine = openHere.get(lockPath);
  if (mine) {
    const { url } = await mine;
    return { url, owner: false, close: async () => {} };
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + (options.waitMs ?? 20_000);
  let refused = null as { raw: string; since: number } | null;
  for (;;) {
    const attempt = tryAcquireLock(lockPath);
    if (attempt.acquired) {
      const opening = serve(dir, attempt.lock);
      openHere.set(lockPath, opening);
      opening.catch(() => openHere.delete(lockPath));
      return opening;
    }
    const holder = attempt.holder;
    if (holder?.port != null) {
      if (await listening(holder.port)) return { url: embeddedUrl(holder.port, holder.password ?? ""), owner: false, close: async () => {} };
      // A published port that nobody listens on: the holder died and its pid was reused.
      const raw = readLock(lockPath)?.raw;
      if (raw !== undefined && raw === refused?.raw && Date.now() - refused.since > 1500) removeIfUnchanged(lockPath, raw);
      else if (raw !== refused?.raw) refused = raw === undefined ? null : { raw, since: Date.now() };
    } else if (Date.now() > deadline) {
      const who = holder ? `process ${holder.pid}` : "another process";
      throw new DatabaseLockedError(
        `the embedded database ${path.join(dir, "pglite")} is locked by ${who}, which is not serving it yet ` +
          `(lock file ${lockPath}); wait for it, stop it, or set DATABASE_URL`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** This process holds the lock: open the folder, serve it, publish the port. */
async function serve(dir: string, lock: HeldLock): Promise<EmbeddedDatabase> {
  let db: PGlite | undefined;
  let server: PgSocketServer | undefined;
  try {
    db = await PGlite.create(path.join(dir, "pglite"));
    server = new PgSocketServer(db);
    lock.publish(await server.start(), server.password);
  } catch (e) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    lock.release();
    throw e;
  }
  const url = server.url;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      detach();
      try {
        lock.publish(null); // newcomers wait instead of connecting to a server that is going away
        await server.stop();
        await db.close();
      } finally {
        lock.release();
        openHere.delete(lock.path);
      }
    })());
  const detach = releaseOnExit(lock, close);
  return { url, owner: true, close };
}

/** Removes the lock on exit; on SIGINT/SIGTERM closes cleanly first, then lets the signal act. */
function releaseOnExit(lock: HeldLock, close: () => Promise<void>): () => void {
  const onExit = () => lock.release();
  const onSignal = (signal: NodeJS.Signals) => {
    detach();
    const timeout = new Promise((resolve) => setTimeout(resolve, 5000).unref());
    void Promise.race([close().catch(() => {}), timeout]).finally(() => {
      // Nobody else handles it: re-raise so the process ends as the signal intends.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  process.on("exit", onExit);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const detach = () => {
    process.off("exit", onExit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  return detach;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setTimeout(2000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(true); // slow, not refused: treat as alive
    });
    socket.once("error", () => resolve(false));
  });
}
