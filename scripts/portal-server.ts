/**
 * The portal in production (`npm start` runs this through scripts/serve.ts): Next's request
 * handler behind a node:http server that decides the client address itself. `next start` only
 * fills X-Forwarded-For when a request lacks it, so a client could name its own address and walk
 * around the per-address sign-in limit. Here the header is replaced, on every request, by the one
 * address lib/http/client-address.ts finds: the socket's peer, or with PORTAL_TRUSTED_HOPS=n the
 * entry n proxies back. X-Real-IP, which no proxy of ours sets, is dropped.
 */
import http from "node:http";
import next from "next";
import { parseEnv } from "@/lib/config/env";
import { clientAddress } from "@/lib/http/client-address";
import { undeclaredProxyDetector } from "@/lib/http/undeclared-proxy";
import { applyConnectionLimits } from "@/lib/http/connection-limits";
import { logger } from "@/lib/log/log";
import { isLookupRequest, serveLookup } from "@/lib/internal/node-lookup";
import { answerProbe, probeOf } from "@/lib/http/probes";
import { applyBuiltNextConfig } from "./next-built-config";

const env = parseEnv();
const hostname = env.BIND_ADDRESS ?? "0.0.0.0";
const hops = env.PORTAL_TRUSTED_HOPS;
applyBuiltNextConfig(process.cwd());
const app = next({ dev: false, dir: process.cwd(), hostname, port: env.PORT });
const handle = app.getRequestHandler();
const origin = `http://127.0.0.1:${env.PORT}`;
await app.prepare();

const undeclaredProxy = undeclaredProxyDetector();
let stopping = false;
const server = http.createServer((req, res) => {
  // /healthz and /readyz for the load balancer and the kubelet (lib/http/probes.ts), ahead of Next.
  const probe = probeOf(req);
  if (probe) return answerProbe(req, res, probe, stopping);
  const forwarded = req.headers["x-forwarded-for"];
  // A private peer that forwards for several clients is a reverse proxy we weren't told about: with
  // 0 hops every client would share its address (and its sign-in limit). Say so once.
  if (hops === 0 && undeclaredProxy.seen(req.socket.remoteAddress, forwarded)) {
    logger().warn("requests arrive through a proxy (X-Forwarded-For for several clients from one private address) but PORTAL_TRUSTED_HOPS=0: every client counts as that proxy. Set PORTAL_TRUSTED_HOPS to the number of proxies in front.");
  }
  req.headers["x-forwarded-for"] = clientAddress(req.socket.remoteAddress, forwarded, hops);
  delete req.headers["x-real-ip"];
  // The proxies' lookups skip Next (lib/internal/node-lookup.ts): same handler, a fraction of the cost.
  const answered = isLookupRequest(req) ? serveLookup(req, res, origin) : handle(req, res);
  answered.catch((e: unknown) => {
    logger().error("portal request failed", { error: e });
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("Internal error");
    else res.destroy();
  });
});
// Bounded sockets and slow clients: a request's headers within PORTAL_HEADERS_TIMEOUT_MS (a client
// trickling them is cut), at most PORTAL_MAX_CONNECTIONS sockets, a quarter of them per client
// address unless proxies are trusted (then every socket is theirs). Idle kept-alive connections
// live longer than the idle timeout of common load balancers (60 s), so they never reuse a
// connection this server is closing; the headers timeout does not apply between requests.
const maxConnections = env.PORTAL_MAX_CONNECTIONS;
const connections = applyConnectionLimits(server, {
  maxConnections,
  maxPerAddress: env.PORTAL_MAX_CONNECTIONS_PER_ADDRESS ?? (hops > 0 ? 0 : Math.max(1, Math.floor(maxConnections / 4))),
  headersTimeoutMs: env.PORTAL_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: Math.max(env.PORTAL_HEADERS_TIMEOUT_MS, 300_000),
  keepAliveTimeoutMs: 65_000,
});
server.on("error", (e: NodeJS.ErrnoException) => {
  logger().error(`the portal could not listen on ${hostname}:${env.PORT}: ${e.code === "EADDRINUSE" ? "the port is in use" : e.message}`);
  process.exit(1);
});
server.listen(env.PORT, hostname, () => logger().info(`portal (production) listening on ${hostname}:${env.PORT}, trusting ${hops} proxy hop(s) for client addresses`));

// SIGTERM/SIGINT: /readyz answers 503 at once, every response from now on closes its connection
// and idle ones are closed, while new connections are still accepted for PORTAL_DRAIN_DELAY_MS (a
// load balancer's time to take this server out); then no new connections are accepted, the
// requests in flight get up to DRAIN_TIMEOUT_MS to finish, Next closes and the process exits 0
// (the launcher then closes the embedded database).
const DRAIN_TIMEOUT_MS = 25_000;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  connections.beginDrain();
  const delayMs = env.PORTAL_DRAIN_DELAY_MS;
  logger().info(`portal: ${signal}, draining: not ready now, no new connections in ${delayMs} ms, requests in flight get ${DRAIN_TIMEOUT_MS} ms more`);
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const finished = await connections.close(DRAIN_TIMEOUT_MS);
  if (!finished) logger().warn(`portal: requests still in flight after ${DRAIN_TIMEOUT_MS / 1000} s were cut`);
  await Promise.race([app.close(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
