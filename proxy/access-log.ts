import crypto from "node:crypto";
import type http from "node:http";
import type { ProxyMetrics } from "./metrics";
import type { PullLog } from "./pull-log";
import { secondsSince, type RequestContext, type Route } from "./request-context";

/**
 * A finished request, recorded three ways: the request counter of /metrics, a pull-log event
 * (image routes with a license: sent to the portal in batches, pull-log.ts) and one access-log
 * line. Nothing here carries an Authorization header, a license ID or upstream credentials.
 */
export interface AccessLogEntry {
  time: string;
  method: string;
  route: Route;
  path: string;
  status: number;
  bytes: number;
  ms: number;
  cache?: string;
  /** hit, miss or stale: where a cached registry's answer came from. */
  store?: string;
  upstreamMs?: number;
  error?: string;
}

export interface AccessRecorder {
  metrics: ProxyMetrics;
  pullLog: PullLog;
  log?: (entry: AccessLogEntry) => void;
  now: () => number;
}

export function recordFinished(rec: AccessRecorder, req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): void {
  const { metrics, pullLog, log, now } = rec;
  metrics.inflight.add(-1);
  // A transfer the upstream broke is a 502 in the pull log, the metrics and the access log
  // (the client saw its connection cut); one the client left, or never got headers for, a 499.
  const status = ctx.broken ? 502 : res.headersSent ? res.statusCode : 499;
  metrics.requests.inc({ route: ctx.route, method: ctx.method === "HEAD" ? "HEAD" : ctx.method === "GET" ? "GET" : "other", status: String(status) });
  const at = new Date(now()).toISOString();
  if (ctx.license && ctx.action && ctx.image) {
    pullLog.record({
      id: crypto.randomUUID(),
      licenseId: ctx.license.id,
      image: ctx.image.slice(0, 512),
      reference: ctx.reference ?? null,
      action: ctx.action,
      status,
      bytes: ctx.bytes,
      actor: ctx.address,
      at,
      ...(ctx.store && { cache: ctx.store }),
    });
  }
  log?.({
    time: at,
    method: ctx.method,
    route: ctx.route,
    path: (req.url ?? "").split("?")[0]!.slice(0, 512),
    status,
    bytes: ctx.bytes,
    ms: Math.round(secondsSince(ctx.started) * 1e4) / 10,
    ...(ctx.cache && { cache: ctx.cache }),
    ...(ctx.store && { store: ctx.store }),
    ...(ctx.upstreamMs !== undefined && { upstreamMs: Math.round(ctx.upstreamMs * 10) / 10 }),
    ...(ctx.error && { error: ctx.error.slice(0, 300) }),
  });
}
