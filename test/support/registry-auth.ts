import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { main } from "@/cli/main";
import { resetEnvCache } from "@/lib/config/env";
import { resetKeyProviders } from "@/lib/crypto";
import { resetRegistrySigningKey } from "@/lib/registry-auth/signing-key";
import { GET as tokenRoute, POST as oauthTokenRoute } from "@/app/api/registry/token/route";
import { POST as eventsRoute } from "@/app/api/registry/events/route";
import { startDistribution, type Distribution } from "./registry";

/**
 * Test support for the hosted registry: the portal's token service and notifications receiver
 * served by their real route handlers behind a small node:http server (what the portal's server runs,
 * given real Request objects), and a real Distribution configured by `portcullis registry config`.
 */

/** Environment for a registry-auth test file (development mode: key and events secret generated into a temp data dir). */
export function configureRegistryAuthTestEnv(): { dataDir: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-regauth-test-"));
  Object.assign(process.env, {
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    LOCAL_KMS_KEYS: `regauth:${crypto.randomBytes(32).toString("base64")}`,
    PORTCULLIS_DATA_DIR: dataDir,
  });
  for (const v of ["REGISTRY_TOKEN_KEY_FILE", "REGISTRY_EVENTS_TOKEN", "KMS_PROVIDER", "LOCAL_KMS_KEY_FILE", "LOCAL_KMS_ACTIVE_KEY", "PORTAL_URL"]) delete process.env[v];
  resetEnvCache();
  resetKeyProviders();
  resetRegistrySigningKey();
  return { dataDir };
}

type Handler = (req: Request) => Promise<Response> | Response;

const ROUTES: Record<string, Handler> = {
  "GET /api/registry/token": tokenRoute,
  "POST /api/registry/token": oauthTokenRoute,
  "POST /api/registry/events": eventsRoute,
};

export interface PortalRoutes {
  url: string;
  /** Requests per route key ("GET /api/registry/token") with their statuses. */
  calls: Array<{ key: string; status: number }>;
  close(): Promise<void>;
}

export async function startRegistryAuthRoutes(): Promise<PortalRoutes> {
  const calls: PortalRoutes["calls"] = [];
  const server = http.createServer(async (req, res) => {
    const key = `${req.method} ${(req.url ?? "/").split("?")[0]}`;
    const handler = ROUTES[key];
    if (!handler) {
      calls.push({ key, status: 404 });
      res.writeHead(404, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ errors: [{ code: "NOT_FOUND", message: "not found" }] }));
    }
    req.on("error", () => {}); // a client that goes away mid-body
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      // Streamed, as Next hands bodies to route handlers: a handler's own size limit is what stops a large one.
      ...(req.method !== "GET" && req.method !== "HEAD" && { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" }),
    } as RequestInit);
    try {
      const response = await handler(request);
      calls.push({ key, status: response.status });
      // A body the handler refused to read to its end: this connection can't carry another request.
      if (!req.complete) res.setHeader("connection", "close");
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      // A route handler must never throw: make it loud.
      calls.push({ key, status: 500 });
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A real Distribution whose config (and certificate bundle) `portcullis registry config` wrote. */
export async function startHostedRegistry(portalUrl: string): Promise<Distribution & { cliOutput: string[] }> {
  const cliOutput: string[] = [];
  const registry = await startDistribution({
    configure: async ({ port, dir, storageDir }) => {
      const out = path.join(dir, "config.yml");
      const io = { out: (l: string) => cliOutput.push(l), err: (l: string) => cliOutput.push(`stderr: ${l}`) };
      const code = await main(["registry", "config", "--storage", storageDir, "--out", out, "--addr", `127.0.0.1:${port}`, "--portal-url", portalUrl], io);
      if (code !== 0) throw new Error(`portcullis registry config exited ${code}:\n${cliOutput.join("\n")}`);
      return out;
    },
  });
  return Object.assign(registry, { cliOutput });
}

export const basicAuth = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
