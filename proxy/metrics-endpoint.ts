import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ProxyMetrics } from "./metrics";

/**
 * Where `/metrics` is served. Metrics tell anyone who reads them which routes are used, how much
 * is pulled and when the portal fails, so they are not on the customers' port by default:
 *
 * - a listener of their own (PROXY_METRICS_PORT, on PROXY_METRICS_BIND, default 127.0.0.1) for
 *   a scraper on the same host or network;
 * - on the public port only with a token (PROXY_METRICS_TOKEN), sent as `Authorization: Bearer`;
 *   without one the public port answers 404 there, as for any path it doesn't serve.
 *
 * With a token configured, the separate listener asks for it too. Compared in constant time.
 */
export interface MetricsAccess {
  token?: string;
}

const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricsDecision = "serve" | "unauthorized" | "not_found";

const digest = (s: string) => crypto.createHash("sha256").update(s).digest();

/** `onPublicPort`: the request came to the customers' port, where a token is the only way in. */
export function metricsDecision(access: MetricsAccess, authorization: string | undefined, onPublicPort: boolean): MetricsDecision {
  if (!access.token) return onPublicPort ? "not_found" : "serve";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return m && crypto.timingSafeEqual(digest(m[1]!), digest(access.token)) ? "serve" : "unauthorized";
}

export function sendMetricsAnswer(res: http.ServerResponse, decision: MetricsDecision, metrics: ProxyMetrics): void {
  if (decision === "serve") return void writeText(res, 200, metrics.render(), { "content-type": METRICS_CONTENT_TYPE });
  if (decision === "unauthorized") return void writeText(res, 401, "metrics need the configured bearer token\n", { "www-authenticate": 'Bearer realm="metrics"' });
  writeText(res, 404, "not found\n");
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** The separate metrics listener: GET /metrics and nothing else. */
export async function startMetricsServer(metrics: ProxyMetrics, access: MetricsAccess, port: number, host: string): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if ((req.url ?? "/").split("?")[0] !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) return writeText(res, 404, "not found\n");
    sendMetricsAnswer(res, metricsDecision(access, req.headers.authorization, false), metrics);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function writeText(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store", ...headers });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
