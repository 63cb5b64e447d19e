import type http from "node:http";

/**
 * The probes of the portal's front server (scripts/portal-server.ts), answered by it before Next,
 * without authentication (neither says anything about teams or data):
 *
 * - `GET /healthz` (liveness): 200 `ok` while the process runs;
 * - `GET /readyz` (readiness): 200 `ready`, then 503 `shutting down` from the moment the process
 *   is told to stop, so a load balancer or Kubernetes takes it out of rotation while it still
 *   accepts connections (PORTAL_DRAIN_DELAY_MS), before it stops accepting.
 *
 * No page of app/ has these paths, and the Kubernetes Ingress does not route them: they are for
 * the balancer and the kubelet, which reach the pod directly.
 */
export type Probe = "healthz" | "readyz";

const PROBES: Record<string, Probe> = { "/healthz": "healthz", "/readyz": "readyz" };

/** The probe `req` asks for (any method, any query), if any. */
export function probeOf(req: Pick<http.IncomingMessage, "url">): Probe | undefined {
  const path = (req.url ?? "").split("?", 1)[0]!;
  return Object.hasOwn(PROBES, path) ? PROBES[path] : undefined;
}

/** Answers a probe; `stopping` is true once SIGTERM/SIGINT arrived. GET and HEAD only. */
export function answerProbe(req: http.IncomingMessage, res: http.ServerResponse, probe: Probe, stopping: boolean): void {
  const [status, body] =
    req.method !== "GET" && req.method !== "HEAD"
      ? [405, "method not allowed\n"]
      : probe === "healthz"
        ? [200, "ok\n"]
        : stopping
          ? [503, "shutting down\n"]
          : [200, "ready\n"];
  const headers: http.OutgoingHttpHeaders = { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store" };
  if (status === 405) headers.allow = "GET, HEAD";
  // A request body (none is expected) is read and dropped, so the connection stays usable.
  req.resume();
  res.writeHead(status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}
