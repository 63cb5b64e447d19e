import crypto from "node:crypto";
import type http from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { CacheAccess } from "@/lib/internal/contract";
import { UpstreamError } from "@/lib/oci/errors";
import { isValidDigest, parseDigest } from "@/lib/oci/names";
import type { ProxyRequestPath } from "@/lib/oci/proxy-path";
import type { RegistryClient, UpstreamResponse } from "@/lib/oci/registry-client";
import { StoreClient, StoreError } from "@/lib/oci/blob-store";
import type { StoreFiles } from "@/lib/oci/store-files";
import { discard, readLimited } from "@/lib/oci/transport";
import { LruMap } from "@/lib/lru-map";
import type { ProxyMetrics } from "@/proxy/metrics";
import { API_VERSION_HEADER, sendOciError } from "@/proxy/oci-response";
import type { PortalClient } from "@/proxy/portal-client";
import type { RequestContext } from "@/proxy/request-context";
import { upstreamStatusAnswer } from "@/proxy/upstream-answers";
import type { UpstreamRegistry } from "@/proxy/upstream-pool";
import { DigestMismatchError, sendAsIs, sendVerified, StreamBrokenError } from "@/proxy/verify-digest";
import { youngGc } from "@/proxy/young-gc";
import { accepts, manifestMediaType } from "./media-type";
import type { CacheReporter } from "./reporter";
import { Fill } from "./spool";

/**
 * The proxy as a cache (docs/proxy-cache.md). Called after the license gate, for the manifest and
 * blob routes of a registry whose lookup answer names a store; answers the request, or returns
 * false for the caller to relay it uncached (the store unreachable, a range of a blob not in the
 * store, a copy found corrupt, a manifest the client's Accept does not take).
 *
 * - By digest: the store's copy, verified on the way; a miss starts one fill (spool.ts) that every
 *   concurrent request for the same digest follows and that is uploaded to the store while it
 *   streams, committed only once verified.
 * - By tag: confirmed upstream with a manifest HEAD at most every `tagTtlMs`, then served by digest;
 *   when the upstream fails (unreachable, 429, 5xx), the last digest confirmed within the
 *   registry's stale bound, from this proxy's memory or the portal's record.
 */
export interface ProxyCacheOptions {
  spoolDir: string;
  tagTtlMs: number;
  now: () => number;
  reporter: CacheReporter;
  portal: Pick<PortalClient, "lastSeenTag">;
  metrics: ProxyMetrics;
  storeTimeoutMs?: number;
  /** PROXY_CACHE_STORE_DIR: the store's disk, read directly for whole copies (lib/oci/store-files.ts). */
  storeFiles?: StoreFiles;
}

export interface CacheRequest {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  ctx: RequestContext;
  client: RegistryClient;
  registry: UpstreamRegistry;
  cache: CacheAccess;
  path: ProxyRequestPath;
  /** Aborted when the client leaves before its answer is finished. */
  signal: AbortSignal;
}

/** Blobs up to this size are read whole and checked before a byte is sent: a corrupt one is fetched from the upstream instead, in the same request. */
const VERIFY_BEFORE_SENDING = 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_TAGS_REMEMBERED = 10_000;
/** A read from the store in progress reminds the portal it is in use (its eviction leaves copies used in the last two minutes alone). */
const USED_REMINDER_MS = 30_000;
const RANGE_SYNTAX = /^bytes=(?:\d+-\d*|-\d+)$/;
const BLOB_HEADERS = ["content-length", "content-range", "accept-ranges", "etag", "last-modified"];

interface TagMemo {
  digest: string;
  mediaType: string;
  confirmedAt: number;
}

type FillHead = { ok: true; size: number | undefined } | { ok: false; up: UpstreamResponse };

interface FillJob {
  fill: Fill;
  head: Promise<FillHead>;
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);
const isJson = (contentType: string | undefined) => !!contentType && /json/i.test(contentType);
const sha = (digest: string, bytes: Buffer) => {
  const { algorithm, hex } = parseDigest(digest);
  return crypto.createHash(algorithm).update(bytes).digest("hex") === hex.toLowerCase();
};
/** Failures that stale-if-error covers: the upstream unreachable, rate-limiting or failing — not a refusal of the credentials or a missing tag. */
const isUpstreamTrouble = (status: number) => status === 429 || status >= 500;

export class ProxyCache {
  private readonly fills = new Map<string, FillJob>();
  /** Each tag's last confirmed digest, the least recently asked-for forgotten first. */
  private readonly tags = new LruMap<string, TagMemo>(MAX_TAGS_REMEMBERED);
  private readonly quarantined = new Set<string>();
  private readonly stores = new WeakMap<CacheAccess, StoreClient>();

