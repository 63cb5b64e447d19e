import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { INTERNAL_API, type LookupResponse } from "@/lib/internal/contract";

/**
 * A stand-in for the portal's internal API in the proxy benchmarks: every lookup is allowed with
 * the upstream's Basic credentials, pull events are counted and acknowledged. The proxy asks it
 * once per 5 s per license, so a real portal would not show in the numbers.
 */
/** The internal API as the proxy sees it, answering every lookup with the upstream's credentials. */
export async function startStubPortal(upstreamUrl: string, serviceToken: string, vendor: { username: string; password: string }) {
  const body: LookupResponse = {
    allowed: true,
    code: "ok",
    reason: "ok",
    license: { id: crypto.randomUUID(), customerId: crypto.randomUUID(), teamId: crypto.randomUUID(), appId: crypto.randomUUID(), expiresAt: null },
    registry: {
      id: crypto.randomUUID(),
      name: "up",
      endpoint: upstreamUrl,
      allowedRealmHosts: [],
      provider: "other",
      credentialsVersion: 1,
      matchedBy: "name",
      repository: "acme/big",
      credentials: { kind: "basic", ...vendor },
    },
  };
  let lookups = 0;
  let events = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.headers.authorization !== `Bearer ${serviceToken}`) return void res.writeHead(401).end("{}");
      if (req.url === INTERNAL_API.lookup) {
        lookups++;
        // Images are pulled through the registry's name: `up/<repository>`.
        const { image } = JSON.parse(Buffer.concat(chunks).toString()) as { image?: string[] };
        return void res.end(JSON.stringify(image ? { ...body, registry: { ...body.registry!, repository: image.slice(1).join("/") } } : body));
      }
      if (req.url === INTERNAL_API.pullEvents) {
        const n = (JSON.parse(Buffer.concat(chunks).toString()) as { events: unknown[] }).events.length;
        events += n;
        return void res.end(JSON.stringify({ accepted: n, unknownLicense: 0 }));
      }
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: () => ({ lookups, events }),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}
