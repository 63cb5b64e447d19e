import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { AuthCache } from "@/lib/oci/auth-cache";
import { ociAnswer } from "@/lib/oci/errcode";
import type { ResolveFn } from "@/lib/oci/address";
import { clientAddress } from "@/lib/http/client-address";
import { applyConnectionLimits, type ConnectionLimits, type ConnectionTracker } from "@/lib/http/connection-limits";
import { recordFinished, type AccessLogEntry } from "./access-log";
import { reasonOfLookup, type PullReason } from "@/lib/activity/reasons";
import { LicenseGate, type GateDecision } from "./license-gate";
import { LicenseCache } from "./license-cache";
import { lookupCacheFeed, type ChangeFeed } from "./change-feed";
import { ProxyMetrics } from "./metrics";
import { metricsDecision, sendMetricsAnswer, startMetricsServer, type MetricsAccess, type MetricsServer } from "./metrics-endpoint";
import { rawOciError, sendJson, sendOciError, sendText } from "./oci-response";
import { PortalClient } from "./portal-client";
import { PullLog, type PullLogOptions, type PullLogSpoolOptions } from "./pull-log";
import { Readiness } from "./readiness";
import { RefusalLimiter, type RefusalLimitOptions } from "./refusal-limit";
import { forward } from "./relay";
import { ProxyCache } from "./cache/proxy-cache";
import { StoreFiles } from "@/lib/oci/store-files";
import { CacheReporter } from "./cache/reporter";
import { createRequestContext, type RequestContext } from "./request-context";
import { actionOf, ProxyRouter } from "./route";
import { UpstreamPool } from "./upstream-pool";

export type { AccessLogEntry } from "./access-log";

/**
 * The registry proxy: the pull side of the OCI distribution API at
 * `/v2/proxy/<app-slug>/<upstream image>/…`, for customers who hold nothing but a license.
 *
 * A request goes: its route (route.ts: path parsed and validated, 400 with the OCI code) → the
 * license gate (license-gate.ts: license from HTTP Basic `LICENSE_ID:<id>`, no credentials → 401
 * with a Basic challenge; the portal's lookup, cached a few seconds or until the portal's change
 * stream says it changed (change-feed.ts); 401 for a bad license, 403
 * DENIED for another app or a registry the team doesn't have, 429 for an address with too many
 * refusals, 503 when the portal can't be asked) → the upstream (upstream-pool.ts: lib/oci's
 * RegistryClient with the team's credentials — Basic, token realms, ECR, GCR) → the answer
 * streamed back with backpressure (relay.ts), the client's Accept and Range passed through, an
 * upstream error status turned into the proxy's OCI error by one table (upstream-answers.ts). A
 * client that goes away aborts the upstream request; an upstream that fails gives a 502/504 OCI
 * error to that client only. Every proxied request becomes a pull-log event sent to the portal in
 * batches and an access-log line (access-log.ts).
 *
 * For a registry whose lookup answer names a store, manifests and blobs go through the cache
 * (cache/proxy-cache.ts, docs/proxy-cache.md) — after the license gate, always. The only files
 * written are the cache's spool files of blobs on their way from an upstream and, at close, the
 * pull log's file of events the portal did not take (pull-log.ts). Logs carry method, route, path, status, bytes and timings — never
 * an Authorization header, a license ID or upstream credentials.
 */

