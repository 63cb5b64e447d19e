import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Readable } from "node:stream";
import { type Head, MAX_HEAD_BYTES, parseHead } from "./http-head";
import type { StoreFiles } from "./store-files";
import { discard } from "./transport";

/**
 * The blob API of a CNCF Distribution, for one repository with a bearer token: the proxy cache's
 * store (docs/proxy-cache.md), which the proxy reads and fills with the token the portal signed
 * for it (in lookup answers) and the portal unlinks evicted copies from (lib/cache/store.ts).
 * Content only — blobs, and manifests stored as blobs under their own digest. Framework-free, on
 * node:http with keep-alive connections.
 *
 * The store is the operator's own service, so no SSRF policy applies to it; redirects (a cloud
 * storage driver's signed URLs) are followed once, without the token. Writes are a single
 * upload: `POST …/blobs/uploads/` then `PUT <location>?digest=…` with the body streamed, which
 * Distribution commits only when the bytes match the digest.
 */

/**
 * The store answered `status`, or could not be asked at all (`status` undefined; `unreachable`
 * says why: an error code, or no answer in time).
 */
export class StoreError extends Error {
  override name = "StoreError";
  constructor(
    message: string,
    readonly status?: number,
    readonly unreachable?: string,
  ) {
    super(message);
  }
}

/** Where and as whom: the store's base URL, one repository, the bearer token for it. */
export interface BlobStoreAccess {
  url: string;
  repository: string;
  token: string;
}

export interface StoredBlob {
  status: 200 | 206;
  /** Where it was read: off the store's disk (`files`), or through the store's HTTP API. */
  from: "disk" | "api";
  size: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
}

/** A bearer token's characters (RFC 6750 b64token): what a direct read writes into its request as is. */
const TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/]+=*$/;

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) };

export interface StoreOptions {
  timeoutMs?: number;
  /** The store's disk, when this process can read it (store-files.ts): whole copies are read off it, and only what it lacks is asked for over HTTP. */
  files?: StoreFiles;
}

export class StoreClient {
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly files: StoreFiles | undefined;

  constructor(
    private readonly access: BlobStoreAccess,
    opts: StoreOptions = {},
  ) {
    this.base = new URL(access.url);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.files = opts.files;
  }

  get repository(): string {
    return this.access.repository;
  }

