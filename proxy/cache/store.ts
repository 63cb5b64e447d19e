import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import type { CacheAccess } from "@/lib/internal/contract";
import { discard } from "@/lib/oci/transport";

/**
 * The proxy cache's store: the blob API of a CNCF Distribution (docs/proxy-cache.md), reached at
 * the URL the portal's lookup answer names, with the bearer token the portal signed for exactly one
 * repository. Content only — blobs, and manifests stored as blobs under their own digest.
 *
 * The store is the operator's own service, so no SSRF policy applies to it; redirects (a cloud
 * storage driver's signed URLs) are followed once, without the token. Writes are a single
 * upload: `POST …/blobs/uploads/` then `PUT <location>?digest=…` with the body streamed, which
 * Distribution commits only when the bytes match the digest.
 */

export class StoreError extends Error {
  override name = "StoreError";
}

export interface StoredBlob {
  status: 200 | 206;
  size: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) };

export interface StoreOptions {
  timeoutMs?: number;
}

export class StoreClient {
  private readonly base: URL;
  private readonly timeoutMs: number;

  constructor(
    private readonly access: Pick<CacheAccess, "url" | "repository" | "token">,
    opts: StoreOptions = {},
  ) {
    this.base = new URL(access.url);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
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
      const timer = setTimeout(() => req.destroy(new StoreError(`the cache store did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.once("response", (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.once("error", (e) => {
        clearTimeout(timer);
        reject(e instanceof StoreError ? e : new StoreError(`the cache store at ${this.base.host} failed: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      });
      const body = opts.body;
      if (!body) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
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

  private url(path: string): URL {
    return new URL(`/v2/${this.access.repository}${path}`, this.base);
  }

  /** A copy's size, or null when the store has none in this repository. Throws StoreError when the store can't be asked. */
  async stat(digest: string, signal?: AbortSignal): Promise<number | null> {
    const res = await this.exchange("HEAD", this.url(`/blobs/${digest}`), {}, { ...(signal && { signal }) });
    discard(res);
    if (res.statusCode === 404) return null;
    if (res.statusCode !== 200 && res.statusCode !== 307) throw new StoreError(`the cache store answered HTTP ${res.statusCode} for a blob's size`);
    const size = Number(res.headers["content-length"]);
    return Number.isSafeInteger(size) ? size : null;
  }

  /** A copy as a stream (206 when `range` is given and honoured), or null when the store has none. */
  async open(digest: string, opts: { range?: string; signal?: AbortSignal } = {}): Promise<StoredBlob | null> {
    const headers: Record<string, string> = opts.range ? { range: opts.range } : {};
    let res = await this.exchange("GET", this.url(`/blobs/${digest}`), headers, { ...(opts.signal && { signal: opts.signal }) });
    if (res.statusCode === 307 || res.statusCode === 302) {
      const location = res.headers.location;
      discard(res);
      if (!location) throw new StoreError("the cache store redirected without a location");
      res = await this.exchange("GET", new URL(location, this.base), headers, { withToken: false, ...(opts.signal && { signal: opts.signal }) });
    }
    if (res.statusCode === 404) {
      discard(res);
      return null;
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      discard(res);
      throw new StoreError(`the cache store answered HTTP ${res.statusCode} for a blob`);
    }
    const size = Number(res.headers["content-length"]);
    return { status: res.statusCode, size: Number.isSafeInteger(size) ? size : -1, headers: res.headers, body: res };
  }

  /**
   * Stores `body` as the blob `digest`. Resolves when the store committed it (its digest checked);
   * rejects with StoreError when the store refused it (a digest mismatch among others) or failed.
   */
  async put(digest: string, body: Readable | Buffer, signal?: AbortSignal): Promise<void> {
    const start = await this.exchange("POST", this.url("/blobs/uploads/"), { "content-length": "0" }, { ...(signal && { signal }) });
    discard(start);
    const location = start.headers.location;
    if (start.statusCode !== 202 || !location) throw new StoreError(`the cache store refused an upload (HTTP ${start.statusCode})`);
    const target = new URL(location, this.base);
    target.searchParams.set("digest", digest);
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (Buffer.isBuffer(body)) headers["content-length"] = String(body.length);
    const done = await this.exchange("PUT", target, headers, { body, ...(signal && { signal }) });
    discard(done);
    if (done.statusCode !== 201) throw new StoreError(`the cache store did not commit ${digest} (HTTP ${done.statusCode})`);
  }

  /** Removes this repository's link to a copy (a corrupt one); 404 counts as done. */
  async remove(digest: string): Promise<void> {
    const res = await this.exchange("DELETE", this.url(`/blobs/${digest}`), {});
    discard(res);
    if (res.statusCode !== 202 && res.statusCode !== 404) throw new StoreError(`the cache store answered HTTP ${res.statusCode} to a delete`);
  }
}