export interface ProxyOptions {
  /** Base URL of the portal's internal API, e.g. http://127.0.0.1:3000. */
  portalUrl: string;
  serviceToken: string;
  /** DOCKER_HUB_REGISTRY: which host serves host-less image names. */
  dockerHubRegistry: string;
  /** ALLOW_PRIVATE_REGISTRY_HOSTS: upstreams on loopback/private addresses (and plain HTTP). */
  allowPrivate: boolean;
  insecureRegistries?: readonly string[];
  /** Lookup cache TTL = the revocation bound. Default 5 s. */
  licenseTtlMs?: number;
  negativeTtlMs?: number;
  portalTimeoutMs?: number;
  /** Upstream: until response headers (504 after). Default 30 s. */
  upstreamTimeoutMs?: number;
  /** Upstream: socket inactivity while a body streams. Default 60 s. */
  upstreamIdleTimeoutMs?: number;
  pullLog?: PullLogOptions & PullLogSpoolOptions;
  /** PROXY_TRUSTED_HOPS: proxies in front of this one whose X-Forwarded-For is believed (lib/http/client-address.ts). */
  trustedProxyHops?: number;
  /** Failed license lookups per client address before it must wait (proxy/refusal-limit.ts). */
  refusalLimit?: RefusalLimitOptions;
  realm?: string;
  /** One line per request; never given secrets. Default: none. */
  log?: (entry: AccessLogEntry) => void;
  /** Upstream auth material (tokens, ECR passwords). Default: a cache of this proxy's own. */
  authCache?: AuthCache;
  /** Injected DNS for tests. */
  resolve?: ResolveFn;
  /** Sockets and slow clients (lib/http/connection-limits.ts); defaults in DEFAULT_CONNECTION_LIMITS. */
  connections?: Partial<ConnectionLimits>;
  /** Who may read /metrics (metrics-endpoint.ts). Default: nobody on this port. */
  metricsAccess?: MetricsAccess;
  /**
   * The time (ms since the epoch) for everything that expires or waits: the license cache, the
   * refusal limit, license expiry, the pull log's backoff, readiness, log timestamps. Default
   * Date.now. Durations (latencies, the access log's `ms`) are measured with the process's
   * monotonic clock.
   */
  now?: () => number;
  /**
   * The cache (docs/proxy-cache.md): where fills are spooled, how long a tag confirmed upstream is
   * believed, the store's disk when this process can read it (`storeDir`: its filesystem root,
   * lib/oci/store-files.ts); `enabled: false` relays everything uncached.
   */
  cache?: { enabled?: boolean; spoolDir?: string; tagTtlMs?: number; storeDir?: string };
  /**
   * The portal's change stream (change-feed.ts): changes drop cached lookup answers at once.
   * `false` leaves only the TTL (`licenseTtlMs`) to bound them. Default on.
   */
  changeFeed?: boolean | { retry?: { minMs: number; maxMs: number } };
}

/** A tag confirmed upstream is believed for 30 s before the next manifest HEAD. */
export const DEFAULT_TAG_TTL_MS = 30_000;
export const defaultSpoolDir = () => path.join(os.tmpdir(), "portcullis-proxy-cache");

/**
 * 1024 sockets, a quarter of them per client address (none behind trusted proxies, where every
 * socket is the balancer's), headers within 10 s, the whole request within 30 s, idle kept-alive
 * connections closed after 5 s (Docker clients reuse them between a pull's requests).
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1024,
  maxPerAddress: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

export interface ProxyServer {
  server: http.Server;
  metrics: ProxyMetrics;
  pullLog: PullLog;
  licenses: LicenseCache;
  refusals: RefusalLimiter;
  portal: PortalClient;
  connections: ConnectionTracker;
  cacheReporter: CacheReporter;
  /** Undefined when the cache is turned off. */
  cache: ProxyCache | undefined;
  /** Undefined when `changeFeed: false`. */
  changes: ChangeFeed | undefined;
  /** Serves /metrics on a listener of its own (metrics-endpoint.ts); closed with the proxy. */
  listenMetrics(port: number, host?: string): Promise<{ url: string }>;
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /**
   * Stops gracefully: /readyz answers 503 at once and every response closes its connection (idle
   * ones are closed now); after `delayMs` (default 0: a load balancer's time to notice) it stops
   * accepting and lets the requests in flight finish, blob streams included, up to `timeoutMs`
   * (default 10 s; a number is taken as `timeoutMs`); then it flushes the pull log (what the
   * portal can't take goes to the spool file, if there is one). Resolves true when every request
   * finished in time.
   */
  close(opts?: number | { delayMs?: number; timeoutMs?: number }): Promise<boolean>;
}

const MAX_HEADER_BYTES = 16 * 1024;

