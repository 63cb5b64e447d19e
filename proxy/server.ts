import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { AuthCache } from "../lib/oci/auth-cache";
import { normalizeEndpoint } from "../lib/oci/endpoint";
import { InvalidEndpointError, InvalidReferenceError, UpstreamError } from "../lib/oci/errors";
import { isValidDigest, isValidTag } from "../lib/oci/names";
import { readProxyPath, type ProxyRequestPath } from "../lib/oci/proxy-path";
import { RegistryClient, type UpstreamResponse } from "../lib/oci/registry-client";
import type { ResolveFn } from "../lib/oci/address";
import { discard } from "../lib/oci/transport";
import type { LookupRequest, LookupResponse, PullAction } from "../lib/internal/contract";
import { isLicenseUsername, looksLikeLicenseId } from "../lib/licenses/license-login";
import { LicenseCache } from "./license-cache";
import { ProxyMetrics } from "./metrics";
import { API_VERSION_HEADER, ociErrorBody, sendOciError, type OciCode } from "./oci-response";
import { PortalClient, PortalUnavailableError, type LookupAnswer } from "./portal-client";
import { PullLog, type PullLogOptions } from "./pull-log";
import { clientAddress, keyOfAddress } from "../lib/http/client-address";
import { RefusalLimiter, type RefusalLimitOptions } from "./refusal-limit";
import { DigestVerifier } from "./verify-digest";
import { applyConnectionLimits, type ConnectionLimits, type ConnectionTracker } from "../lib/http/connection-limits";
import { metricsDecision, sendMetricsAnswer, startMetricsServer, type MetricsAccess, type MetricsServer } from "./metrics-endpoint";

/**
 * The registry proxy: the pull side of the OCI distribution API at
 * `/v2/proxy/<app-slug>/<upstream image>/…`, for customers who hold nothing but a license.
 *
 * A request goes: license from HTTP Basic `LICENSE_ID:<id>` (no credentials → 401 with a Basic
 * challenge) → path parsed and validated (400 with the OCI code) → the portal's lookup, cached a
 * few seconds (401 for a bad license, 403 DENIED for another app or a registry the team doesn't
 * have, 503 when the portal can't be asked) → the upstream through lib/oci's RegistryClient with
 * the team's credentials (Basic, token realms, ECR, GCR) → the answer streamed back with
 * backpressure (`stream.pipeline`), the client's Accept and Range passed through. A client that
 * goes away aborts the upstream request; an upstream that fails gives a 502/504 OCI error to
 * that client only. Every proxied request becomes a pull-log event sent to the portal in batches.
 *
 * Nothing is written to disk. Logs carry method, route, path, status, bytes and timings — never
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
  pullLog?: PullLogOptions;
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
}

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

export interface AccessLogEntry {
  time: string;
  method: string;
  route: Route;
  path: string;
  status: number;
  bytes: number;
  ms: number;
  cache?: string;
  upstreamMs?: number;
  error?: string;
}

export interface ProxyServer {
  server: http.Server;
  metrics: ProxyMetrics;
  pullLog: PullLog;
  licenses: LicenseCache;
  refusals: RefusalLimiter;
  portal: PortalClient;
  connections: ConnectionTracker;
  /** Serves /metrics on a listener of its own (metrics-endpoint.ts); closed with the proxy. */
  listenMetrics(port: number, host?: string): Promise<{ url: string }>;
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops accepting, waits for in-flight requests (up to `graceMs`), flushes the pull log. */
  close(graceMs?: number): Promise<void>;
}

type Route = "base" | "manifests" | "blobs" | "tags" | "healthz" | "readyz" | "metrics" | "other";

interface RequestContext {
  route: Route;
  /** The client's address (lib/http/client-address.ts), for the refusal limit and the pull log. */
  address: string;
  method: string;
  started: bigint;
  bytes: number;
  cache?: string;
  upstreamMs?: number;
  error?: string;
  /** The body broke after its headers went out (upstream failure, failed verification): not a success. */
  broken?: boolean;
  license?: NonNullable<LookupResponse["license"]>;
  image?: string;
  reference?: string | null;
  action?: PullAction;
}

