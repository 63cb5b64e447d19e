import type http from "node:http";
import type { Socket } from "node:net";
import { keyOfAddress } from "./client-address";

/**
 * Bounds on what clients can hold of a node:http server (the proxy, the portal's front server):
 *
 * - `maxConnections`: sockets open at once; Node closes any beyond it as soon as it accepts them;
 * - `maxPerAddress`: sockets one client address may hold (IPv6 per /64), so a single address
 *   can't take every slot; 0 = no such limit. It goes by the socket's peer — behind a load
 *   balancer that is the balancer, so leave it 0 there;
 * - `headersTimeoutMs`: a request's headers must have arrived this long after it started (a
 *   client trickling them byte by byte is cut: 408 and close), checked every
 *   `checkIntervalMs`; `requestTimeoutMs` bounds the whole request the same way;
 * - `keepAliveTimeoutMs`: an idle kept-alive connection is closed after this long.
 *
 * Call before `listen` (the checking interval is read when the server starts listening).
 *
 * The tracker also stops the server gracefully (`beginDrain`, then `close`): from the start of a
 * drain every response carries `Connection: close` and idle kept-alive connections are closed, so
 * clients (and a load balancer's pooled connections) move elsewhere; `close` stops accepting and
 * lets the requests in flight finish — long bodies included — up to a deadline.
 */
export interface ConnectionLimits {
  maxConnections: number;
  maxPerAddress: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export type ConnectionRefusal = "max_connections" | "per_address";

export interface ConnectionTracker {
  /** Sockets open now. */
  readonly open: number;
  /** True once `beginDrain` was called. */
  readonly draining: boolean;
  /** Every response from now on closes its connection; idle kept-alive connections are closed now. */
  beginDrain(): void;
  /**
   * Stops accepting (and drains, if not yet), waits for the requests in flight, then cuts what is
   * still open after `timeoutMs`. Resolves true when everything finished within it.
   */
  close(timeoutMs: number): Promise<boolean>;
}

export function applyConnectionLimits(server: http.Server, limits: ConnectionLimits, onRefused?: (reason: ConnectionRefusal) => void): ConnectionTracker {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Node checks the two timeouts on an interval (30 s by default): a quarter of the headers
  // timeout keeps a slow client's cut-off close to it, at the cost of a walk over the open sockets.
  (server as http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4)));

  const perAddress = new Map<string, number>();
  let open = 0;
  server.on("drop", () => onRefused?.("max_connections"));
  server.on("connection", (socket: Socket) => {
    const key = keyOfAddress(socket.remoteAddress ?? "unknown");
    const held = perAddress.get(key) ?? 0;
    if (limits.maxPerAddress > 0 && held >= limits.maxPerAddress) {
      onRefused?.("per_address");
      socket.destroy();
      return;
    }
    perAddress.set(key, held + 1);
    open++;
    socket.once("close", () => {
      open--;
      const n = (perAddress.get(key) ?? 1) - 1;
      if (n > 0) perAddress.set(key, n);
      else perAddress.delete(key);
    });
  });
  let draining = false;
  const inFlight = new Set<http.ServerResponse>();
  // Before the server's own handler, so the header is there however early it answers.
  server.prependListener("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining) res.setHeader("connection", "close");
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    // A response that began before the drain leaves its connection idle: close it then.
    res.once("finish", () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  const beginDrain = () => {
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
    server.closeIdleConnections();
  };
  return {
    get open() {
      return open;
    },
    get draining() {
      return draining;
    },
    beginDrain,
    async close(timeoutMs) {
      if (!draining) beginDrain();
      let cut = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A connection that was busy when the drain began and has just gone idle.
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        cut = true;
        server.closeAllConnections();
      }, timeoutMs);
      await closed;
      clearTimeout(timer);
      return !cut;
    },
  };
}