/** Why the license gate refused: the portal's answer, or no answer (the address must wait, or the portal can't be asked). */
function gateRefusalReason(decision: Extract<GateDecision, { ok: false }>): PullReason {
  if (decision.answer) return reasonOfLookup(decision.answer.body.code);
  return decision.error.status === 429 ? "too_many_refusals" : "license_check_unavailable";
}

export function createProxyServer(opts: ProxyOptions): ProxyServer {
  const now = opts.now ?? Date.now;
  const portal = new PortalClient(opts.portalUrl, opts.serviceToken, opts.portalTimeoutMs ?? 5_000);
  const licenses = new LicenseCache({ ttlMs: opts.licenseTtlMs, negativeTtlMs: opts.negativeTtlMs, now });
  const refusals = new RefusalLimiter({ now, ...opts.refusalLimit });
  let pullLog: PullLog | undefined;
  const metrics = new ProxyMetrics(() => pullLog?.pending ?? 0);
  const log = (pullLog = new PullLog(portal, {
    now,
    ...opts.pullLog,
    onSent: (n) => metrics.pullEventsSent.inc({}, n),
    onDropped: (n) => metrics.pullEventsDropped.inc({}, n),
    onError: () => metrics.portalErrors.inc({ call: "pull-events" }),
  }));
  // A lookup the portal answered means it is back: the pull log stops backing off.
  const answering = { lookup: (...args: Parameters<PortalClient["lookup"]>) => portal.lookup(...args).then((a) => (log.resume(), a)) };
  const gate = new LicenseGate({ portal: answering, licenses, refusals, metrics, now, realm: opts.realm ?? "Portcullis" });
  const upstreams = new UpstreamPool({
    dockerHubRegistry: opts.dockerHubRegistry,
    allowPrivate: opts.allowPrivate,
    ...(opts.insecureRegistries && { insecureRegistries: opts.insecureRegistries }),
    ...(opts.upstreamTimeoutMs !== undefined && { timeoutMs: opts.upstreamTimeoutMs }),
    ...(opts.upstreamIdleTimeoutMs !== undefined && { idleTimeoutMs: opts.upstreamIdleTimeoutMs }),
    ...(opts.authCache && { authCache: opts.authCache }),
    ...(opts.resolve && { resolve: opts.resolve }),
  });
  const readiness = new Readiness(() => portal.ping(), now, () => log.resume());
  const changes = opts.changeFeed === false ? undefined : lookupCacheFeed({ portal, licenses, metrics, ...(typeof opts.changeFeed === "object" && opts.changeFeed) });
  const reporter = new CacheReporter(portal, { now, onError: () => metrics.portalErrors.inc({ call: "cache-events" }) });
  const cache =
    opts.cache?.enabled === false
      ? undefined
      : new ProxyCache({
          spoolDir: opts.cache?.spoolDir ?? defaultSpoolDir(),
          tagTtlMs: opts.cache?.tagTtlMs ?? DEFAULT_TAG_TTL_MS,
          now,
          reporter,
          portal,
          metrics,
          ...(opts.cache?.storeDir && { storeFiles: new StoreFiles(opts.cache.storeDir) }),
        });

  const router = new ProxyRouter(opts.dockerHubRegistry);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): Promise<void> {
    const route = router.route(req.url ?? "/", ctx.method);
    if (route.kind === "healthz") {
      ctx.route = "healthz";
      return sendText(res, 200, "ok\n");
    }
    if (route.kind === "readyz") {
      ctx.route = "readyz";
      const { ok, text } = await readiness.check();
      return sendText(res, ok ? 200 : 503, text + (changes?.readinessLine ?? ""));
    }
    if (route.kind === "metrics") {
      const decision = metricsDecision(opts.metricsAccess ?? {}, req.headers.authorization, true);
      if (decision === "not_found") return sendOciError(res, router.notFound(), ctx.method);
      ctx.route = "metrics";
      return sendMetricsAnswer(res, decision, metrics);
    }
    if (route.kind === "error") return sendOciError(res, route.error, ctx.method);
    const { creds, fingerprint } = gate.credentials(req.headers.authorization, req.socket);
    if (route.kind === "bad-path") {
      ctx.route = route.route;
      return sendOciError(res, creds.kind === "license" ? route.error : gate.unauthorized("Authentication required."), ctx.method);
    }
    ctx.route = route.kind === "base" ? "base" : route.path.kind;
    if (creds.kind !== "license") return sendOciError(res, gate.refuseCredentials(creds), ctx.method);

    const path = route.kind === "image" ? route.path : undefined;
    if (path) {
      // Recorded whatever the gate says: a refused attempt is listed too (under its app when the license is unknown).
      ctx.appSlug = path.appSlug;
      ctx.action = actionOf(path.kind, ctx.method);
      ctx.reference = path.reference ?? null;
      ctx.image = path.name;
    }
    const decision = await gate.check(creds.licenseId, ctx.address, path, fingerprint);
    if (decision.cache) ctx.cache = decision.cache;
    if (!decision.ok && decision.logError) ctx.error = decision.logError;
    if (path) ctx.license = decision.answer?.body.license;
    if (!decision.ok) {
      ctx.reason = gateRefusalReason(decision);
      return sendOciError(res, decision.error, ctx.method);
    }
    if (route.kind !== "image") return sendJson(res, 200, {}, ctx.method);

    // Which registry and which repository the path means is the portal's answer (it knows the team's registry names).
    const registry = decision.answer.body.registry;
    if (!registry) throw new Error("lookup answer without a registry");
    await forward({ req, res, ctx, upstreams, registry, path: route.path, query: route.query, metrics, cache });
  }

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    const ctx = createRequestContext(clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], opts.trustedProxyHops ?? 0), req.method ?? "GET");
    metrics.inflight.add(1);
    res.once("close", () => recordFinished({ metrics, pullLog: log, log: opts.log, now }, req, res, ctx));
    handle(req, res, ctx).catch((e) => {
      ctx.error = `internal: ${(e as Error)?.message ?? String(e)}`;
      sendOciError(res, ociAnswer("UNKNOWN", "Internal proxy error."), ctx.method);
    });
  });
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...((opts.trustedProxyHops ?? 0) > 0 && { maxPerAddress: 0 }), ...opts.connections };
  const connections = applyConnectionLimits(server, limits, (reason) => metrics.connectionsRefused.inc({ reason }));
  metrics.connectionsOpen.collectWith(() => connections.open);
  // Malformed requests, oversized headers and headers that take too long get an OCI error, not a
  // silent close.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (err as { code?: string }).code === "ECONNRESET") return socket.destroy();
    const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
    const tooSlow = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
    const status = tooLarge ? 431 : tooSlow ? 408 : 400;
    const message = tooLarge ? "The request headers are too large." : tooSlow ? "The request took too long to arrive." : "Malformed HTTP request.";
    socket.end(rawOciError(status, http.STATUS_CODES[status], { code: "UNSUPPORTED", message }));
    metrics.requests.inc({ route: "other", method: "-", status: String(status) });
  });

  log.start();
  reporter.start();
  changes?.start();
  let metricsServer: MetricsServer | undefined;

  return {
    server,
    metrics,
    pullLog: log,
    licenses,
    refusals,
    portal,
    connections,
    cacheReporter: reporter,
    cache,
    changes,
    async listenMetrics(port, host = "127.0.0.1") {
      metricsServer = await startMetricsServer(metrics, opts.metricsAccess ?? {}, port, host);
      return { url: metricsServer.url };
    },
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const a = server.address() as AddressInfo;
          resolve({ port: a.port, url: `http://${host.includes(":") ? `[${host}]` : host}:${a.port}` });
        });
      });
    },
    async close(how = {}) {
      const { delayMs = 0, timeoutMs = 10_000 } = typeof how === "number" ? { timeoutMs: how } : how;
      readiness.closing = true;
      await changes?.close();
      connections.beginDrain();
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const finished = await connections.close(timeoutMs);
      await Promise.all([log.close(), reporter.close()]);
      await metricsServer?.close();
      return finished;
    },
  };
}
