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

/**
 * `new Date(ms).toISOString()`, from the text of its second kept for the next call: on every
 * request's path, where Date's own formatting costs more than the rest of the pull-log event.
 */
export function isoTime(time: number): string {
  const ms = Math.floor(time);
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond.at) {
    isoSecond.at = second;
    isoSecond.text = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const milli = ms - second * 1000;
  return `${isoSecond.text}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}
const isoSecond = { at: NaN, text: "" };

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
  const at = isoTime(now());
  const digest = result === "pulled" && ctx.route === "manifests" && ctx.digest !== undefined && DIGEST.test(ctx.digest) ? ctx.digest : undefined;
  if (ctx.action && ctx.image && (ctx.license || ctx.appSlug)) {
    // Every field present, undefined ones too (JSON leaves them out): one shape for every event.
    pullLog.record({
      id: crypto.randomUUID(),
      licenseId: ctx.license?.id ?? null,
      appSlug: ctx.appSlug || undefined,
      image: ctx.image.length > 512 ? ctx.image.slice(0, 512) : ctx.image,
      reference: ctx.reference ?? null,
      action: ctx.action,
      status,
      bytes: ctx.bytes,
      actor: ctx.address,
      at,
      result,
      reason,
      digest,
      cache: ctx.store,
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
