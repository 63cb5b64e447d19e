import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERNAL_API } from "@/lib/internal/contract";
import { isLookupRequest, serveLookup } from "@/lib/internal/node-lookup";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { proxyFixture } from "@/test/support/proxy-fixture";

/**
 * The lookup as the portal's front server answers it, ahead of Next (lib/internal/node-lookup.ts):
 * the same answers as the route under Next (fx.api, the route file), the service token, the body
 * limit with the connection closed after it, and every other request left to Next.
 */

describe("internal lookup API served from node:http", () => {
  const fx = proxyFixture();
  let server: http.Server;
  let url: string;
  let next = 0;
  let body: { licenseId: string; appSlug: string; image: string[] };

  const post = (base: string, payload: string, opts: { token?: string; path?: string } = {}) =>
    fetch(`${base}${opts.path ?? INTERNAL_API.lookup}`, { method: "POST", headers: { authorization: `Bearer ${opts.token ?? fx.serviceToken}`, "content-type": "application/json" }, body: payload });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (isLookupRequest(req)) return void serveLookup(req, res, url);
      next++;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t = await createTenant(fx.db, { slug: "node-lookup" });
    await addRegistry(fx.db, t.teamId, { name: "up", endpoint: "registry.vendor.example", username: "vendor", secret: "vendor-password" });
    const license = await createLicense(fx.db, t);
    body = { licenseId: license.licenseId, appSlug: "node-lookup", image: ["up", "acme", "app"] };
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("answers as the route does: an allowed lookup, an unknown license, another app", async () => {
    for (const payload of [body, { ...body, licenseId: "Z".repeat(27) }, { ...body, appSlug: "other-app" }]) {
      const [direct, viaNext] = await Promise.all([post(url, JSON.stringify(payload)), post(fx.api.url, JSON.stringify(payload))]);
      expect(direct.status).toBe(viaNext.status);
      expect(direct.headers.get("content-type")).toBe(viaNext.headers.get("content-type"));
      expect(await direct.json()).toEqual(await viaNext.json());
    }
    const ok = await post(url, JSON.stringify(body), { path: `${INTERNAL_API.lookup}?any=thing` });
    expect(await ok.json()).toMatchObject({ allowed: true, registry: { credentials: { kind: "basic", username: "vendor", password: "vendor-password" } } });
  });

  it("asks for the service token and validates the body", async () => {
    const refused = await post(url, JSON.stringify(body), { token: "not-the-service-token-at-all" });
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain(body.licenseId);
    const invalid = await post(url, JSON.stringify({ ...body, image: [] }));
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).error.code).toBe("validation_failed");
  });

  it("a body over the limit: 422, and the connection is closed rather than read on", async () => {
    const res = await post(url, JSON.stringify({ ...body, licenseId: "x".repeat(200_000) }));
    expect(res.status).toBe(422);
    expect(res.headers.get("connection")).toBe("close");
    expect((await res.json()).error.message).toMatch(/larger than/);
    // The server still answers the next request.
    expect((await post(url, JSON.stringify(body))).status).toBe(200);
  });

  it("leaves every other request to Next", async () => {
    const before = next;
    await fetch(`${url}${INTERNAL_API.ping}`, { headers: { authorization: `Bearer ${fx.serviceToken}` } });
    await fetch(`${url}${INTERNAL_API.lookup}`, { headers: { authorization: `Bearer ${fx.serviceToken}` } });
    await fetch(`${url}${INTERNAL_API.lookup}x`, { method: "POST", body: "{}" });
    expect(next).toBe(before + 3);
  });
});