  constructor(private readonly opts: ProxyCacheOptions) {}

  /** Copies being fetched from upstreams right now. */
  get filling(): number {
    return this.fills.size;
  }

  private store(cache: CacheAccess): StoreClient {
    let s = this.stores.get(cache);
    if (!s) this.stores.set(cache, (s = new StoreClient(cache, { ...(this.opts.storeTimeoutMs && { timeoutMs: this.opts.storeTimeoutMs }), ...(this.opts.storeFiles && { files: this.opts.storeFiles }) })));
    return s;
  }

  async serve(r: CacheRequest): Promise<boolean> {
    const { path, ctx } = r;
    if (ctx.method !== "GET" && ctx.method !== "HEAD") return false;
    try {
      if (path.kind === "blobs") return await this.blob(r, path.reference!);
      if (path.kind === "manifests") {
        const reference = path.reference!;
        return isValidDigest(reference) ? await this.manifestByDigest(r, reference) : await this.manifestByTag(r, reference);
      }
      return false;
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      this.opts.metrics.cacheErrors.inc({ operation: "read" });
      if (r.res.headersSent) {
        this.storeBroke(r, e.message);
        r.res.destroy();
        return true;
      }
      ctx.error = e.message;
      return this.bypass(r);
    }
  }

  private bypass(r: CacheRequest): false {
    this.opts.metrics.cacheRequests.inc({ result: "bypass" });
    delete r.ctx.store;
    return false;
  }

  private key(cache: CacheAccess, digest: string): string {
    return `${cache.url}|${cache.repository}|${digest}`;
  }

  private result(r: CacheRequest, result: "hit" | "miss" | "stale"): void {
    r.ctx.store = result;
    this.opts.metrics.cacheRequests.inc({ result });
    this.opts.reporter.count(r.registry.id, { hits: result === "hit" ? 1 : 0, misses: result === "miss" ? 1 : 0, stale: result === "stale" ? 1 : 0 });
  }

  private countBytes(r: CacheRequest, source: "cache" | "upstream", n: number): void {
    if (n <= 0) return;
    this.opts.metrics.cacheBytes.inc({ source }, n);
    this.opts.reporter.count(r.registry.id, source === "cache" ? { cacheBytes: n } : { upstreamBytes: n });
  }

  /** The store failed while its copy streamed to the client: the transfer is cut, and the store, not the upstream or the client, broke it. */
  private storeBroke(r: CacheRequest, error: string): void {
    r.ctx.broken = true;
    r.ctx.reason = "cache_failed";
    r.ctx.error ??= error;
  }

  private corrupt(r: CacheRequest, digest: string): void {
    this.quarantined.add(this.key(r.cache, digest));
    this.opts.metrics.cacheErrors.inc({ operation: "corrupt" });
    this.opts.reporter.corrupt(r.registry.id, r.registry.repository, digest);
    r.ctx.error = `the cache's copy of ${digest} failed its digest; fetched from the upstream instead`;
  }

  // ---- blobs -------------------------------------------------------------------------------

  private async blob(r: CacheRequest, digest: string): Promise<boolean> {
    const { ctx, cache } = r;
    const key = this.key(cache, digest);
    if (this.quarantined.has(key)) return this.bypass(r);
    const store = this.store(cache);
    const range = headerValue(r.req.headers.range);
    if (range !== undefined) {
      // Ranges come from the store when it has the blob; otherwise the upstream answers them, uncached.
      if (!RANGE_SYNTAX.test(range)) return this.bypass(r);
      const stored = ctx.method === "GET" ? await store.open(digest, { range }) : null;
      if (!stored) return this.bypass(r);
      this.opts.metrics.cacheStoreReads.inc({ via: stored.from });
      this.result(r, "hit");
      await this.sendStream(r, digest, stored.status, stored.headers, stored.body, false);
      return true;
    }
    if (ctx.method === "HEAD") {
      const size = await store.stat(digest);
      if (size === null) return this.bypass(r);
      this.result(r, "hit");
      this.blobHeaders(r.res, digest, { "content-length": String(size) });
      r.res.writeHead(200).end();
      return true;
    }

    const running = this.fills.get(key);
    if (running) return this.fromFill(r, running, "hit");
    const stored = await store.open(digest, { direct: true });
    if (stored) {
      this.opts.metrics.cacheStoreReads.inc({ via: stored.from });
      if (await this.sendStored(r, digest, stored)) return true;
      return this.bypass(r); // corrupt, and nothing sent yet: the upstream answers
    }
    return this.fromFill(r, this.fills.get(key) ?? this.startFill(r, key, digest), "miss");
  }

