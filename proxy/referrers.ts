import type http from "node:http";
import { ociAnswer } from "@/lib/oci/errcode";
import { UpstreamError } from "@/lib/oci/errors";
import { MAX_MANIFEST_BYTES } from "@/lib/oci/manifest";
import type { ProxyRequestPath } from "@/lib/oci/proxy-path";
import {
  emptyReferrersIndex,
  filterReferrers,
  FILTERS_APPLIED_HEADER,
  isValidArtifactType,
  parseReferrersIndex,
  referrersTag,
  REFERRERS_MEDIA_TYPE,
  type ReferrersIndex,
} from "@/lib/oci/referrers";
import type { RegistryClient, UpstreamResponse } from "@/lib/oci/registry-client";
import { discard, readLimited, toUpstreamError } from "@/lib/oci/transport";
import type { ProxyMetrics } from "./metrics";
import { API_VERSION_HEADER, sendOciError } from "./oci-response";
import { secondsSince, type RequestContext } from "./request-context";
import { upstreamStatusAnswer, type StatusVerdict } from "./upstream-answers";

/**
 * `GET|HEAD /v2/proxy/<slug>/<image>/referrers/<digest>[?artifactType=…]` (OCI distribution spec
 * 1.1): the manifests that name `<digest>` as their `subject` — signatures, attestations, SBOMs.
 *
 * The upstream's referrers API answers when it has one (its index relayed byte for byte, its next
 * page link rewritten to the proxy's name). A 404 there means it has none (CNCF Distribution 2.8
 * among them): the list is then the index that cosign, oras and notation push under the
 * subject's tag `sha256-<hex>` ("Referrers Tag Schema"), and no such tag — or one that
 * isn't an image index — means no referrers: an empty index. Either way `artifactType` filters
 * the list, by the upstream when it says so (`OCI-Filters-Applied`), else here, and the answer
 * says the filter was applied.
 */

export interface ReferrersRequest {
  res: http.ServerResponse;
  ctx: RequestContext;
  client: RegistryClient;
  /** The upstream repository (the portal's answer). */
  repository: string;
  path: ProxyRequestPath;
  query: URLSearchParams;
  signal: AbortSignal;
  metrics: ProxyMetrics;
}

/** A referrers list to send: the bytes to relay as they are, or an index to write. */
type Listing = { index: ReferrersIndex; bytes?: Buffer; filtered: boolean; link?: string };
/** The error the client gets instead. */
type Refusal = NonNullable<StatusVerdict>;

const notAnIndex = (): Refusal => ({
  error: ociAnswer("UNAVAILABLE", "The upstream registry answered the referrers request with something that is not an image index.", { status: 502 }),
  logError: "upstream referrers: not an image index",
});

export async function relayReferrers(r: ReferrersRequest): Promise<void> {
  const { res, ctx, client, repository, path, query, signal, metrics } = r;
  const artifactType = query.get("artifactType");
  if (artifactType !== null && !isValidArtifactType(artifactType)) {
    return sendOciError(res, ociAnswer("UNSUPPORTED", "artifactType must be a media type (type/subtype).", { status: 400 }), ctx.method);
  }
  const subject = path.reference!;
  const started = process.hrtime.bigint();
  const host = client.endpoint.host;

  let listing: Listing | Refusal;
  const api = await client.getReferrers(repository, subject, { query, signal });
  if (api.status === 404) {
    discard(api.body);
    const tagged = await client.getManifest(repository, referrersTag(subject), { accept: REFERRERS_MEDIA_TYPE, signal });
    listing = await fromTagSchema(tagged, host);
  } else listing = await fromReferrersApi(api, host, path);
  ctx.upstreamMs = secondsSince(started) * 1000;
  metrics.upstreamLatency.observe(secondsSince(started), { route: "referrers" });
  if ("error" in listing) {
    if (listing.logError) ctx.error = listing.logError;
    return sendOciError(res, listing.error, ctx.method);
  }

  let { index, bytes } = listing;
  if (artifactType !== null && !listing.filtered) {
    index = filterReferrers(index, artifactType);
    bytes = undefined;
  }
  const body = bytes ?? Buffer.from(JSON.stringify(index));
  res.writeHead(200, {
    ...API_VERSION_HEADER,
    "content-type": REFERRERS_MEDIA_TYPE,
    "content-length": String(body.length),
    ...(artifactType !== null && { [FILTERS_APPLIED_HEADER]: "artifactType" }),
    ...(listing.link && { link: listing.link }),
  });
  ctx.bytes = ctx.method === "HEAD" ? 0 : body.length;
  metrics.bytes.inc({ route: "referrers" }, ctx.bytes);
  res.end(ctx.method === "HEAD" ? undefined : body);
}

/** The upstream's referrers API answered (not 404): its index, or the error its status means. */
async function fromReferrersApi(up: UpstreamResponse, host: string, path: ProxyRequestPath): Promise<Listing | Refusal> {
  if (up.status !== 200) return refusalOf(up);
  const bytes = await readIndex(up, host);
  const index = parseReferrersIndex(bytes);
  if (!index) return notAnIndex();
  const filters = String(up.headers[FILTERS_APPLIED_HEADER] ?? "").split(",").map((f) => f.trim());
  const next = typeof up.headers.link === "string" ? up.headers.link.match(/<[^>?]*(\?[^>]*)>\s*;\s*rel="?next"?/i) : null;
  return { index, bytes, filtered: filters.includes("artifactType"), ...(next && { link: `</v2/${path.name}/referrers/${path.reference}${next[1]}>; rel="next"` }) };
}

/** The index under the subject's referrers tag; none there, or not an index: no referrers. */
async function fromTagSchema(up: UpstreamResponse, host: string): Promise<Listing | Refusal> {
  if (up.status === 404) {
    discard(up.body);
    return { index: emptyReferrersIndex(), filtered: false };
  }
  if (up.status !== 200) return refusalOf(up);
  const bytes = await readIndex(up, host);
  const index = parseReferrersIndex(bytes);
  return index ? { index, bytes, filtered: false } : { index: emptyReferrersIndex(), filtered: false };
}

/** An upstream error status as the proxy's OCI error (upstream-answers.ts); anything else it doesn't turn into one is a 502 here. */
function refusalOf(up: UpstreamResponse): Refusal {
  discard(up.body);
  const verdict = upstreamStatusAnswer("referrers", { status: up.status, retryAfter: headerText(up.headers["retry-after"]) });
  return verdict ?? { error: ociAnswer("UNAVAILABLE", `The upstream registry answered the referrers request with HTTP ${up.status}.`, { status: 502 }), logError: `upstream ${up.status}` };
}

async function readIndex(up: UpstreamResponse, host: string): Promise<Buffer> {
  try {
    return await readLimited(up.body, MAX_MANIFEST_BYTES);
  } catch (e) {
    throw e instanceof UpstreamError ? e : toUpstreamError(host, e);
  }
}

const headerText = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);
