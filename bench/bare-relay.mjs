// The baseline for bench/proxy.ts: the least a Node relay can do — no license check, no pull
// log, no metrics; `/v2/proxy/app/up/<image>/…` → `/v2/<image>/…` on UPSTREAM_URL with fixed
// Basic credentials, answer streamed with stream.pipeline. Not part of the product.
// BARE_RELAY_HASH=1: also hashes every blob's body (sha256, as it streams, nothing held back) and
// cuts the connection on a mismatch — what a relay that checks digests spends beyond the bare one.
import crypto from "node:crypto";
import http from "node:http";
import { pipeline } from "node:stream/promises";

const upstream = new URL(process.env.UPSTREAM_URL);
const authorization = `Basic ${Buffer.from(process.env.UPSTREAM_CREDS).toString("base64")}`;
const agent = new http.Agent({ keepAlive: true });
const HASH = process.env.BARE_RELAY_HASH === "1";
const RELAYED = ["content-type", "content-length", "docker-content-digest", "etag", "content-range", "accept-ranges"];

http
  .createServer((req, res) => {
    if (req.url === "/healthz" || req.url === "/v2/") return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
    const path = req.url.replace(/^\/v2\/proxy\/app\/up\//, "/v2/");
    const headers = { authorization };
    for (const h of ["accept", "range"]) if (req.headers[h]) headers[h] = req.headers[h];
    const up = http.request({ host: upstream.hostname, port: upstream.port, path, method: req.method, headers, agent }, (ur) => {
      const out = {};
      for (const h of RELAYED) if (ur.headers[h] !== undefined) out[h] = ur.headers[h];
      res.writeHead(ur.statusCode, out);
      const digest = HASH && req.method === "GET" && ur.statusCode === 200 && /\/blobs\/sha256:[0-9a-f]{64}$/.exec(path)?.[0].slice(14);
      if (digest) {
        const hash = crypto.createHash("sha256");
        ur.on("data", (chunk) => hash.update(chunk));
        ur.once("end", () => {
          if (hash.digest("hex") !== digest) res.destroy();
        });
      }
      pipeline(ur, res).catch(() => {});
    });
    up.on("error", () => res.destroy());
    up.end();
  })
  .listen(Number(process.env.PORT), "127.0.0.1");

// Exit on SIGTERM as the proxy does (a `--cpu-prof` profile is written at exit).
process.on("SIGTERM", () => process.exit(0));
