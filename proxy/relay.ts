import type http from "node:http";
import type { Socket } from "node:net";
import { reasonOfUpstreamStatus, type PullReason } from "@/lib/activity/reasons";
import { ociAnswer } from "@/lib/oci/errcode";
import { InvalidEndpointError, InvalidReferenceError, UpstreamError } from "@/lib/oci/errors";
import { isValidDigest, isValidTag } from "@/lib/oci/names";
import type { ProxyRequestPath } from "@/lib/oci/proxy-path";
import type { RegistryClient, UpstreamResponse } from "@/lib/oci/registry-client";
import { discard } from "@/lib/oci/transport";
import type { ProxyCache } from "./cache/proxy-cache";
import type { ProxyMetrics } from "./metrics";
import { API_VERSION_HEADER, sendJson, sendOciError } from "./oci-response";
import { relayReferrers } from "./referrers";
import { secondsSince, type RequestContext } from "./request-context";
import { blockedUpstream, upstreamFailureAnswer, upstreamStatusAnswer } from "./upstream-answers";
import type { UpstreamPool, UpstreamRegistry } from "./upstream-pool";
import { DigestMismatchError, sendAsIs, sendVerified, StreamBrokenError } from "./verify-digest";
import { youngGc } from "./young-gc";

/**
 * Forwarding one image route to the upstream and its answer to the client: manifests (the
 * client's Accept passed on), blobs (its Range), tags/list (paged under the proxy's name). An
 * upstream error status becomes the proxy's OCI error through one table (upstream-answers.ts).
 */

const RANGE_SYNTAX = /^bytes=(?:\d+-\d*|-\d+)$/;
const [API_VERSION_NAME, API_VERSION_VALUE] = Object.entries(API_VERSION_HEADER)[0]!;
const RELAYED_HEADERS = ["content-type", "content-length", "docker-content-digest", "etag", "content-range", "accept-ranges", "last-modified", "retry-after"];

export interface ForwardRequest {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  ctx: RequestContext;
  upstreams: UpstreamPool;
  /** The lookup answer's registry: where the path points, with the team's credentials. */
  registry: UpstreamRegistry;
  path: ProxyRequestPath;
  query: URLSearchParams;
  metrics: ProxyMetrics;
  /** The cache (proxy/cache/), for registries whose lookup answer names a store; undefined when it is off. */
  cache: ProxyCache | undefined;
}

interface RelayRequest extends Omit<ForwardRequest, "upstreams" | "registry" | "cache"> {
  client: RegistryClient;
  /** The upstream repository (the portal's answer). */
  repository: string;
  signal: AbortSignal;
}

/**
 * The abort signal of a client's connection: aborted when it closes — however its response ended,
 * an HTTP/1.1 response closes before it finished only with its connection. One per connection,
 * not per request: a keep-alive client sends a pull's requests on one, and an AbortController
 * (Node 20's EventTarget) cost ~4 µs per request. Whoever listens on it removes the listener when
 * done with it (transport.ts, verify-digest.ts `sendAsIs`, node:http's own `signal` option).
 */
const connectionSignals = new WeakMap<object, AbortSignal>();
function connectionSignal(socket: Socket): AbortSignal {
  let signal = connectionSignals.get(socket);
  if (signal === undefined) {
    const abort = new AbortController();
    signal = abort.signal;
    if (socket.destroyed) abort.abort();
    else socket.once("close", () => abort.abort());
    connectionSignals.set(socket, signal);
  }
  return signal;
}

/**
 * An image route the license gate let through, to its upstream and back. A client that goes away
 * aborts the upstream request (and one gone already never causes one); an upstream that fails gives
 * that client alone a 502/504 OCI error (upstream-answers.ts).
 */