  private blobHeaders(res: http.ServerResponse, digest: string, extra: http.OutgoingHttpHeaders): void {
    res.setHeader("content-type", "application/octet-stream");
    res.setHeader("docker-content-digest", digest);
    for (const [h, v] of Object.entries(API_VERSION_HEADER)) res.setHeader(h, v);
    for (const [h, v] of Object.entries(extra)) if (v !== undefined) res.setHeader(h, v);
  }

  /** The store's copy to the client; false when it failed its digest before anything was sent. */
  private async sendStored(r: CacheRequest, digest: string, stored: { status: number; size: number; headers: http.IncomingHttpHeaders; body: Readable }): Promise<boolean> {
    this.opts.reporter.used(r.registry.id, r.registry.repository, digest);
    if (stored.size >= 0 && stored.size <= VERIFY_BEFORE_SENDING) {
      const bytes = await readLimited(stored.body, VERIFY_BEFORE_SENDING).catch(() => null);
      if (!bytes || !sha(digest, bytes)) {
        this.corrupt(r, digest);
        return false;
      }
      this.result(r, "hit");
      this.blobHeaders(r.res, digest, { "content-length": String(bytes.length) });
      r.res.writeHead(200).end(bytes);
      r.ctx.bytes += bytes.length;
      this.countBytes(r, "cache", bytes.length);
      return true;
    }
    this.result(r, "hit");
    await this.sendStream(r, digest, 200, stored.headers, stored.body, true);
    return true;
  }

  /** A stream from the store, verified on the way when it is the whole blob (its last chunk held back until it matched). */
  private async sendStream(r: CacheRequest, digest: string, status: number, headers: http.IncomingHttpHeaders, body: Readable, verify: boolean): Promise<void> {
    const { res, ctx } = r;
    const extra: http.OutgoingHttpHeaders = {};
    for (const h of BLOB_HEADERS) if (headers[h] !== undefined) extra[h] = headers[h];
    this.blobHeaders(res, digest, extra);
    res.statusCode = status;
    if (!verify) res.writeHead(status);
    const reminder = setInterval(() => this.opts.reporter.used(r.registry.id, r.registry.repository, digest, true), USED_REMINDER_MS);
    reminder.unref();
    const counted = (bytes: number) => {
      ctx.bytes += bytes;
      youngGc.streamed(bytes);
    };
    const streaming = youngGc.begin();
    try {
      if (verify) await sendVerified(body, res, digest, { onChunk: counted, ...(Number(headers["content-length"]) >= 0 && { size: Number(headers["content-length"]) }) });
      else await sendAsIs(body, res, r.signal, counted);
    } catch (e) {
      // Both streams are destroyed: the client sees a broken transfer, never a clean short one.
      if (e instanceof DigestMismatchError) {
        this.corrupt(r, digest);
        ctx.broken = true;
      } else if (e instanceof StreamBrokenError && e.side === "receiver") ctx.error = "client disconnected";
      else this.storeBroke(r, `cache store stream failed: ${(e instanceof StreamBrokenError ? e.cause : (e as Error)).message}`);
    } finally {
      streaming();
      clearInterval(reminder);
      this.countBytes(r, "cache", ctx.bytes);
    }
  }

  private startFill(r: CacheRequest, key: string, digest: string): FillJob {
    const { client, registry, cache } = r;
    const fill = new Fill(digest, this.opts.spoolDir);
    const done = () => {
      if (this.fills.get(key) === job) this.fills.delete(key);
      fill.release();
    };
    const head: Promise<FillHead> = (async () => {
      // Not the client's signal: the fill goes on when the client that started it leaves, for the others and the store.
      const up = await client.getBlob(registry.repository, digest, { method: "GET" });
      if (up.status !== 200) return { ok: false, up } as const;
      const length = Number(up.headers["content-length"]);
      const size = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
      const running = fill.run(up.body);
      const upload = this.store(cache)
        .put(digest, fill.reader(), { ...(size !== undefined && { size }) })
        .then(
          () => this.opts.reporter.stored(registry.id, registry.repository, digest, fill.written),
          () => {
            if (fill.state === "done") this.opts.metrics.cacheErrors.inc({ operation: "write" });
          },
        );
      void running.then(() => {
        this.countBytes(r, "upstream", fill.written);
        if (fill.state === "failed") done();
        else void upload.finally(done);
      });
      return { ok: true, size } as const;
    })();
    const job: FillJob = { fill, head };
    head.then(
      (h) => {
        if (!h.ok) {
          fill.fail(new Error(`upstream answered HTTP ${h.up.status}`));
          done();
        }
      },
      (e: unknown) => {
        fill.fail(e instanceof Error ? e : new Error(String(e)));
        done();
      },
    );
    this.fills.set(key, job);
    return job;
  }

