import type http from "node:http";
import net from "node:net";
import { Readable } from "node:stream";
import tls from "node:tls";
import { createCheckedLookup } from "./address";
import { UpstreamError } from "./errors";
import { type Head, hasInvalidValueChar, isToken, MAX_HEAD_BYTES, parseHead, protocolError } from "./http-head";
import type { NetworkPolicy, TransportRequest, TransportResponse } from "./transport";
import { aborted, timeoutError, toUpstreamError } from "./transport-errors";

/**
 * HEAD requests on keep-alive sockets of their own, without node:http. A manifest HEAD is the
 * proxy's most frequent request, and node:http's client machinery (agent, ClientRequest,
 * IncomingMessage) is most of what relaying one costs: measured on 2 cores beside the upstream,
 * 200 of a relay's ~400 µs of CPU per HEAD (BENCHMARKS.md, *Registry proxy*). A HEAD answer is
 * only a head — no body, whatever its Content-Length or Transfer-Encoding says (RFC 9110 §9.3.2)
 * — so the exchange is one write and one strictly parsed head:
 *
 * - the request's header names and values are checked as node:http checks them (no CR, LF or
 *   other control characters: nothing can inject a header or a request);
 * - the answer's status line and every header line must be well-formed (no folded lines, no bare
 *   CR or LF, names that are tokens), its head at most 64 KiB; duplicates are combined as
 *   node:http combines them;
 * - a socket is reused only after a clean HTTP/1.1 answer without `Connection: close` and with
 *   nothing after the head (a server that sent a HEAD a body is not trusted with another
 *   request); a reused socket the server closed before answering is replaced once (HEAD is
 *   idempotent);
 * - connections go through the same checked DNS lookup as node:http's (the SSRF rule), TLS with
 *   the same verification, the policy's extra CAs and SNI (and, as node:https, no ALPN).
 *
 * Sockets are pooled per origin and per kind of policy, as lib/oci/transport.ts pools node:http's
 * (most recently used first, idle ones closed after IDLE_MS and never keeping the process alive);
 * a closed connection leaves its pool at once, and an origin without idle connections holds nothing.
 */

const MAX_IDLE_PER_ORIGIN = 64;
/** Below the 5 s keep-alive timeout of Node's own servers, the shortest in common use. */
const IDLE_MS = 4_000;

type Waiter = (error: unknown, head?: Head) => void;

interface Connection {
  socket: net.Socket;
  host: string;
  /** Received and not yet read (latin1, one char per byte). */
  pending: string;
  /** Whether any byte arrived since the current request was written. */
  answered: boolean;
  waiter: Waiter | undefined;
  /** Where it idles between requests: its pools and its origin's key in them. */
  pools: Pools;
  origin: string;
}

/** Idle connections by origin; an origin's entry goes when its last idle connection closes. */
type Pools = Map<string, Connection[]>;
const sharedPools = new Map<string, Pools>();
const policyPools = new WeakMap<NetworkPolicy, Pools>();
const lookups = new WeakMap<NetworkPolicy, ReturnType<typeof createCheckedLookup>>();

/** The pools for a policy: shared per kind of policy, or the policy's own when it injects DNS or CAs (as node:http's agents). */
function poolsFor(policy: NetworkPolicy): Pools {
  let pools: Pools | undefined;
  if (policy.resolve || policy.ca) {
    pools = policyPools.get(policy);
    if (!pools) policyPools.set(policy, (pools = new Map()));
  } else {
    const kind = policy.allowPrivate ? "private" : "public";
    pools = sharedPools.get(kind);
    if (!pools) sharedPools.set(kind, (pools = new Map()));
  }
  return pools;
}

/** The most recently parked live connection to `origin`, if any. */
function takeIdle(pools: Pools, origin: string): Connection | undefined {
  const idle = pools.get(origin);
  let conn = idle?.pop();
  while (conn && conn.socket.destroyed) conn = idle!.pop();
  return conn;
}

function park(conn: Connection): void {
  const idle = conn.pools.get(conn.origin);
  if (!idle) conn.pools.set(conn.origin, [conn]);
  else if (idle.length < MAX_IDLE_PER_ORIGIN) idle.push(conn);
  else conn.socket.destroy();
}

/** A closed connection leaves its pool, and an origin with no idle connection left leaves the pools. */
function unpark(conn: Connection): void {
  const idle = conn.pools.get(conn.origin);
  if (!idle) return;
  const at = idle.lastIndexOf(conn);
  if (at !== -1) idle.splice(at, 1);
  if (idle.length === 0) conn.pools.delete(conn.origin);
}

/** Idle connections per origin, over the pools shared by kind of policy (for tests and diagnostics). */
export function idleConnections(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const pools of sharedPools.values()) for (const [origin, idle] of pools) counts.set(origin, (counts.get(origin) ?? 0) + idle.length);
  return counts;
}

function lookupFor(policy: NetworkPolicy) {
  let lookup = lookups.get(policy);
  if (!lookup) lookups.set(policy, (lookup = createCheckedLookup(policy)));
  return lookup;
}

