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
import { parseEnv } from "../lib/config/env";
import { clientAddress } from "../lib/http/client-address";

const env = parseEnv(process.env);
const hostname = process.env.BIND_ADDRESS || "0.0.0.0";
const app = next({ dev: false, dir: process.cwd(), hostname, port: env.PORT });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  req.headers["x-forwarded-for"] = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], env.PORTAL_TRUSTED_HOPS);
  delete req.headers["x-real-ip"];
  handle(req, res).catch((e: unknown) => {
    console.error("[portcullis] portal request failed:", (e as Error)?.message ?? e);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("Internal error");
    else res.destroy();
  });
});
server.listen(env.PORT, hostname, () => console.log(`[portcullis] portal (production) listening on ${hostname}:${env.PORT}, trusting ${env.PORTAL_TRUSTED_HOPS} proxy hop(s) for client addresses`));

const stop = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
