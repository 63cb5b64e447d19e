import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { env, resetEnvCache, type Env } from "@/lib/config/env";
import { disconnectDb } from "@/lib/db/client";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { generateLicenseId, hashLicenseId, licenseIdHint } from "@/lib/licenses/license-id";
import { normalizeEndpoint } from "@/lib/oci/endpoint";
import { storeRegistrySecret, secretFieldOf } from "@/lib/registries/secret";
import { GET as pingRoute } from "@/app/api/internal/proxy/ping/route";
import { POST as lookupRoute } from "@/app/api/internal/proxy/lookup/route";
import { POST as pullEventsRoute } from "@/app/api/internal/proxy/pull-events/route";

/**
 * Test support for the registry proxy: the portal's internal API served by its real route
 * handlers (Next's `Request` → `Response` functions) behind a small node:http server, so the
 * proxy talks HTTP to exactly the code the portal's server runs; plus tenant/license/registry rows.
 */

/** Environment for a proxy test file; call at module scope, before anything reads env(). */
export function configureProxyTestEnv(): { serviceToken: string; dataDir: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-proxy-test-"));
  const serviceToken = crypto.randomBytes(24).toString("base64url");
  Object.assign(process.env, {
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    LOCAL_KMS_KEYS: `proxytest:${crypto.randomBytes(32).toString("base64")}`,
    PORTCULLIS_DATA_DIR: dataDir,
    PROXY_SERVICE_TOKEN: serviceToken,
    ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
  });
  resetEnvCache();
  return { serviceToken, dataDir };
}

/** Points the portal code of this process at a test database (getDb reads DATABASE_URL). */
export function useDatabase(url: string, extraEnv: Record<string, string> = {}): void {
  Object.assign(process.env, { DATABASE_URL: url, ...extraEnv });
  resetEnvCache();
}

export async function releaseDatabase(): Promise<void> {
  await disconnectDb();
}

type Handler = ((req: Request) => Promise<Response>) & { with(deps: { env: () => Env }): Handler };

const ROUTES: Record<string, Handler> = {
  "GET /api/internal/proxy/ping": pingRoute,
  "POST /api/internal/proxy/lookup": lookupRoute,
  "POST /api/internal/proxy/pull-events": pullEventsRoute,
};

export interface InternalApi {
  url: string;
  port: number;
  /** Requests per route key ("POST /api/internal/proxy/lookup"). */
  calls: Map<string, number>;
  /** Stops listening (a portal outage); `start()` resumes on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The internal API on this process's configuration, or on `opts.env` (e.g. production without a token). */
export async function startInternalApi(opts: { env?: Env } = {}): Promise<InternalApi> {
  const calls = new Map<string, number>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const pathname = (req.url ?? "/").split("?")[0];
    const key = `${req.method} ${pathname}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const route = ROUTES[key] as Handler | undefined;
    const handler = route && opts.env ? route.with({ env: () => opts.env! }) : route;
    if (!handler) {
      res.writeHead(404, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ error: { code: "not_found", message: "Not found" } }));
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      ...(req.method !== "GET" && req.method !== "HEAD" && { body: Buffer.concat(chunks) }),
    });
    try {
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
    }
  });
  let port = 0;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    calls,
    start,
    stop,
    close: async () => {
      if (server.listening) await stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rows

export interface Tenant {
  teamId: string;
  appId: string;
  appSlug: string;
  customerId: string;
}

export async function createTenant(db: PrismaClient, opts: { slug: string; teamName?: string }): Promise<Tenant> {
  const team = await db.team.create({ data: { name: opts.teamName ?? `Team ${opts.slug}` } });
  const app = await db.app.create({ data: { teamId: team.id, name: opts.slug, slug: opts.slug } });
  const customer = await db.customer.create({ data: { teamId: team.id, name: `Customer of ${opts.slug}` } });
  return { teamId: team.id, appId: app.id, appSlug: app.slug, customerId: customer.id };
}

export async function createLicense(db: PrismaClient, t: { teamId: string; appId: string; customerId: string }, opts: { expiresAt?: Date } = {}) {
  const licenseId = generateLicenseId();
  const row = await db.license.create({
    data: {
      teamId: t.teamId,
      appId: t.appId,
      customerId: t.customerId,
      type: "paid",
      ...hashLicenseId(licenseId),
      licenseIdHint: licenseIdHint(licenseId),
      ...(opts.expiresAt && { expiresAt: opts.expiresAt }),
    },
  });
  return { id: row.id, licenseId };
}

export async function addRegistry(
  db: PrismaClient,
  teamId: string,
  r: { provider?: "other" | "ecr" | "gcr"; name?: string; endpoint: string; username: string; secret?: string },
) {
  const provider = r.provider ?? "other";
  const endpoint = normalizeEndpoint(r.endpoint, { dockerHubRegistry: env().DOCKER_HUB_REGISTRY, allowPrivate: true }).baseUrl;
  return db.$transaction(async (tx) => {
    const row = await tx.registry.create({
      data: { teamId, provider, name: r.name ?? null, endpoint, endpointInput: r.endpoint, username: r.username },
    });
    if (r.secret !== undefined) await storeRegistrySecret(tx, { teamId, registryId: row.id, field: secretFieldOf(provider) }, r.secret);
    return row;
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP

export const licenseAuth = (licenseId: string) => `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}`;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request with node:http (no fetch: it would normalise `..` in paths). */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; path?: string } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: opts.method ?? "GET", path: opts.path ?? u.pathname + u.search, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

export const ociErrors = (r: RawResponse) => (JSON.parse(r.body.toString("utf8")) as { errors: Array<{ code: string; message: string }> }).errors;