  private async fromFill(r: CacheRequest, job: FillJob, result: "hit" | "miss"): Promise<boolean> {
    const { res, ctx } = r;
    const head = await job.head; // an UpstreamError goes to the caller, which answers it as for an uncached relay
    if (!head.ok) {
      // Every request that followed this fill answers with the upstream's status; only the first reads its body.
      const verdict = upstreamStatusAnswer("blobs", { status: head.up.status, json: isJson(head.up.contentType), retryAfter: headerValue(head.up.headers["retry-after"]) });
      if (result === "miss") discard(head.up.body);
      if (!verdict) return this.bypass(r);
      if (verdict.logError) ctx.error = verdict.logError;
      sendOciError(res, verdict.error, ctx.method);
      return true;
    }
    this.result(r, result);
    this.blobHeaders(res, job.fill.digest, head.size !== undefined ? { "content-length": String(head.size) } : {});
    res.writeHead(200);
    const reader = job.fill.reader();
    reader.on("data", (chunk: Buffer) => {
      ctx.bytes += chunk.length;
      youngGc.streamed(chunk.length);
    });
    const streaming = youngGc.begin();
    try {
      await pipeline(reader, res);
    } catch (e) {
      if (job.fill.state === "failed") {
        const mismatch = job.fill.error instanceof DigestMismatchError;
        ctx.broken = true;
        ctx.reason = mismatch ? "verification_failed" : "upstream_cut";
        ctx.error = `upstream ${mismatch ? "body failed verification" : "stream failed"}: ${job.fill.error?.message ?? (e as Error).message}`;
      } else ctx.error = "client disconnected";
    } finally {
      streaming();
      if (result === "hit") this.countBytes(r, "cache", ctx.bytes);
    }
    return true;
  }

  // ---- manifests ---------------------------------------------------------------------------

  /** The store's copy of a manifest, checked against its digest; null when there is none (or it was corrupt). */
  private async storedManifest(r: CacheRequest, digest: string): Promise<Buffer | null> {
    if (this.quarantined.has(this.key(r.cache, digest))) return null;
    const stored = await this.store(r.cache).open(digest);
    if (!stored) return null;
    const bytes = await readLimited(stored.body, MAX_MANIFEST_BYTES).catch(() => null);
    if (!bytes || !sha(digest, bytes)) {
      this.corrupt(r, digest);
      return null;
    }
    this.opts.reporter.used(r.registry.id, r.registry.repository, digest);
    return bytes;
  }

  private sendManifest(r: CacheRequest, digest: string, bytes: Buffer, mediaType: string): void {
    const { res, ctx } = r;
    ctx.digest = digest;
    res.writeHead(200, {
      ...API_VERSION_HEADER,
      "content-type": mediaType,
      "content-length": String(bytes.length),
      "docker-content-digest": digest,
      etag: `"${digest}"`,
    });
    if (ctx.method === "HEAD") return void res.end();
    res.end(bytes);
    ctx.bytes += bytes.length;
  }

  private async manifestByDigest(r: CacheRequest, digest: string, mediaTypeHint?: string, result: "hit" | "stale" = "hit"): Promise<boolean> {
    const bytes = await this.storedManifest(r, digest);
    if (bytes) {
      const mediaType = mediaTypeHint ?? manifestMediaType(bytes);
      if (!accepts(headerValue(r.req.headers.accept), mediaType)) return this.bypass(r);
      this.result(r, result);
      this.sendManifest(r, digest, bytes, mediaType);
      if (r.ctx.method === "GET") this.countBytes(r, "cache", bytes.length);
      return true;
    }
    if (result === "stale") return false;
    return this.fetchManifest(r, digest);
  }

