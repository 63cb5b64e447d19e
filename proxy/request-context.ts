import type { PullReason } from "@/lib/activity/reasons";
import type { LookupResponse, PullAction } from "@/lib/internal/contract";

/** The route label of metrics and the access log: a small closed set, never a path. */
export type Route = "base" | "manifests" | "blobs" | "referrers" | "tags" | "healthz" | "readyz" | "metrics" | "other";

/** What one request has learned on its way, for the access log, the pull log and the metrics (access-log.ts). */
export interface RequestContext {
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
  /** The image route's app slug: an attempt whose license the portal did not know is recorded under it. */
  appSlug?: string;
  /** The repository as the client wrote it (`proxy/<slug>/<image>`): what the pull log records. */
  image?: string;
  /** Why the request was refused or ended early, when the proxy knows (lib/activity/reasons.ts). */
  reason?: PullReason;
  reference?: string | null;
  action?: PullAction;
  /** Where a cached registry's answer came from (proxy/cache/). */
  store?: "hit" | "miss" | "stale";
  /** The digest a manifest answer named (its Docker-Content-Digest), set by whoever wrote the answer. */
  digest?: string;
}

/**
 * A request's context with every field present from the start: one object shape for every
 * request, so the code that reads it (access-log.ts, on every request) stays monomorphic.
 */
export function createRequestContext(address: string, method: string): RequestContext {
  return {
    route: "other",
    address,
    method,
    started: process.hrtime.bigint(),
    bytes: 0,
    cache: undefined,
    upstreamMs: undefined,
    error: undefined,
    broken: undefined,
    license: undefined,
    appSlug: undefined,
    image: undefined,
    reason: undefined,
    reference: undefined,
    action: undefined,
    store: undefined,
    digest: undefined,
  };
}

/** Seconds since a `process.hrtime.bigint()` reading: durations are measured, never read off the clock. */
export const secondsSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
