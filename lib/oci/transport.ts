import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Readable } from "node:stream";
import { assertPublicAddress, createCheckedLookup, type ResolveFn } from "./address";
import { UpstreamError } from "./errors";
import { sendHead } from "./head-exchange";
import { aborted, timeoutError, toUpstreamError } from "./transport-errors";

export { toUpstreamError };

/**
 * One HTTP exchange with an upstream, on node:http(s) rather than fetch: Node 20's fetch can't
 * take a custom DNS lookup without the `undici` package, and the SSRF rule needs the socket to
 * connect to the very address we checked (createCheckedLookup). node:http also gives native
 * backpressure for multi-GiB blobs and raw error codes (ECONNREFUSED, CERT_HAS_EXPIRED…) for the
 * connection test. No redirects are followed here; the client decides what crosses hosts.
 */

export interface NetworkPolicy {
  allowPrivate?: boolean;
  /** Injected DNS (tests); when set, sockets are not pooled. */
  resolve?: ResolveFn;
  /** Extra CA certificates (PEM), e.g. a test registry's self-signed certificate. */
  ca?: string | readonly string[];
}

export interface TransportRequest {
  url: URL;
  method: "GET" | "HEAD";
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** Until the response headers arrive. */
  timeoutMs: number;
  /** Socket inactivity while the body streams. */
  idleTimeoutMs: number;
  policy: NetworkPolicy;
}

export interface TransportResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The live body: consume it or destroy it, or the socket is never returned to the pool. */
  body: Readable;
  url: URL;
}

// Pooled keep-alive sockets, one pool per policy, so a socket opened under a lenient policy is
// never reused under a strict one.
const agents = new Map<string, http.Agent>();
function agentFor(url: URL, policy: NetworkPolicy): http.Agent {
  const secure = url.protocol === "https:";
  if (policy.resolve || policy.ca) {
    const lookup = createCheckedLookup(policy);
    return secure ? new https.Agent({ keepAlive: false, lookup, ca: policy.ca as string[] | undefined }) : new http.Agent({ keepAlive: false, lookup });
  }
  const key = secure ? (policy.allowPrivate ? "https:private" : "https:public") : policy.allowPrivate ? "http:private" : "http:public";
  let agent = agents.get(key);
  if (!agent) {
    const opts = { keepAlive: true, keepAliveMsecs: 15_000, maxFreeSockets: 64, scheduling: "lifo" as const, lookup: createCheckedLookup(policy) };
    agent = secure ? new https.Agent(opts) : new http.Agent(opts);
    agents.set(key, agent);
  }
  return agent;
}

// IP literals that passed the address check, per policy object (a policy is fixed for its client's life).
const literalsChecked = new WeakMap<NetworkPolicy, Set<string>>();
const allowedLiterals = (policy: NetworkPolicy): Set<string> => {
  let set = literalsChecked.get(policy);
  if (!set) literalsChecked.set(policy, (set = new Set()));
  return set;
};
const remember = (set: Set<string>, literal: string) => {
  if (set.size >= 64) set.clear();
  set.add(literal);
};

export async function send(req: TransportRequest): Promise<TransportResponse> {
  const { url } = req;
  const host = url.host;
  if (req.signal?.aborted) throw aborted(host);
  // IP literals skip the socket's lookup, so check them here; names are checked at connect time.
  // The verdict on a literal depends on nothing but the literal and the policy: once per pair.
  const bracketed = url.hostname;
  const hostname = bracketed.charCodeAt(0) === 0x5b /* [ */ ? bracketed.slice(1, -1) : bracketed;
  if (net.isIP(hostname) && !allowedLiterals(req.policy).has(hostname)) {
    await assertPublicAddress(hostname, req.policy);
    remember(allowedLiterals(req.policy), hostname);
  }
  // A HEAD is only a head: on sockets of its own, without node:http's client (head-exchange.ts).
  if (req.method === "HEAD") return sendHead(req, hostname);

  return new Promise<TransportResponse>((resolve, reject) => {
    const lib = url.protocol === "https:" ? https : http;
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(toUpstreamError(host, e, req.timeoutMs));
    };
    const request = lib.request(requestOptions(url, hostname, req, agentFor(url, req.policy)));
    // The signal aborts the request, and the body while it streams: one listener for the
    // request's life (Node's `signal` option costs an end-of-stream watcher on every request).
    const { signal } = req;
    if (signal) {
      const onAbort = () => request.destroy(aborted(host));
      signal.addEventListener("abort", onAbort, { once: true });
      request.once("close", () => signal.removeEventListener("abort", onAbort));
    }
    const timer = setTimeout(() => request.destroy(timeoutError(host, req.timeoutMs)), req.timeoutMs);
    request.setTimeout(req.idleTimeoutMs, () => request.destroy(timeoutError(host, req.idleTimeoutMs)));
    request.on("error", fail);
    request.on("response", (res) => {
      settled = true;
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url });
    });
    request.end();
  });
}

/**
 * The URL as node:http's request options, as `http.request(url, …)` would read it (userinfo as
 * `auth`; no fragment) — without its serializing the whole URL and merging two option objects on
 * every request. `hostname`: the URL's, an IPv6 literal without its brackets. The headers go as
 * one list with the Host header node:http would add (`url.host`: the port only when it isn't the
 * scheme's): given an object, node:http sets them one by one into a dictionary of its own on
 * every request. A URL with userinfo keeps the object, for node:http to turn `auth` into the
 * Authorization header.
 */
export function requestOptions(url: URL, hostname: string, req: Pick<TransportRequest, "method" | "headers">, agent: http.Agent): http.RequestOptions {
  // One shape for every request (node:http reads an undefined port or auth as absent).
  const { port, username, password } = url;
  return {
    protocol: url.protocol,
    hostname,
    port: port ? Number(port) : undefined,
    path: url.pathname + url.search,
    auth: username || password ? `${decodeURIComponent(username)}:${decodeURIComponent(password)}` : undefined,
    method: req.method,
    headers: username || password ? req.headers : headerList(req.headers, url.host),
    agent,
  };
}

function headerList(headers: Record<string, string>, host: string): string[] {
  const list: string[] = [];
  for (const name in headers) list.push(name, headers[name]!);
  if (!Object.hasOwn(headers, "host")) list.push("host", host);
  return list;
}

/** Reads a small body (manifests, tokens, errors) with a size cap, so a hostile peer can't fill memory. */
export async function readLimited(body: Readable, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      body.destroy();
      throw new UpstreamError("protocol", "", `the response is larger than ${limitBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Drop a body we don't need; small ones are read so the socket can be reused. */
export function discard(body: Readable): void {
  body.on("error", () => {});
  body.resume();
}