/** Sends `req` (a HEAD) and resolves with its answer's head and an empty body. `hostname`: the URL's, an IPv6 literal without brackets. */
export function sendHead(req: TransportRequest, hostname: string): Promise<TransportResponse> {
  return attempt(req, hostname, requestHead(req), poolsFor(req.policy), true);
}

/** `mayRetry`: the first attempt, which may take a pooled socket (and, if that one was stale, retry on a new one). */
function attempt(req: TransportRequest, hostname: string, head: string, pools: Pools, mayRetry: boolean): Promise<TransportResponse> {
  const origin = req.url.origin;
  const conn = mayRetry ? takeIdle(pools, origin) : undefined;
  const reused = conn !== undefined;
  const c = conn ?? connect(req.url, hostname, req.policy, pools, origin);
  const host = req.url.host;
  const { signal } = req;
  return new Promise<TransportResponse>((resolve, reject) => {
    let done = false;
    const finish: Waiter = (error, answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      c.waiter = undefined;
      if (error !== undefined || !answer) {
        c.socket.destroy();
        // The server closed a kept-alive socket as we wrote to it: once more, on a new one (the
        // pool's other idle sockets may have been closed alike, by a restart).
        if (reused && mayRetry && !c.answered && !(error instanceof UpstreamError && error.reason !== "reset"))
          return resolve(attempt(req, hostname, head, pools, false));
        return reject(toUpstreamError(host, error, req.timeoutMs));
      }
      if (answer.keepAlive && c.pending.length === 0 && !c.socket.destroyed) {
        c.answered = false;
        c.socket.unref();
        park(c);
      } else c.socket.destroy();
      resolve({ status: answer.status, headers: answer.headers, body: emptyBody(), url: req.url });
    };
    const timer = setTimeout(() => finish(timeoutError(host, req.timeoutMs)), req.timeoutMs);
    const onAbort = () => finish(aborted(host));
    signal?.addEventListener("abort", onAbort, { once: true });
    c.waiter = finish;
    c.socket.ref();
    c.socket.write(head, "latin1");
  });
}

function connect(url: URL, hostname: string, policy: NetworkPolicy, pools: Pools, origin: string): Connection {
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const lookup = lookupFor(policy);
  const socket =
    url.protocol === "https:"
      ? tls.connect({ host: hostname, port, lookup, servername: net.isIP(hostname) ? undefined : hostname, ...(policy.ca && { ca: policy.ca as string[] }) })
      : net.connect({ host: hostname, port, lookup });
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  socket.setTimeout(IDLE_MS);
  const conn: Connection = { socket, host: url.host, pending: "", answered: false, waiter: undefined, pools, origin };
  socket.on("data", (chunk: string) => {
    const waiter = conn.waiter;
    // Bytes nobody asked for: the connection can't be trusted with a request any more.
    if (!waiter) return void socket.destroy();
    conn.answered = true;
    conn.pending += chunk;
    for (;;) {
      const end = conn.pending.indexOf("\r\n\r\n");
      if ((end === -1 ? conn.pending.length : end) > MAX_HEAD_BYTES) return waiter(protocolError(conn.host, "an answer whose head is larger than 64 KiB"));
      if (end === -1) return;
      const text = conn.pending.slice(0, end);
      conn.pending = conn.pending.slice(end + 4);
      let head: Head;
      try {
        head = parseHead(text, conn.host);
      } catch (e) {
        return waiter(e);
      }
      // 1xx: an interim answer (100 Continue, 103 Early Hints), the final one follows.
      if (head.status < 200) {
        if (head.status === 101) return waiter(protocolError(conn.host, "a protocol switch nobody asked for"));
        continue;
      }
      return waiter(undefined, head);
    }
  });
  socket.on("error", (e) => conn.waiter?.(e));
  socket.on("close", () => {
    conn.waiter?.(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    unpark(conn);
  });
  // Idle past IDLE_MS; a request waiting for its answer has its own timer.
  socket.on("timeout", () => {
    if (!conn.waiter) socket.destroy();
  });
  return conn;
}

function requestHead(req: TransportRequest): string {
  const { url } = req;
  let head = `HEAD ${url.pathname}${url.search} HTTP/1.1\r\n`;
  let host = false;
  let authorization = false;
  for (const name in req.headers) {
    const value = req.headers[name]!;
    if (!isToken(name) || hasInvalidValueChar(value))
      throw new UpstreamError("protocol", url.host, `The request to ${url.host} was not sent: its ${isToken(name) ? name : "header name"} header holds an invalid character.`, { code: "ERR_INVALID_CHAR" });
    const lower = name.toLowerCase();
    if (lower === "host") host = true;
    else if (lower === "authorization") authorization = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!host) head += `host: ${url.host}\r\n`;
  // Userinfo in the URL, as node:http's `auth` option: Basic, unless the caller set its own.
  if (!authorization && (url.username || url.password))
    head += `authorization: Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}\r\n`;
  return `${head}\r\n`;
}

/** A HEAD answer's body: none. */
function emptyBody(): Readable {
  const body = new Readable({ read() {} });
  body.push(null);
  return body;
}
