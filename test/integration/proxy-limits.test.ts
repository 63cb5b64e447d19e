import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { startFakeRegistry, type FakeRegistry } from "@/test/fakes/registry";
import { addRegistry, createLicense, createTenant, type Tenant } from "@/test/support/factories";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { until, proxyFixture } from "@/test/support/proxy-fixture";

/**
 * What one client can cost the proxy and the portal: license lookups are counted before they are
 * made (a storm of guesses puts at most the limit on the portal), a revoked license is limited
 * like any other refusal, sockets and slow clients are bounded, and /metrics is not public.
 */

const vendor = { username: "vendor", password: "limits-upstream-pass" };
const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
const blob = crypto.randomBytes(200_000);
const manifestBody = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", layers: [] }));
const guess = () => licenseAuth(crypto.randomBytes(20).toString("base64url"));

describe("registry proxy: limits", () => {
  const fx = proxyFixture();
  let fake: FakeRegistry;
  let tenant: Tenant;

  beforeAll(async () => {
    fake = await startFakeRegistry({ kind: "basic", ...vendor });
    fake.blobs.set(sha256(blob), blob);
    fake.manifests.set("acme/app:1.0", { body: manifestBody, mediaType: "application/vnd.oci.image.manifest.v1+json" });
    tenant = await createTenant(fx.db, { slug: "limited" });
    await addRegistry(fx.db, tenant.teamId, { name: "fake", endpoint: fake.url, ...vendor, secret: vendor.password });
    return () => fake?.close();
  });

  const manifestUrl = (base: string) => `${base}/v2/proxy/limited/fake/acme/app/manifests/1.0`;
  const blobUrl = (base: string) => `${base}/v2/proxy/limited/fake/acme/app/blobs/${sha256(blob)}`;

  describe("license lookups", () => {
    it("200 guessed licenses at once from one address put at most the limit (30) of lookups on the portal", async () => {
      const { url } = await fx.startProxy();
      const before = fx.lookups();
      const answers = await Promise.all(Array.from({ length: 200 }, () => rawRequest(`${url}/v2/`, { headers: { authorization: guess() } })));
      const asked = fx.lookups() - before;
      expect(asked).toBeLessThanOrEqual(30);
      expect(answers.filter((a) => a.status === 401)).toHaveLength(asked);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(200 - asked);
      // Every refusal counted, none of the 429s asked the portal: the address stays blocked.
      expect((await rawRequest(`${url}/v2/`, { headers: { authorization: guess() } })).status).toBe(429);
      expect(fx.lookups() - before).toBe(asked);
    });

    it("a revoked license hammering is refused by the portal up to the limit, then gets 429 and lookups stop; other addresses are unaffected", async () => {
      const { url } = await fx.startProxy({ trustedProxyHops: 1, licenseTtlMs: 50, negativeTtlMs: 0, refusalLimit: { maxRefusals: 3, blockMs: 60_000 } });
      const from = (address: string, authorization: string, target = manifestUrl(url)) =>
        rawRequest(target, { headers: { authorization, accept: "application/vnd.oci.image.manifest.v1+json", "x-forwarded-for": address } });
      const revoked = await createLicense(fx.db, tenant);
      const known = await createLicense(fx.db, tenant);
      // Both pulled fine from this address: the portal allowed them lately.
      expect((await from("198.51.100.7", licenseAuth(revoked.licenseId))).status).toBe(200);
      expect((await from("198.51.100.7", licenseAuth(known.licenseId))).status).toBe(200);
      await fx.db.license.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
      fx.clock.advance(100); // past the allowed answer's cache TTL

      const before = fx.lookups();
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await from("198.51.100.7", licenseAuth(revoked.licenseId))).status);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(new Set(statuses.slice(3))).toEqual(new Set([429]));
      expect(fx.lookups() - before).toBe(3);

      // Another address with a new valid license: unaffected.
      const other = await createLicense(fx.db, tenant);
      expect((await from("198.51.100.8", licenseAuth(other.licenseId))).status).toBe(200);
      // The blocked address: a customer the portal allowed lately keeps pulling (the portal is
      // asked again: revocation still applies); a license never seen allowed waits, like a guess.
      fx.clock.advance(100);
      expect((await from("198.51.100.7", licenseAuth(known.licenseId), blobUrl(url))).status).toBe(200);
      const fresh = await createLicense(fx.db, tenant);
      expect((await from("198.51.100.7", licenseAuth(fresh.licenseId))).status).toBe(429);
    });

    it("an expired license loses its exemption like a revoked one", async () => {
      const { url } = await fx.startProxy({ trustedProxyHops: 1, licenseTtlMs: 50, negativeTtlMs: 0, refusalLimit: { maxRefusals: 2, blockMs: 60_000 } });
      const from = (authorization: string) =>
        rawRequest(manifestUrl(url), { headers: { authorization, accept: "application/vnd.oci.image.manifest.v1+json", "x-forwarded-for": "198.51.100.9" } });
      const expiring = await createLicense(fx.db, tenant, { expiresAt: new Date(Date.now() + 60_000) });
      expect((await from(licenseAuth(expiring.licenseId))).status).toBe(200);
      await fx.db.license.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      fx.clock.advance(100);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await from(licenseAuth(expiring.licenseId))).status);
      expect(statuses).toEqual([401, 401, 429, 429, 429, 429]);
    });
  });

  describe("connections", () => {
    it("200 clients trickling their headers: a customer still pulls a manifest and a blob, and the slow ones are cut (408) at the headers timeout", async () => {
      // Long enough for all 200 sockets to open before the first is cut, even on a busy machine.
      const { proxy, url } = await fx.startProxy({ connections: { headersTimeoutMs: 4_000 } });
      const license = await createLicense(fx.db, tenant);
      const { port } = new URL(url);
      const slow = Array.from({ length: 200 }, () => {
        const socket = net.connect(Number(port), "127.0.0.1");
        let answer = "";
        const timer = setInterval(() => socket.write("x"), 100);
        socket.on("connect", () => socket.write("GET /v2/ HTTP/1.1\r\nHost: proxy\r\nX-Slow: "));
        socket.on("data", (d: Buffer) => (answer += d.toString()));
        socket.on("error", () => {});
        return new Promise<string>((resolve) =>
          socket.on("close", () => {
            clearInterval(timer);
            resolve(answer);
          }),
        );
      });
      await until(() => proxy.connections.open >= 200, 3_500);
      expect(proxy.connections.open).toBeGreaterThanOrEqual(200);

      const authorization = licenseAuth(license.licenseId);
      const manifest = await rawRequest(manifestUrl(url), { headers: { authorization, accept: "application/vnd.oci.image.manifest.v1+json" } });
      expect(manifest.status).toBe(200);
      const layer = await rawRequest(blobUrl(url), { headers: { authorization } });
      expect(layer.status).toBe(200);
      expect(layer.body.equals(blob)).toBe(true);

      const answers = await Promise.all(slow);
      expect(answers.every((a) => a.startsWith("HTTP/1.1 408 "))).toBe(true);
      await until(() => proxy.connections.open === 0);
      expect(proxy.connections.open).toBe(0);
    });

    it("one address can hold at most its share of the sockets; others still connect; the total is capped", async () => {
      const { proxy, url } = await fx.startProxy({ connections: { maxConnections: 8, maxPerAddress: 5 } });
      const { port } = new URL(url);
      const open: net.Socket[] = [];
      const connect = (localAddress: string) => {
        const socket = net.connect({ port: Number(port), host: "127.0.0.1", localAddress });
        socket.on("error", () => {});
        open.push(socket);
        return new Promise<{ socket: net.Socket; closed: Promise<void> }>((resolve) =>
          socket.on("connect", () => resolve({ socket, closed: new Promise((r) => socket.on("close", () => r())) })),
        );
      };
      try {
        for (let i = 0; i < 5; i++) await connect("127.0.0.1");
        await until(() => proxy.connections.open >= 5);
        const sixth = await connect("127.0.0.1");
        await sixth.closed; // closed on arrival
        expect(proxy.metrics.connectionsRefused.get({ reason: "per_address" })).toBe(1);

        // Another address is served while the first holds its five.
        const health = await new Promise<number>((resolve, reject) => {
          http.get(`${url}/healthz`, { localAddress: "127.0.0.2", agent: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on("error", reject);
        });
        expect(health).toBe(200);

        for (let i = 0; i < 3; i++) await connect("127.0.0.3");
        await until(() => proxy.connections.open >= 8);
        const over = await connect("127.0.0.4");
        await over.closed;
        await until(() => proxy.metrics.connectionsRefused.get({ reason: "max_connections" }) > 0);
        expect(proxy.metrics.connectionsRefused.get({ reason: "max_connections" })).toBe(1);
      } finally {
        for (const s of open) s.destroy();
      }
    });
  });

  describe("/metrics", () => {
    it("is not on the public port by default: 404", async () => {
      const { url } = await fx.startProxy();
      const res = await rawRequest(`${url}/metrics`);
      expect(res.status).toBe(404);
      expect(res.body.toString()).not.toContain("portcullis_proxy");
    });

    it("with a token: the public port serves it to that bearer token only", async () => {
      const token = crypto.randomBytes(24).toString("base64url");
      const { url } = await fx.startProxy({ metricsAccess: { token } });
      expect((await rawRequest(`${url}/metrics`)).status).toBe(401);
      expect((await rawRequest(`${url}/metrics`, { headers: { authorization: "Bearer wrong-token-of-some-length" } })).status).toBe(401);
      expect((await rawRequest(`${url}/metrics`, { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
      const ok = await rawRequest(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(ok.body.toString()).toContain("portcullis_proxy_requests_total");
    });

    it("on a listener of its own: served there, still 404 on the public port; a configured token applies there too", async () => {
      const { proxy, url } = await fx.startProxy();
      const { url: metricsUrl } = await proxy.listenMetrics(0, "127.0.0.1");
      expect((await rawRequest(`${url}/metrics`)).status).toBe(404);
      const res = await rawRequest(`${metricsUrl}/metrics`);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toContain("portcullis_proxy_open_connections");
      expect((await rawRequest(`${metricsUrl}/v2/`)).status).toBe(404);

      const token = crypto.randomBytes(24).toString("base64url");
      const { proxy: guarded } = await fx.startProxy({ metricsAccess: { token } });
      const { url: guardedUrl } = await guarded.listenMetrics(0, "127.0.0.1");
      expect((await rawRequest(`${guardedUrl}/metrics`)).status).toBe(401);
      expect((await rawRequest(`${guardedUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    });
  });
});