  private exchange(method: string, url: URL, headers: Record<string, string>, opts: { body?: Readable | Buffer; signal?: AbortSignal; withToken?: boolean } = {}): Promise<http.IncomingMessage> {
    const lib = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, {
        method,
        agent: url.protocol === "https:" ? agents.https : agents.http,
        headers: { ...(opts.withToken !== false && { authorization: `Bearer ${this.access.token}` }), "user-agent": "portcullis-proxy-cache", ...headers },
        ...(opts.signal && { signal: opts.signal }),
      });
      const timer = setTimeout(() => req.destroy(new StoreError(`the cache store did not answer within ${this.timeoutMs} ms`, undefined, `no answer within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
      req.once("response", (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.once("error", (e) => {
        clearTimeout(timer);
        const why = (e as NodeJS.ErrnoException).code ?? e.message;
        reject(e instanceof StoreError ? e : new StoreError(`the cache store at ${this.base.host} failed: ${why}`, undefined, why));
      });
      const body = opts.body;
      if (!body) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        // A stream longer than the Content-Length it was sent with fails instead of running into the connection's next request.
        if (headers["content-length"] !== undefined) (req as http.ClientRequest & { strictContentLength: boolean }).strictContentLength = true;
        body.once("error", (e) => req.destroy(e));
        body.pipe(req);
      }
      // The upload's body can take far longer than the answer's headers: the timer covers the headers only once the body is sent.
      if (body && !Buffer.isBuffer(body)) {
        clearTimeout(timer);
        req.once("finish", () => timer.refresh());
      }
    });
  }

  /**
   * A whole blob's GET on a connection of its own whose body is the socket itself: Node's HTTP
   * client allocates a buffer for every chunk of a body and copies the chunk into it out of the
   * socket's read, which for a large blob costs the proxy more than anything but hashing it. Plain
   * http: only, Connection: close; the answer's head is read strictly (http-head.ts), its body is
   * the socket's reads from then on, paused (`resume()` or async iteration starts it). An answer
   * without a Content-Length, or chunked, comes back as null: ask again with `exchange`.
   */
  private directGet(url: URL, signal?: AbortSignal): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Readable } | null> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(url.port || 80) });
      let head: Buffer = Buffer.alloc(0);
      let settled = false;
      const done = (e: Error | null, answer?: { status: number; headers: http.IncomingHttpHeaders; body: Readable } | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        socket.off("data", onData);
        if (e) {
          socket.destroy();
          const why = (e as NodeJS.ErrnoException).code ?? e.message;
          reject(e instanceof StoreError ? e : new StoreError(`the cache store at ${this.base.host} failed: ${why}`, undefined, why));
        } else resolve(answer!);
      };
      const timer = setTimeout(() => done(new StoreError(`the cache store did not answer within ${this.timeoutMs} ms`, undefined, `no answer within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
      const onAbort = () => done(new StoreError("the read from the cache store was cancelled", undefined, "cancelled"));
      signal?.addEventListener("abort", onAbort, { once: true });
      const onData = (chunk: Buffer) => {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        for (;;) {
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) {
            if (head.length > MAX_HEAD_BYTES) done(new StoreError("the cache store's answer has too large a head", undefined, "protocol"));
            return;
          }
          let answer: Head;
          try {
            answer = parseHead(head.subarray(0, end).toString("latin1"), this.base.host);
          } catch (e) {
            return done(new StoreError(`the cache store's answer is not well-formed HTTP/1.1: ${(e as Error).message}`, undefined, "protocol"));
          }
          head = head.subarray(end + 4);
          // 1xx: an interim answer, the final one follows.
          if (answer.status < 200) continue;
          const length = Number(answer.headers["content-length"]);
          if (answer.headers["transfer-encoding"] !== undefined || !Number.isSafeInteger(length)) {
            socket.destroy();
            return done(null, null);
          }
          socket.pause();
          if (head.length > 0) socket.unshift(head);
          return done(null, { status: answer.status, headers: answer.headers, body: socket });
        }
      };
      socket.on("data", onData);
      socket.once("error", (e) => done(e));
      socket.once("close", () => done(new StoreError(`the cache store at ${this.base.host} closed the connection`, undefined, "closed")));
      const path = `${url.pathname}${url.search}`;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${this.access.token}\r\nUser-Agent: portcullis-proxy-cache\r\nConnection: close\r\n\r\n`);
    });
  }

  private url(path: string): URL {
    return new URL(`/v2/${this.access.repository}${path}`, this.base);
  }

  /** A copy's size, or null when the store has none in this repository. Throws StoreError when the store can't be asked. */
  async stat(digest: string, signal?: AbortSignal): Promise<number | null> {
    const onDisk = await this.files?.stat(this.access.repository, digest);
    if (onDisk != null) return onDisk;
    const res = await this.exchange("HEAD", this.url(`/blobs/${digest}`), {}, { ...(signal && { signal }) });
    discard(res);
    if (res.statusCode === 404) return null;
    if (res.statusCode !== 200 && res.statusCode !== 307) throw new StoreError(`the cache store answered HTTP ${res.statusCode} for a blob's size`, res.statusCode);
    const size = Number(res.headers["content-length"]);
    return Number.isSafeInteger(size) ? size : null;
  }

  /**
   * A copy as a stream (206 when `range` is given and honoured), or null when the store has none.
   * `direct`: the whole blob, likely large, is read off a socket of its own where that can be done
   * (`directGet`); small reads (manifests) keep the agent's connections. A whole copy on the
   * store's disk, when it was given one (`files`), is read from there.
   */
  async open(digest: string, opts: { range?: string; signal?: AbortSignal; direct?: boolean } = {}): Promise<StoredBlob | null> {
    if (this.files && !opts.range) {
      const onDisk = await this.files.open(this.access.repository, digest);
      if (onDisk) return { status: 200, from: "disk", size: onDisk.size, headers: { "content-length": String(onDisk.size) }, body: onDisk.body };
    }
    const headers: Record<string, string> = opts.range ? { range: opts.range } : {};
    const url = this.url(`/blobs/${digest}`);
    let res: { statusCode?: number; headers: http.IncomingHttpHeaders; body: Readable } | null = null;
    // The request is written by hand there: only with a token that can't break out of its header line (node:http would refuse one that could).
    if (opts.direct && !opts.range && url.protocol === "http:" && TOKEN_SYNTAX.test(this.access.token)) {
      const direct = await this.directGet(url, opts.signal);
      if (direct) res = { statusCode: direct.status, headers: direct.headers, body: direct.body };
    }
    if (!res) {
      const answer = await this.exchange("GET", url, headers, { ...(opts.signal && { signal: opts.signal }) });
      res = { statusCode: answer.statusCode, headers: answer.headers, body: answer };
    }
    if (res.statusCode === 307 || res.statusCode === 302) {
      const location = res.headers.location;
      discard(res.body);
      if (!location) throw new StoreError("the cache store redirected without a location", res.statusCode);
      const answer = await this.exchange("GET", new URL(location, this.base), headers, { withToken: false, ...(opts.signal && { signal: opts.signal }) });
      res = { statusCode: answer.statusCode, headers: answer.headers, body: answer };
    }
    if (res.statusCode === 404) {
      discard(res.body);
      return null;
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      discard(res.body);
      throw new StoreError(`the cache store answered HTTP ${res.statusCode} for a blob`, res.statusCode);
    }
    const size = Number(res.headers["content-length"]);
    return { status: res.statusCode, from: "api", size: Number.isSafeInteger(size) ? size : -1, headers: res.headers, body: res.body };
  }

  /**
   * Stores `body` as the blob `digest`. Resolves when the store committed it (its digest checked);
   * rejects with StoreError when the store refused it (a digest mismatch among others) or failed.
   * A stream whose `size` is known is sent with a Content-Length rather than chunked (less framing
   * per write on both sides); one that ends short of it fails the upload.
   */
  async put(digest: string, body: Readable | Buffer, opts: { size?: number; signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = opts;
    const start = await this.exchange("POST", this.url("/blobs/uploads/"), { "content-length": "0" }, { ...(signal && { signal }) });
    discard(start);
    const location = start.headers.location;
    if (start.statusCode !== 202 || !location) throw new StoreError(`the cache store refused an upload (HTTP ${start.statusCode})`, start.statusCode);
    const target = new URL(location, this.base);
    target.searchParams.set("digest", digest);
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (Buffer.isBuffer(body)) headers["content-length"] = String(body.length);
    else if (opts.size !== undefined) headers["content-length"] = String(opts.size);
    const done = await this.exchange("PUT", target, headers, { body, ...(signal && { signal }) });
    discard(done);
    if (done.statusCode !== 201) throw new StoreError(`the cache store did not commit ${digest} (HTTP ${done.statusCode})`, done.statusCode);
  }

  /** Removes this repository's link to a copy (a corrupt, evicted or purged one); 404 counts as done. */
  async remove(digest: string): Promise<void> {
    const res = await this.exchange("DELETE", this.url(`/blobs/${digest}`), {});
    discard(res);
    const status = res.statusCode ?? 0;
    if ((status < 200 || status > 299) && status !== 404) throw new StoreError(`the cache store answered HTTP ${res.statusCode} to a delete`, status);
  }
}