const MAX_URL_LENGTH = 4096;
const MAX_HEADER_BYTES = 16 * 1024;
const RANGE_SYNTAX = /^bytes=(?:\d+-\d*|-\d+)$/;
const RELAYED_HEADERS = ["content-type", "content-length", "docker-content-digest", "etag", "content-range", "accept-ranges", "last-modified", "retry-after"];

type Credentials = { kind: "none" } | { kind: "invalid" } | { kind: "license"; licenseId: string };

/** HTTP Basic `LICENSE_ID:<license id>` (lib/licenses/license-login.ts: the user name in any case; junk never reaches the portal). */
export function licenseFromAuthorization(header: string | undefined): Credentials {
  if (!header) return { kind: "none" };
  const m = /^Basic\s+([A-Za-z0-9+/=_-]{1,1024})\s*$/i.exec(header);
  if (!m) return { kind: "invalid" };
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return { kind: "invalid" };
  const user = decoded.slice(0, colon);
  const licenseId = decoded.slice(colon + 1).trim();
  if (!isLicenseUsername(user) || !looksLikeLicenseId(licenseId)) return { kind: "invalid" };
  return { kind: "license", licenseId };
}

export function createProxyServer(opts: ProxyOptions): ProxyServer {
  const realm = opts.realm ?? "Portcullis";
  const challenge = { "www-authenticate": `Basic realm="${realm.replace(/"/g, "")}"` };
  const portal = new PortalClient(opts.portalUrl, opts.serviceToken, opts.portalTimeoutMs ?? 5_000);
  const licenses = new LicenseCache({ ttlMs: opts.licenseTtlMs, negativeTtlMs: opts.negativeTtlMs });
  const refusals = new RefusalLimiter(opts.refusalLimit);
  const authCache = opts.authCache ?? new AuthCache();
  let pullLog: PullLog | undefined;
  const metrics = new ProxyMetrics(() => pullLog?.pending ?? 0);
  pullLog = new PullLog(portal, {
    ...opts.pullLog,
    onSent: (n) => metrics.pullEventsSent.inc({}, n),
    onDropped: (n) => metrics.pullEventsDropped.inc({}, n),
    onError: () => metrics.portalErrors.inc({ call: "pull-events" }),
  });
  const log = pullLog;
  const policy = { allowPrivate: opts.allowPrivate, ...(opts.insecureRegistries && { insecureRegistries: opts.insecureRegistries }), ...(opts.resolve && { resolve: opts.resolve }) };
  // One client per lookup answer's registry (so per credentials version, renewed with the
  // answer every TTL); upstream tokens live in authCache across clients.
  const clients = new WeakMap<object, RegistryClient>();
  let ready: { ok: boolean; at: number } | undefined;
  let closing = false;

  // -------------------------------------------------------------------------------------------

  /**
   * The portal's answer for a license, from the cache when it can. A lookup the portal is asked
   * for first takes a slot in its address's refusal allowance (refusal-limit.ts): an address with
   * too many refusals, or too many lookups in flight, gets AddressBlockedError instead of a portal
   * call — unless the portal allowed this license within the last hour (a customer's retry, not a
   * guess) and hasn't refused it since. An allowed answer past its license's expiry is a refusal.
   */
  async function lookup(req: LookupRequest, ctx: RequestContext): Promise<LookupAnswer> {
    const blockedMs = refusals.blockedFor(ctx.address);
    if (blockedMs > 0 && !licenses.cached(req)?.body.allowed && !licenses.recentlyAllowed(req.licenseId)) {
      metrics.refusalBlocks.inc();
      throw new AddressBlockedError(ctx.address, blockedMs);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const { answer, result } = await licenses.get(req, () => askPortal(req, ctx.address));
        metrics.licenseCache.inc({ result });
        ctx.cache = result;
        if (answer.body.allowed && isExpired(answer)) {
          licenses.forgetAllowed(req.licenseId);
          return { status: 401, body: { allowed: false, code: "expired", reason: "The license has expired.", ...(answer.body.license && { license: answer.body.license }) } };
        }
        return answer;
      } catch (e) {
        if (!(e instanceof AddressBlockedError)) throw e;
        // This request joined a lookup for the same license that another address's limit stopped:
        // ask again, as itself.
        if (keyOfAddress(e.address) !== keyOfAddress(ctx.address) && attempt < 3) continue;
        metrics.refusalBlocks.inc();
        throw e;
      }
    }
  }

  /** One portal lookup, counted against the address before it is made. */
  async function askPortal(req: LookupRequest, address: string): Promise<LookupAnswer> {
    const acquired = refusals.acquire(address, licenses.recentlyAllowed(req.licenseId));
    if (!acquired.ok) throw new AddressBlockedError(address, acquired.retryAfterMs);
    const started = process.hrtime.bigint();
    try {
      const answer = await portal.lookup(req);
      if (answer.status === 401) acquired.slot.refused();
      else acquired.slot.release();
      return answer;
    } catch (e) {
      acquired.slot.release();
      metrics.portalErrors.inc({ call: "lookup" });
      throw e;
    } finally {
      metrics.portalLatency.observe(seconds(started));
    }
  }

  function clientFor(registry: NonNullable<LookupResponse["registry"]>): RegistryClient {
    let client = clients.get(registry);
    if (!client) {
      const endpoint = normalizeEndpoint(registry.endpoint, { dockerHubRegistry: opts.dockerHubRegistry, allowPrivate: opts.allowPrivate, insecureRegistries: opts.insecureRegistries });
      client = new RegistryClient({
        endpoint,
        credentials: registry.credentials,
        policy,
        cache: authCache,
        timeoutMs: opts.upstreamTimeoutMs ?? 30_000,
        idleTimeoutMs: opts.upstreamIdleTimeoutMs ?? 60_000,
        userAgent: "portcullis-proxy",
        allowedRealmHosts: registry.allowedRealmHosts,
      });
      clients.set(registry, client);
    }
    return client;
  }

  const unauthorized = (res: http.ServerResponse, ctx: RequestContext, message: string) => sendOciError(res, 401, "UNAUTHORIZED", message, challenge, ctx.method);

  /** Refusals and outages of the license check, as the client should see them. */
  function refuse(res: http.ServerResponse, ctx: RequestContext, answer: LookupAnswer): void {
    if (answer.status === 401) unauthorized(res, ctx, answer.body.reason);
    else sendOciError(res, 403, "DENIED", answer.body.reason, {}, ctx.method);
  }

  /** A lookup that didn't get an answer: this address must wait (429), or the portal is down (503). */
  function lookupFailed(res: http.ServerResponse, ctx: RequestContext, e: unknown): void {
    if (e instanceof AddressBlockedError) {
      ctx.error = "too many refused licenses from this address";
      const seconds = Math.ceil(e.retryAfterMs / 1000);
      return sendOciError(res, 429, "TOOMANYREQUESTS", `Too many requests with unknown or revoked licenses from this address; try again in ${seconds} s.`, { "retry-after": String(seconds) }, ctx.method);
    }
    if (!(e instanceof PortalUnavailableError)) throw e;
    ctx.error = e.message;
    sendOciError(res, 503, "UNAVAILABLE", "The license check is temporarily unavailable; try again shortly.", { "retry-after": "5" }, ctx.method);
  }

  // -------------------------------------------------------------------------------------------

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): Promise<void> {
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const query = new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : "");

    if (path === "/healthz") {
      ctx.route = "healthz";
      return sendText(res, 200, "ok\n");
    }
    if (path === "/readyz") {
      ctx.route = "readyz";
      const ok = !closing && (await portalReady());
      return sendText(res, ok ? 200 : 503, ok ? "ok\n" : closing ? "shutting down\n" : "portal unreachable\n");
    }
    if (path === "/metrics") {
      const decision = metricsDecision(opts.metricsAccess ?? {}, req.headers.authorization, true);
      if (decision !== "not_found") {
        ctx.route = "metrics";
        return sendMetricsAnswer(res, decision, metrics);
      }
    }
    if (rawUrl.length > MAX_URL_LENGTH) return sendOciError(res, 400, "NAME_INVALID", "The request path is too long.", {}, ctx.method);
    if (path !== "/v2" && !path.startsWith("/v2/")) return sendOciError(res, 404, "UNSUPPORTED", "Not found: this is a registry proxy; images are under /v2/proxy/<app>/<image>.", {}, ctx.method);
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      return sendOciError(res, 405, "UNSUPPORTED", "The proxy serves pulls only (GET and HEAD).", { allow: "GET, HEAD" }, ctx.method);
    }

    const creds = licenseFromAuthorization(req.headers.authorization);
    if (path === "/v2" || path === "/v2/") {
      ctx.route = "base";
      if (creds.kind === "none") return unauthorized(res, ctx, "Authentication required: log in with user LICENSE_ID and your license ID as the password.");
      if (creds.kind === "invalid") return unauthorized(res, ctx, "Log in with user LICENSE_ID and your license ID as the password.");
      let answer: LookupAnswer;
      try {
        answer = await lookup({ licenseId: creds.licenseId }, ctx);
      } catch (e) {
        return lookupFailed(res, ctx, e);
      }
      if (!answer.body.allowed) return refuse(res, ctx, answer);
      return sendJson(res, 200, {}, ctx.method);
    }

    let parsed: ProxyRequestPath | null;
    try {
      parsed = readProxyPath(path, { dockerHubRegistry: opts.dockerHubRegistry });
    } catch (e) {
      if (!(e instanceof InvalidReferenceError)) throw e;
      ctx.route = routeOfPath(path);
      if (creds.kind !== "license") return unauthorized(res, ctx, "Authentication required.");
      return sendOciError(res, e.ociCode === "UNSUPPORTED" ? 404 : 400, e.ociCode, e.message, {}, ctx.method);
    }
    if (!parsed) {
      return sendOciError(res, 404, "NAME_UNKNOWN", "Images are served under /v2/proxy/<app-slug>/<image>.", {}, ctx.method);
    }
    ctx.route = parsed.kind;
    if (creds.kind === "none") return unauthorized(res, ctx, "Authentication required: log in with user LICENSE_ID and your license ID as the password.");
    if (creds.kind === "invalid") return unauthorized(res, ctx, "Log in with user LICENSE_ID and your license ID as the password.");

    let answer: LookupAnswer;
    try {
      answer = await lookup({ licenseId: creds.licenseId, appSlug: parsed.appSlug, image: parsed.image }, ctx);
    } catch (e) {
      return lookupFailed(res, ctx, e);
    }
    ctx.license = answer.body.license;
    ctx.action = actionOf(parsed.kind, ctx.method);
    ctx.reference = parsed.reference ?? null;
    ctx.image = parsed.name;
    // Expiry is enforced on every request, cached answer or not (lookup answers 401 past it).
    if (!answer.body.allowed) return refuse(res, ctx, answer);
    const registry = answer.body.registry;
    if (!registry) throw new Error("lookup answer without a registry");

    // Which registry and which repository the path means is the portal's answer (it knows the team's registry names).
    const repository = registry.repository;
    let client: RegistryClient;
    try {
      client = clientFor(registry);
    } catch (e) {
      if (!(e instanceof InvalidEndpointError)) throw e;
      ctx.error = e.message;
      return sendOciError(res, 502, "UNAVAILABLE", "The upstream registry's address is not allowed from this proxy.", {}, ctx.method);
    }
    ctx.image = `${client.endpoint.host}/${repository}`;

    // The client may have left while the license was looked up: then don't ask the upstream at all.
    if (res.destroyed) {
      ctx.error = "client disconnected";
      return;
    }
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      if (parsed.kind === "tags") return await tags(req, res, ctx, client, repository, parsed, query, abort.signal);
      const started = process.hrtime.bigint();
      const method = ctx.method as "GET" | "HEAD";
      let up: UpstreamResponse;
      if (parsed.kind === "manifests") {
        up = await client.getManifest(repository, parsed.reference!, { method, accept: headerValue(req.headers.accept), signal: abort.signal });
      } else {
        const range = headerValue(req.headers.range);
        up = await client.getBlob(repository, parsed.reference!, { method, ...(range && RANGE_SYNTAX.test(range) && { range }), signal: abort.signal });
      }
      ctx.upstreamMs = seconds(started) * 1000;
      metrics.upstreamLatency.observe(seconds(started), { route: parsed.kind });
      await relay(res, ctx, up, parsed.kind, parsed.reference!);
    } catch (e) {
      if (e instanceof UpstreamError) return upstreamFailed(res, ctx, e);
      if (e instanceof InvalidReferenceError) return sendOciError(res, 400, e.ociCode, e.message, {}, ctx.method);
      throw e;
    }
  }

  /**
   * Streams an upstream answer to the client, or turns an upstream error status into ours. A full
   * body (200 to a GET) of content named by digest — every blob, a manifest asked for by digest —
   * is verified on the way (verify-digest.ts): on a mismatch or an early end the client's
   * connection is destroyed, never ended cleanly. A 206 (the client asked for a Range) carries only
   * part of the content, which no digest covers: it is relayed as it comes, for the client to check
   * the whole blob once it has it.
   */
  async function relay(res: http.ServerResponse, ctx: RequestContext, up: UpstreamResponse, kind: "manifests" | "blobs", reference: string): Promise<void> {
    if (up.status === 401 || up.status === 403) {
      discard(up.body);
      ctx.error = `upstream ${up.status}`;
      return sendOciError(res, 502, "DENIED", upstreamRefused(up.status), {}, ctx.method);
    }
    if (up.status === 429) {
      discard(up.body);
      const retry = headerValue(up.headers["retry-after"]);
      return sendOciError(res, 429, "TOOMANYREQUESTS", "The upstream registry is rate limiting; try again later.", retry ? { "retry-after": retry } : {}, ctx.method);
    }
    if (up.status >= 500 || up.status < 200 || (up.status >= 300 && up.status < 400 && up.status !== 304)) {
      discard(up.body);
      ctx.error = `upstream ${up.status}`;
      return sendOciError(res, 502, "UNAVAILABLE", `The upstream registry answered HTTP ${up.status}.`, {}, ctx.method);
    }
    if (up.status === 404 && !isJson(up.contentType)) {
      discard(up.body);
      const code: OciCode = kind === "blobs" ? "BLOB_UNKNOWN" : "MANIFEST_UNKNOWN";
      return sendOciError(res, 404, code, kind === "blobs" ? "Blob unknown to the upstream registry." : "Manifest unknown to the upstream registry.", {}, ctx.method);
    }

    const verify = ctx.method === "GET" && up.status === 200 && isValidDigest(reference);
    for (const h of RELAYED_HEADERS) {
      const v = up.headers[h];
      if (v !== undefined) res.setHeader(h, v);
    }
    for (const [h, v] of Object.entries(API_VERSION_HEADER)) res.setHeader(h, v);
    res.statusCode = up.status;
    if (ctx.method === "HEAD") {
      discard(up.body);
      res.end();
      return;
    }
    // A verified body's headers go out with its first bytes that passed (nothing is written before):
    // an empty body that fails its digest leaves the client no complete answer either.
    if (!verify) res.writeHead(up.status);
    // Which side broke a stream first: the upstream (an error on its body, or bytes that don't
    // match the digest) or the client (the response closed before it finished).
    let failed: "client" | "upstream" | "verification" | undefined;
    up.body.once("error", () => (failed ??= "upstream"));
    res.once("close", () => {
      if (!res.writableFinished) failed ??= "client";
    });
    up.body.on("data", (chunk: Buffer) => {
      ctx.bytes += chunk.length;
    });
    try {
      if (verify) {
        const verifier = new DigestVerifier(reference);
        verifier.once("error", () => (failed ??= "verification"));
        await pipeline(up.body, verifier, res);
      } else await pipeline(up.body, res);
    } catch (e) {
      // pipeline has destroyed every stream: the client sees a broken transfer (its Content-Length
      // unmet, or its chunked body never terminated), never a clean one; a client that left has
      // its upstream request aborted.
      if (failed === "upstream" || failed === "verification") {
        ctx.broken = true;
        ctx.error = `upstream ${failed === "verification" ? "body failed verification" : "stream failed"}: ${(e as Error).message}`;
        if (failed === "upstream") metrics.upstreamErrors.inc({ reason: "stream" });
        if (verify) metrics.verificationFailures.inc({ route: kind, reason: failed === "verification" ? "mismatch" : "truncated" });
      } else ctx.error = "client disconnected";
    } finally {
      metrics.bytes.inc({ route: kind }, ctx.bytes);
    }
  }

  async function tags(
    _req: http.IncomingMessage,
    res: http.ServerResponse,
    ctx: RequestContext,
    client: RegistryClient,
    repository: string,
    parsed: ProxyRequestPath,
    query: URLSearchParams,
    signal: AbortSignal,
  ): Promise<void> {
    const nText = query.get("n");
    const last = query.get("last");
    const n = nText === null ? undefined : Number(nText);
    if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 10_000)) return sendOciError(res, 400, "UNSUPPORTED", "n must be an integer from 0 to 10000.", {}, ctx.method);
    if (last !== null && !isValidTag(last)) return sendOciError(res, 400, "TAG_INVALID", "last must be a tag.", {}, ctx.method);
    const started = process.hrtime.bigint();
    const list = await client.listTags(repository, { ...(n !== undefined && { n }), ...(last !== null && { last }), signal });
    ctx.upstreamMs = seconds(started) * 1000;
    metrics.upstreamLatency.observe(seconds(started), { route: "tags" });
    if (list.status !== 200) {
      const first = list.errors[0];
      if (list.status === 404) return sendOciError(res, 404, "NAME_UNKNOWN", first?.message ?? "Repository unknown to the upstream registry.", {}, ctx.method);
      if (list.status === 401 || list.status === 403) {
        return sendOciError(res, 502, "DENIED", upstreamRefused(list.status), {}, ctx.method);
      }
      if (list.status === 429) return sendOciError(res, 429, "TOOMANYREQUESTS", "The upstream registry is rate limiting; try again later.", {}, ctx.method);
      return sendOciError(res, 502, "UNAVAILABLE", `The upstream registry answered HTTP ${list.status}.`, {}, ctx.method);
    }
    const headers: Record<string, string> = {};
    const next = list.link?.match(/<[^>?]*(\?[^>]*)>\s*;\s*rel="?next"?/i);
    if (next) headers.link = `</v2/${parsed.name}/tags/list${next[1]}>; rel="next"`;
    const body = JSON.stringify({ name: parsed.name, tags: list.tags });
    ctx.bytes = ctx.method === "HEAD" ? 0 : Buffer.byteLength(body);
    metrics.bytes.inc({ route: "tags" }, ctx.bytes);
    sendJson(res, 200, { name: parsed.name, tags: list.tags }, ctx.method, headers);
  }

  function upstreamFailed(res: http.ServerResponse, ctx: RequestContext, e: UpstreamError): void {
    if (e.reason === "aborted") {
      ctx.error = "client disconnected";
      if (!res.headersSent) res.destroy();
      return;
    }
    metrics.upstreamErrors.inc({ reason: e.reason });
    ctx.error = `${e.reason}: ${e.message}`;
    if (e.reason === "timeout") return sendOciError(res, 504, "UNAVAILABLE", "The upstream registry did not answer in time.", {}, ctx.method);
    if (e.reason === "blocked" || e.reason === "insecure") {
      return sendOciError(res, 502, "UNAVAILABLE", "The upstream registry's address is not allowed from this proxy.", {}, ctx.method);
    }
    if (e.reason === "realm") {
      return sendOciError(res, 502, "DENIED", `The upstream registry asked for its credentials to be sent to ${e.host}, a host not allowed for it; the vendor can allow it on the registry.`, {}, ctx.method);
    }
    if (e.reason === "auth") {
      return sendOciError(res, 502, "DENIED", "The upstream registry's authentication service refused the credentials configured for it.", {}, ctx.method);
    }
    sendOciError(res, 502, "UNAVAILABLE", "The upstream registry is unreachable or failed to answer.", {}, ctx.method);
  }

  async function portalReady(): Promise<boolean> {
    if (ready && Date.now() - ready.at < 2_000) return ready.ok;
    const ok = await portal.ping();
    ready = { ok, at: Date.now() };
    return ok;
  }

  // -------------------------------------------------------------------------------------------

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    const ctx: RequestContext = {
      route: "other",
      address: clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], opts.trustedProxyHops ?? 0),
      method: req.method ?? "GET",
      started: process.hrtime.bigint(),
      bytes: 0,
    };
    metrics.inflight.add(1);
    res.once("close", () => finish(req, res, ctx));
    handle(req, res, ctx).catch((e) => {
      ctx.error = `internal: ${(e as Error)?.message ?? String(e)}`;
      sendOciError(res, 500, "UNKNOWN", "Internal proxy error.", {}, ctx.method);
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
    const body = ociErrorBody("UNSUPPORTED", tooLarge ? "The request headers are too large." : tooSlow ? "The request took too long to arrive." : "Malformed HTTP request.");
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nDocker-Distribution-Api-Version: registry/2.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    metrics.requests.inc({ route: "other", method: "-", status: String(status) });
  });

  function finish(req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): void {
    metrics.inflight.add(-1);
    // A transfer the upstream broke is a 502 in the pull log, the metrics and the access log
    // (the client saw its connection cut); one the client left, or never got headers for, a 499.
    const status = ctx.broken ? 502 : res.headersSent ? res.statusCode : 499;
    metrics.requests.inc({ route: ctx.route, method: ctx.method === "HEAD" ? "HEAD" : ctx.method === "GET" ? "GET" : "other", status: String(status) });
    if (ctx.license && ctx.action && ctx.image) {
      log.record({
        id: crypto.randomUUID(),
        licenseId: ctx.license.id,
        image: ctx.image.slice(0, 512),
        reference: ctx.reference ?? null,
        action: ctx.action,
        status,
        bytes: ctx.bytes,
        actor: ctx.address,
        at: new Date().toISOString(),
      });
    }
    opts.log?.({
      time: new Date().toISOString(),
      method: ctx.method,
      route: ctx.route,
      path: (req.url ?? "").split("?")[0]!.slice(0, 512),
      status,
      bytes: ctx.bytes,
      ms: Math.round(seconds(ctx.started) * 1e4) / 10,
      ...(ctx.cache && { cache: ctx.cache }),
      ...(ctx.upstreamMs !== undefined && { upstreamMs: Math.round(ctx.upstreamMs * 10) / 10 }),
      ...(ctx.error && { error: ctx.error.slice(0, 300) }),
    });
  }

  log.start();
  let metricsServer: MetricsServer | undefined;

  return {
    server,
    metrics,
    pullLog: log,
    licenses,
    refusals,
    portal,
    connections,
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
    async close(graceMs = 10_000) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await log.close();
      await metricsServer?.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------

class AddressBlockedError extends Error {
  constructor(
    readonly address: string,
    readonly retryAfterMs: number,
  ) {
    super("address blocked after too many refused licenses");
  }
}


function isExpired(answer: LookupAnswer): boolean {
  const expiresAt = answer.body.license?.expiresAt;
  return !!expiresAt && Date.parse(expiresAt) <= Date.now();
}

function actionOf(kind: ProxyRequestPath["kind"], method: string): PullAction {
  if (kind === "tags") return "list-tags";
  const head = method === "HEAD";
  return kind === "manifests" ? (head ? "head-manifest" : "pull-manifest") : head ? "head-blob" : "pull-blob";
}

function routeOfPath(path: string): Route {
  if (/\/manifests\/[^/]*$/.test(path)) return "manifests";
  if (/\/blobs\/[^/]*$/.test(path)) return "blobs";
  if (/\/tags\/list$/.test(path)) return "tags";
  return "other";
}

/**
 * The upstream said 401/403 to the vendor's credentials. Not the customer's fault (their license
 * passed), so not a 401/403 of ours: a 502 that says what the vendor has to look at. Registries
 * such as Docker Hub also answer this way for a repository that does not exist.
 */
const upstreamRefused = (status: number) =>
  `The upstream registry refused access to this repository with the credentials configured for it (HTTP ${status}): the repository may not exist there, or the vendor's registry credentials lack access.`;

const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);
const isJson = (contentType: string | undefined) => !!contentType && /json/i.test(contentType);

function sendText(res: http.ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store" });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, method: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...API_VERSION_HEADER, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(method === "HEAD" ? undefined : body);
}
