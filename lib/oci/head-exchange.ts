import type http from "node:http";
import net from "node:net";
import { Readable } from "node:stream";
import tls from "node:tls";
import { createCheckedLookup } from "./address";
import { UpstreamError } from "./errors";
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
 * (most recently used first, idle ones closed after IDLE_MS and never keeping the process alive).
 */

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_IDLE_PER_ORIGIN = 64;
/** Below the 5 s keep-alive timeout of Node's own servers, the shortest in common use. */
const IDLE_MS = 4_000;

interface Head {
  status: number;
  headers: http.IncomingHttpHeaders;
  keepAlive: boolean;
}

type Waiter = (error: unknown, head?: Head) => void;

interface Connection {
  socket: net.Socket;
  host: string;
  /** Received and not yet read (latin1, one char per byte). */
  pending: string;
  /** Whether any byte arrived since the current request was written. */
  answered: boolean;
  waiter: Waiter | undefined;
}

type Pools = Map<string, Connection[]>;
const sharedPools = new Map<string, Pools>();
const policyPools = new WeakMap<NetworkPolicy, Pools>();
const lookups = new WeakMap<NetworkPolicy, ReturnType<typeof createCheckedLookup>>();

/** The pool for a URL's origin: shared per kind of policy, or the policy's own when it injects DNS or CAs (as node:http's agents). */
function poolFor(url: URL, policy: NetworkPolicy): Connection[] {
  let pools: Pools | undefined;
  if (policy.resolve || policy.ca) {
    pools = policyPools.get(policy);
    if (!pools) policyPools.set(policy, (pools = new Map()));
  } else {
    const kind = policy.allowPrivate ? "private" : "public";
    pools = sharedPools.get(kind);
    if (!pools) sharedPools.set(kind, (pools = new Map()));
  }
  const origin = url.origin;
  let pool = pools.get(origin);
  if (!pool) pools.set(origin, (pool = []));
  return pool;
}

function lookupFor(policy: NetworkPolicy) {
  let lookup = lookups.get(policy);
  if (!lookup) lookups.set(policy, (lookup = createCheckedLookup(policy)));
  return lookup;
}

/** Sends `req` (a HEAD) and resolves with its answer's head and an empty body. `hostname`: the URL's, an IPv6 literal without brackets. */
export function sendHead(req: TransportRequest, hostname: string): Promise<TransportResponse> {
  return attempt(req, hostname, requestHead(req), poolFor(req.url, req.policy), true);
}

/** `mayRetry`: the first attempt, which may take a pooled socket (and, if that one was stale, retry on a new one). */
function attempt(req: TransportRequest, hostname: string, head: string, pool: Connection[], mayRetry: boolean): Promise<TransportResponse> {
  let conn = mayRetry ? pool.pop() : undefined;
  while (conn && conn.socket.destroyed) conn = pool.pop();
  const reused = conn !== undefined;
  const c = conn ?? connect(req.url, hostname, req.policy);
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
          return resolve(attempt(req, hostname, head, pool, false));
        return reject(toUpstreamError(host, error, req.timeoutMs));
      }
      if (answer.keepAlive && c.pending.length === 0 && !c.socket.destroyed && pool.length < MAX_IDLE_PER_ORIGIN) {
        c.answered = false;
        c.socket.unref();
        pool.push(c);
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

function connect(url: URL, hostname: string, policy: NetworkPolicy): Connection {
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const lookup = lookupFor(policy);
  const socket =
    url.protocol === "https:"
      ? tls.connect({ host: hostname, port, lookup, servername: net.isIP(hostname) ? undefined : hostname, ...(policy.ca && { ca: policy.ca as string[] }) })
      : net.connect({ host: hostname, port, lookup });
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  socket.setTimeout(IDLE_MS);
  const conn: Connection = { socket, host: url.host, pending: "", answered: false, waiter: undefined };
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
  socket.on("close", () => conn.waiter?.(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })));
  // Idle past IDLE_MS; a request waiting for its answer has its own timer.
  socket.on("timeout", () => {
    if (!conn.waiter) socket.destroy();
  });
  return conn;
}

// RFC 9110 §5.6.2 token; field values: any visible character, space or tab (what node:http accepts).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function requestHead(req: TransportRequest): string {
  const { url } = req;
  let head = `HEAD ${url.pathname}${url.search} HTTP/1.1\r\n`;
  let host = false;
  let authorization = false;
  for (const name in req.headers) {
    const value = req.headers[name]!;
    if (!TOKEN.test(name) || INVALID_VALUE.test(value))
      throw new UpstreamError("protocol", url.host, `The request to ${url.host} was not sent: its ${TOKEN.test(name) ? name : "header name"} header holds an invalid character.`, { code: "ERR_INVALID_CHAR" });
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

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\x00-\x08\x0a-\x1f\x7f]*)?$/;
// node:http keeps the first of these when an answer repeats them, and joins others with ", ".
const FIRST_WINS = new Set(["age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host", "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards", "proxy-authorization", "referer", "retry-after", "server", "user-agent"]);

/** An answer's head (without its blank line) as node:http reads it; throws a protocol UpstreamError on anything malformed. */
export function parseHead(text: string, host: string): Head {
  const lines = text.split("\r\n");
  const status = STATUS_LINE.exec(lines[0]!);
  if (!status) throw protocolError(host, "a malformed status line");
  const headers: http.IncomingHttpHeaders = Object.create(null) as http.IncomingHttpHeaders;
  let connection = "";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!TOKEN.test(name)) throw protocolError(host, "a malformed header line");
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (INVALID_VALUE.test(value)) throw protocolError(host, `an invalid character in its ${name} header`);
    const key = name.toLowerCase();
    const seen = headers[key];
    if (key === "set-cookie") headers["set-cookie"] = [...(headers["set-cookie"] ?? []), value];
    else if (seen === undefined) headers[key] = value;
    else if (!FIRST_WINS.has(key)) headers[key] = `${seen as string}, ${value}`;
    if (key === "connection") connection += `,${value.toLowerCase()}`;
  }
  const keepAlive = status[1] === "1" && !/(^|,)\s*close\s*(,|$)/.test(connection);
  return { status: Number(status[2]), headers, keepAlive };
}

const protocolError = (host: string, what: string, code = "HPE_INVALID") =>
  new UpstreamError("protocol", host, `${host} sent ${what}.`, { code });

/** A HEAD answer's body: none. */
function emptyBody(): Readable {
  const body = new Readable({ read() {} });
  body.push(null);
  return body;
}