  /** A manifest by digest from the upstream: checked, sent, then stored. */
  private async fetchManifest(r: CacheRequest, digest: string): Promise<boolean> {
    const { req, ctx, client, registry } = r;
    const up = await client.getManifest(registry.repository, digest, { method: "GET", accept: headerValue(req.headers.accept) });
    if (up.status !== 200) {
      discard(up.body);
      const verdict = upstreamStatusAnswer("manifests", { status: up.status, json: isJson(up.contentType), retryAfter: headerValue(up.headers["retry-after"]) });
      if (!verdict) return this.bypass(r);
      if (verdict.logError) ctx.error = verdict.logError;
      sendOciError(r.res, verdict.error, ctx.method);
      return true;
    }
    let bytes: Buffer;
    try {
      bytes = await readLimited(up.body, MAX_MANIFEST_BYTES);
    } catch {
      ctx.error = "the upstream's manifest is too large or its body failed";
      sendOciError(r.res, upstreamStatusAnswer("manifests", { status: 502, json: false })!.error, ctx.method);
      return true;
    }
    if (!sha(digest, bytes)) {
      this.opts.metrics.verificationFailures.inc({ route: "manifests", reason: "mismatch" });
      ctx.error = "upstream body failed verification";
      sendOciError(r.res, upstreamStatusAnswer("manifests", { status: 502, json: false })!.error, ctx.method);
      return true;
    }
    this.result(r, "miss");
    this.countBytes(r, "upstream", bytes.length);
    this.sendManifest(r, digest, bytes, up.contentType ?? manifestMediaType(bytes));
    void this.store(r.cache)
      .put(digest, bytes)
      .then(
        () => this.opts.reporter.stored(registry.id, registry.repository, digest, bytes.length),
        () => this.opts.metrics.cacheErrors.inc({ operation: "write" }),
      );
    return true;
  }

  private tagKey(r: CacheRequest, tag: string): string {
    return `${r.cache.url}|${r.cache.repository}|${tag}|${headerValue(r.req.headers.accept) ?? ""}`;
  }

  private remember(r: CacheRequest, tag: string, memo: TagMemo): void {
    this.tags.set(this.tagKey(r, tag), memo);
    this.opts.reporter.tag(r.registry.id, r.registry.repository, tag, memo.digest, memo.mediaType, memo.confirmedAt);
  }

  private async manifestByTag(r: CacheRequest, tag: string): Promise<boolean> {
    const { req, ctx, client, registry } = r;
    const now = this.opts.now();
    const memo = this.tags.get(this.tagKey(r, tag));
    if (memo && now - memo.confirmedAt < this.opts.tagTtlMs) return this.manifestByDigest(r, memo.digest, memo.mediaType);

    let up: UpstreamResponse;
    try {
      up = await client.getManifest(registry.repository, tag, { method: "HEAD", accept: headerValue(req.headers.accept) });
    } catch (e) {
      if (e instanceof UpstreamError && e.reason !== "aborted" && (await this.stale(r, tag, memo))) {
        ctx.error = `served stale: ${e.reason}: ${e.message}`;
        return true;
      }
      throw e;
    }
    discard(up.body);
    const digest = headerValue(up.headers["docker-content-digest"]);
    if (up.status === 200 && digest && isValidDigest(digest)) {
      const mediaType = up.contentType ?? memo?.mediaType;
      if (mediaType) this.remember(r, tag, { digest, mediaType, confirmedAt: now });
      return this.manifestByDigest(r, digest, mediaType);
    }
    if (isUpstreamTrouble(up.status) && (await this.stale(r, tag, memo))) {
      ctx.error = `served stale: the upstream answered HTTP ${up.status}`;
      return true;
    }
    if (up.status === 404) this.tags.delete(this.tagKey(r, tag));
    const verdict = up.status === 200 ? undefined : upstreamStatusAnswer("manifests", { status: up.status, json: isJson(up.contentType), retryAfter: headerValue(up.headers["retry-after"]) });
    // A 200 without a digest is relayed as without a cache; an error status is answered as the relay would.
    if (!verdict) return this.bypass(r);
    if (verdict.logError) ctx.error = verdict.logError;
    sendOciError(r.res, verdict.error, ctx.method);
    return true;
  }

  /** Stale-if-error: the last digest confirmed for the tag, if within the registry's bound and in the store. */
  private async stale(r: CacheRequest, tag: string, memo: TagMemo | undefined): Promise<boolean> {
    const bound = r.cache.maxStaleSeconds * 1000;
    if (bound <= 0) return false;
    let last = memo;
    if (!last) {
      const seen = await this.opts.portal.lastSeenTag({ registryId: r.registry.id, repository: r.registry.repository, tag }).catch(() => null);
      if (seen) last = { digest: seen.digest, mediaType: seen.mediaType, confirmedAt: Date.parse(seen.seenAt) };
    }
    if (!last || this.opts.now() - last.confirmedAt > bound) return false;
    return this.manifestByDigest(r, last.digest, last.mediaType, "stale");
  }
}
