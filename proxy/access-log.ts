import crypto from "node:crypto";
import type http from "node:http";
import type { ProxyMetrics } from "./metrics";
import type { PullLog } from "./pull-log";
import { secondsSince, type RequestContext, type Route } from "./request-context";
import { outcomeOf } from "./outcome";

/**
 * A finished request, recorded three ways: the request counter of /metrics (and, for a transfer
 * that ended early, the incomplete-transfer counter), a pull-log event (image routes: sent to the
 * portal in batches, pull-log.ts; refused attempts too, under their license or, when the portal
 * did not know it, their app) and one access-log line. Nothing here carries an Authorization header, a license ID or upstream credentials.
 */
const DIGEST = /^sha256:[a-f0-9]{64}$/;

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
  const { status, result, reason } = outcomeOf(res, ctx);
  metrics.requests.inc({ route: ctx.route, method: ctx.method === "HEAD" ? "HEAD" : ctx.method === "GET" ? "GET" : "other", status: String(status) });
  if (result === "incomplete") metrics.incompleteTransfers.inc({ route: ctx.route, cause: !ctx.broken ? "client" : reason === "cache_failed" ? "store" : "upstream" });
  const at = new Date(now()).toISOString();
  const answered = res.getHeader("docker-content-digest");
  const digest = result === "pulled" && ctx.route === "manifests" && typeof answered === "string" && DIGEST.test(answered) ? answered : undefined;
  if (ctx.action && ctx.image && (ctx.license || ctx.appSlug)) {
    pullLog.record({
      id: crypto.randomUUID(),
      licenseId: ctx.license?.id ?? null,
      ...(ctx.appSlug && { appSlug: ctx.appSlug }),
      image: ctx.image.slice(0, 512),
      reference: ctx.reference ?? null,
      action: ctx.action,
      status,
      bytes: ctx.bytes,
      actor: ctx.address,
      at,
      result,
      ...(reason && { reason }),
      ...(digest && { digest }),
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

/**
 * The access log as JSON lines to `write` (the process's stdout): the lines of requests that
 * finish in one turn of the event loop go out in one write — a write to a pipe is a system call
 * and a wake-up of its reader, on the process's one thread. `flush` writes what is gathered at
 * once (at exit: nothing is lost to the turn).
 */
export function accessLogLines(write: (text: string) => void): { log(entry: AccessLogEntry): void; flush(): void } {
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    const text = pending;
    pending = "";
    write(text);
  };
  return {
    log(entry) {
      pending += JSON.stringify(entry) + "\n";
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