export async function forward(r: ForwardRequest): Promise<void> {
  const { req, res, ctx, registry, cache } = r;
  let client: RegistryClient;
  try {
    client = r.upstreams.clientFor(registry);
  } catch (e) {
    if (!(e instanceof InvalidEndpointError)) throw e;
    ctx.error = e.message;
    ctx.reason = "upstream_blocked";
    return sendOciError(res, blockedUpstream(), ctx.method);
  }

  // The client may have left while the license was looked up: then don't ask the upstream at all.
  if (res.destroyed) {
    ctx.error = "client disconnected";
    return;
  }
  const signal = connectionSignal(req.socket);
  try {
    if (cache && registry.cache && (await cache.serve({ req, res, ctx, client, registry, cache: registry.cache, path: r.path, signal }))) return;
    // One object shape for every request (no spreads): relay's reads of it stay monomorphic.
    await relay({ req, res, ctx, path: r.path, query: r.query, metrics: r.metrics, client, repository: registry.repository, signal });
  } catch (e) {
    if (e instanceof UpstreamError) return upstreamFailed(r, e);
    if (e instanceof InvalidReferenceError) {
      ctx.reason = "bad_request";
      return sendOciError(res, ociAnswer(e.ociCode, e.message, { status: 400 }), ctx.method);
    }
    throw e;
  }
}

function upstreamFailed({ res, ctx, metrics }: Pick<ForwardRequest, "res" | "ctx" | "metrics">, e: UpstreamError): void {
  if (e.reason === "aborted") {
    ctx.error = "client disconnected";
    if (!res.headersSent) res.destroy();
    return;
  }
  metrics.upstreamErrors.inc({ reason: e.reason });
  ctx.error = `${e.reason}: ${e.message}`;
  ctx.reason = FAILURE_REASONS[e.reason] ?? "upstream_unavailable";
  sendOciError(res, upstreamFailureAnswer(e.reason, e.host), ctx.method);
}

/** An upstream request that got no HTTP answer, as the activity records it (anything else: upstream_unavailable). */
const FAILURE_REASONS: Partial<Record<UpstreamError["reason"], PullReason>> = { blocked: "upstream_blocked", insecure: "upstream_blocked", realm: "upstream_unauthorized", auth: "upstream_unauthorized" };

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);
const isJson = (contentType: string | undefined) => !!contentType && /json/i.test(contentType);

async function relay(r: RelayRequest): Promise<void> {
  const { req, ctx, client, repository, path, signal, metrics } = r;
  const kind = path.kind;
  if (kind === "tags") return relayTags(r);
  if (kind === "referrers") return relayReferrers(r);
  const started = process.hrtime.bigint();
  const method = ctx.method as "GET" | "HEAD";
  let up: UpstreamResponse;
  if (kind === "manifests") {
    up = await client.getManifest(repository, path.reference!, { method, accept: headerValue(req.headers.accept), signal });
  } else {
    const range = headerValue(req.headers.range);
    up = await client.getBlob(repository, path.reference!, { method, ...(range && RANGE_SYNTAX.test(range) && { range }), signal });
  }
  ctx.upstreamMs = secondsSince(started) * 1000;
  metrics.upstreamLatency.observe(secondsSince(started), { route: kind });
  await relayContent(r.res, ctx, up, kind, path.reference!, metrics, signal);
}

/**
 * Streams an upstream answer to the client, or turns an upstream error status into ours. A full
 * body (200 to a GET) of content named by digest — every blob, a manifest asked for by digest —
 * is verified on the way (verify-digest.ts): on a mismatch or an early end the client's
 * connection is destroyed, never ended cleanly. A 206 (the client asked for a Range) carries only
 * part of the content, which no digest covers: it is relayed as it comes, for the client to check
 * the whole blob once it has it.
 */
