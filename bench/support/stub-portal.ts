import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { cacheRepository } from "@/lib/cache/naming";
import { INTERNAL_API, type LookupResponse } from "@/lib/internal/contract";
import type { RegistryCredentials } from "@/lib/oci/credentials";

/**
 * The internal API as the proxy sees it (lib/internal/contract.ts), answering every lookup — any
 * license — with one upstream and its credentials. Images are pulled through the registry's name:
 * `/v2/proxy/app/up/<repository>`. With `cache`, the answers carry cache access to that store
 * (any token: a no-auth Distribution ignores it), and cache events are accepted and counted.
 */
export interface StubPortalOptions {
  upstreamUrl: string;
  serviceToken: string;
  credentials: RegistryCredentials;
  cache?: { storeUrl: string; maxStaleSeconds?: number };
}

export interface StubPortal {
  url: string;
  registryId: string;
  stats(): { lookups: number; events: number; cacheEvents: number };
  close(): Promise<unknown>;
}

export async function startStubPortal(opts: StubPortalOptions): Promise<StubPortal> {
  const registryId = crypto.randomUUID();
  const answerFor = (repository: string): LookupResponse => {
    const store = opts.cache && cacheRepository(registryId, repository);
    return {
      allowed: true,
      code: "ok",
      reason: "ok",
      license: { id: crypto.randomUUID(), customerId: crypto.randomUUID(), teamId: crypto.randomUUID(), appId: crypto.randomUUID(), expiresAt: null },
      registry: {
        id: registryId,
        name: "up",
        endpoint: opts.upstreamUrl,
        allowedRealmHosts: [],
        provider: "other",
        credentialsVersion: 1,
        matchedBy: "name",
        repository,
        credentials: opts.credentials,
        ...(opts.cache &&
          store && {
            cache: {
              url: opts.cache.storeUrl,
              repository: store,
              token: "bench-store-token",
              tokenExpiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
              maxStaleSeconds: opts.cache.maxStaleSeconds ?? 0,
            },
          }),
      },
    };
  };
  let lookups = 0;
  let events = 0;
  let cacheEvents = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.headers.authorization !== `Bearer ${opts.serviceToken}`) return void res.writeHead(401).end("{}");
      const body = () => JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      switch (req.url) {
        case INTERNAL_API.lookup: {
          lookups++;
          const { image } = body() as { image?: string[] };
          return void res.end(JSON.stringify(answerFor(image ? image.slice(1).join("/") : "acme/big")));
        }
        case INTERNAL_API.pullEvents: {
          const n = (body().events as unknown[]).length;
          events += n;
          return void res.end(JSON.stringify({ accepted: n, unknownLicense: 0 }));
        }
        case INTERNAL_API.cacheEvents: {
          const n = (body().events as unknown[]).length;
          cacheEvents += n;
          return void res.end(JSON.stringify({ accepted: n, evicted: [] }));
        }
        case INTERNAL_API.cacheTag:
          return void res.writeHead(404).end(JSON.stringify({ error: "no proxy has seen this tag" }));
        default:
          res.end(JSON.stringify({ ok: true }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    registryId,
    stats: () => ({ lookups, events, cacheEvents }),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}