async function relayContent(res: http.ServerResponse, ctx: RequestContext, up: UpstreamResponse, kind: "manifests" | "blobs", reference: string, metrics: ProxyMetrics, signal: AbortSignal): Promise<void> {
  const verdict = upstreamStatusAnswer(kind, { status: up.status, json: isJson(up.contentType), retryAfter: headerValue(up.headers["retry-after"]) });
  if (verdict) {
    discard(up.body);
    if (verdict.logError) ctx.error = verdict.logError;
    ctx.reason = reasonOfUpstreamStatus(up.status);
    return sendOciError(res, verdict.error, ctx.method);
  }

  const verify = ctx.method === "GET" && up.status === 200 && isValidDigest(reference);
  // As a flat list of names and values: no object built key by key on every request.
  const headers: Array<string | string[]> = [API_VERSION_NAME, API_VERSION_VALUE];
  for (let i = 0; i < RELAYED_HEADERS.length; i++) {
    const h = RELAYED_HEADERS[i]!;
    const v = up.headers[h];
    if (v !== undefined) headers.push(h, v);
  }
  if (kind === "manifests") ctx.digest = headerValue(up.headers["docker-content-digest"]);
  // Not on the wire yet: Node sends the head with the body's first write, or with a HEAD's end.
  res.writeHead(up.status, headers);
  if (ctx.method === "HEAD") {
    discard(up.body);
    res.end();
    return;
  }
  // A verified body's headers go out with its first bytes that passed (nothing is written before):
  // an empty body that fails its digest leaves the client no complete answer either.
  const arrived = (bytes: number) => {
    ctx.bytes += bytes;
    youngGc.streamed(bytes);
  };
  const streaming = youngGc.begin();
  try {
    // A Content-Length the body falls short of is a cut connection, however quietly it ended.
    if (verify) await sendVerified(up.body, res, reference, { onChunk: arrived, ...(up.contentLength !== undefined && { size: up.contentLength }) });
    else await sendAsIs(up.body, res, signal, arrived);
  } catch (e) {
    // Both streams are destroyed: the client sees a broken transfer (its Content-Length unmet, or
    // its chunked body never terminated), never a clean one; a client that left has its upstream
    // request aborted.
    const mismatch = e instanceof DigestMismatchError;
    if (mismatch || (e instanceof StreamBrokenError && e.side === "source")) {
      ctx.broken = true;
      ctx.reason = mismatch ? "verification_failed" : "upstream_cut";
      ctx.error = `upstream ${mismatch ? "body failed verification" : "stream failed"}: ${(e instanceof StreamBrokenError ? e.cause : (e as Error)).message}`;
      if (!mismatch) metrics.upstreamErrors.inc({ reason: "stream" });
      if (verify) metrics.verificationFailures.inc({ route: kind, reason: mismatch ? "mismatch" : "truncated" });
    } else ctx.error = "client disconnected";
  } finally {
    streaming();
    metrics.bytes.inc({ route: kind }, ctx.bytes);
  }
}

/** tags/list under the proxy's repository name, `n` and `last` checked, the upstream's next page link rewritten to ours. */
async function relayTags({ res, ctx, client, repository, path, query, signal, metrics }: RelayRequest): Promise<void> {
  const nText = query.get("n");
  const last = query.get("last");
  const n = nText === null ? undefined : Number(nText);
  if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 10_000)) return sendOciError(res, ociAnswer("UNSUPPORTED", "n must be an integer from 0 to 10000.", { status: 400 }), ctx.method);
  if (last !== null && !isValidTag(last)) return sendOciError(res, ociAnswer("TAG_INVALID", "last must be a tag."), ctx.method);
  const started = process.hrtime.bigint();
  const list = await client.listTags(repository, { ...(n !== undefined && { n }), ...(last !== null && { last }), signal });
  ctx.upstreamMs = secondsSince(started) * 1000;
  metrics.upstreamLatency.observe(secondsSince(started), { route: "tags" });
  const verdict = upstreamStatusAnswer("tags", { status: list.status, json: true, ...(list.errors[0] && { message: list.errors[0].message }) });
  if (verdict) {
    if (verdict.logError) ctx.error = verdict.logError;
    ctx.reason = reasonOfUpstreamStatus(list.status);
    return sendOciError(res, verdict.error, ctx.method);
  }
  const headers: Record<string, string> = {};
  const next = list.link?.match(/<[^>?]*(\?[^>]*)>\s*;\s*rel="?next"?/i);
  if (next) headers.link = `</v2/${path.name}/tags/list${next[1]}>; rel="next"`;
  const body = JSON.stringify({ name: path.name, tags: list.tags });
  ctx.bytes = ctx.method === "HEAD" ? 0 : Buffer.byteLength(body);
  metrics.bytes.inc({ route: "tags" }, ctx.bytes);
  sendJson(res, 200, { name: path.name, tags: list.tags }, ctx.method, headers);
}
