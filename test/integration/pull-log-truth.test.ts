import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "@/proxy/server";
import { MAX_REFUSED_REFERENCES_PER_MINUTE } from "@/lib/internal/pull-events";
import { startFaultFront, type FaultFront } from "@/test/support/fault-front";
import { addRegistry, createLicense, createTenant, type Tenant } from "@/test/support/factories";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * The pull log tells what happened to every attempt through the proxy: pulled, refused (with a
 * reason, the license's or the app's when the license is unknown) or incomplete (a blob cut by
 * the upstream or left by the client), under the name the customer wrote; and a storm of refused
 * attempts costs the database a few rows with counts.
 */

const vendor = { username: "vendor", password: "pull-log-upstream-pass" };
const MiB = 1024 * 1024;
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("pull log: every attempt recorded truthfully", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let url: string;
  let registry: Distribution;
  let front: FaultFront;
  let work: string;
  let img: BuiltImage;
  let tenant: Tenant;
  let license: { id: string; licenseId: string };
  let authorization: string;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "pull-log-truth-"));
    registry = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    img = await buildOciImage(work, { layers: [{ sizeBytes: 40 * MiB }], tag: "1.0" });
    await pushImage(work, `${registry.host}/acme/app:1.0`, { creds: vendor });
    front = await startFaultFront(registry.url);
    tenant = await createTenant(fx.db, { slug: "truthful" });
    license = await createLicense(fx.db, tenant);
    authorization = licenseAuth(license.licenseId);
    await addRegistry(fx.db, tenant.teamId, { name: "vendor", endpoint: front.url, ...vendor, secret: vendor.password });
    // No refusal limit and no cache: every attempt reaches the gate and the upstream as it is.
    ({ proxy, url } = await fx.startProxy({ refusalLimit: { maxRefusals: 0 }, cache: { enabled: false }, pullLog: { flushIntervalMs: 50, maxBackoffMs: 100 } }));
    return async () => {
      await front?.close();
      await registry?.stop();
      if (work) await fs.rm(work, { recursive: true, force: true });
    };
  });

  const delivered = async () => {
    await until(() => proxy.pullLog.pending === 0, 10_000);
    await proxy.pullLog.flush(true);
  };
  const blobPath = () => `/v2/proxy/truthful/vendor/acme/app/blobs/${img.layers[0]!.digest}`;

  it("a pull is listed under the name the customer wrote, not the upstream's address", async () => {
    const res = await rawRequest(`${url}/v2/proxy/truthful/vendor/acme/app/manifests/1.0`, { headers: { authorization, accept: MANIFEST } });
    expect(res.status).toBe(200);
    await delivered();
    const event = await fx.db.pullEvent.findFirstOrThrow({ where: { licenseId: license.id, action: "pull-manifest" } });
    expect(event).toMatchObject({ image: "proxy/truthful/vendor/acme/app", reference: "1.0", result: "pulled", reason: null, status: 200, customerId: tenant.customerId, appId: tenant.appId });
    expect(event.image).not.toContain(front.host);
    expect(Number(event.bytes)).toBe(res.body.length);
  });

  it("an unknown license's attempt is listed for the team of the app it named, without a customer", async () => {
    const guess = licenseAuth("pcl_" + "x".repeat(40));
    const res = await rawRequest(`${url}/v2/proxy/truthful/vendor/acme/app/manifests/2.0`, { headers: { authorization: guess } });
    expect(res.status).toBe(401);
    await delivered();
    const event = await fx.db.pullEvent.findFirstOrThrow({ where: { teamId: tenant.teamId, reason: "unknown_license" } });
    expect(event).toMatchObject({ licenseId: null, customerId: null, appId: tenant.appId, result: "refused", reference: "2.0", image: "proxy/truthful/vendor/acme/app", count: 1 });
  });

  it("a revoked license's attempts are listed under it, as refused", async () => {
    const t = await createLicense(fx.db, tenant);
    await fx.db.license.update({ where: { id: t.id }, data: { revokedAt: new Date() } });
    const res = await rawRequest(`${url}/v2/proxy/truthful/vendor/acme/app/manifests/1.0`, { headers: { authorization: licenseAuth(t.licenseId) } });
    expect(res.status).toBe(401);
    await delivered();
    const events = await fx.db.pullEvent.findMany({ where: { licenseId: t.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ result: "refused", reason: "revoked_license", status: 401, customerId: tenant.customerId });
  });

  it("a tag the registry doesn't have is refused with upstream_not_found", async () => {
    const res = await rawRequest(`${url}/v2/proxy/truthful/vendor/acme/app/manifests/9.9`, { headers: { authorization, accept: MANIFEST } });
    expect(res.status).toBe(404);
    await delivered();
    const event = await fx.db.pullEvent.findFirstOrThrow({ where: { licenseId: license.id, reference: "9.9" } });
    expect(event).toMatchObject({ result: "refused", reason: "upstream_not_found" });
  });

  it("a storm of refused attempts is stored as a few rows whose counts add up to every attempt", async () => {
    const t = await createLicense(fx.db, tenant);
    await fx.db.license.update({ where: { id: t.id }, data: { revokedAt: new Date() } });
    const auth = licenseAuth(t.licenseId);
    const same = 300;
    const varied = 120;
    const statuses: number[] = [];
    // One reference again and again, then many references: one row for the first (per minute), at most the cap for the rest.
    for (let i = 0; i < same; i += 20) {
      statuses.push(...(await Promise.all(Array.from({ length: 20 }, () => rawRequest(`${url}/v2/proxy/truthful/vendor/acme/app/manifests/1.0`, { headers: { authorization: auth } })))).map((r) => r.status));
    }
    for (let i = 0; i < varied; i += 20) {
      const batch = Array.from({ length: 20 }, (_, j) => rawRequest(`${url}/v2/proxy/truthful/vendor/acme/app/manifests/v${i + j}`, { headers: { authorization: auth } }));
      statuses.push(...(await Promise.all(batch)).map((r) => r.status));
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
    await delivered();
    const rows = await fx.db.pullEvent.findMany({ where: { licenseId: t.id } });
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(same + varied);
    expect(rows.every((r) => r.result === "refused" && r.reason === "revoked_license")).toBe(true);
    const oneRef = rows.filter((r) => r.reference === "1.0");
    // The storm may straddle a minute: one row per minute.
    expect(oneRef.length).toBeLessThanOrEqual(2);
    const perScope = new Map<string, number>();
    for (const r of rows) perScope.set(r.refusalScope!, (perScope.get(r.refusalScope!) ?? 0) + 1);
    for (const n of perScope.values()) expect(n).toBeLessThanOrEqual(MAX_REFUSED_REFERENCES_PER_MINUTE + 1);
    expect(rows.length).toBeLessThanOrEqual(2 * (MAX_REFUSED_REFERENCES_PER_MINUTE + 1));
  });

  it("a blob the upstream cuts is incomplete with the bytes that got through, in the pull log and the metrics — not a 200", async () => {
    const ok200 = proxy.metrics.requests.get({ route: "blobs", method: "GET", status: "200" });
    front.mode = "cut";
    front.cutAfterBytes = 3 * MiB;
    let got = 0;
    try {
      await new Promise<void>((resolve) => {
        const req = http.get(`${url}${blobPath()}`, { headers: { authorization }, agent: false }, (res) => {
          expect(res.statusCode).toBe(200);
          res.on("data", (c: Buffer) => (got += c.length));
          res.on("close", resolve);
        });
        req.on("error", () => resolve());
      });
    } finally {
      front.mode = "pass";
    }
    expect(got).toBeLessThan(img.layers[0]!.size);
    await delivered();
    const event = await fx.db.pullEvent.findFirstOrThrow({ where: { licenseId: license.id, action: "pull-blob", reason: "upstream_cut" } });
    expect(event.result).toBe("incomplete");
    expect(Number(event.bytes)).toBe(3 * MiB);
    expect(proxy.metrics.incompleteTransfers.get({ route: "blobs", cause: "upstream" })).toBe(1);
    expect(proxy.metrics.requests.get({ route: "blobs", method: "GET", status: "200" })).toBe(ok200);
    const text = proxy.metrics.render();
    expect(text).toContain('portcullis_proxy_incomplete_transfers_total{route="blobs",cause="upstream"} 1');
  });

  it("a client that leaves mid-blob is incomplete, not a 200 pull", async () => {
    const ok200 = proxy.metrics.requests.get({ route: "blobs", method: "GET", status: "200" });
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${url}${blobPath()}`, { headers: { authorization }, agent: false }, (res) => {
        expect(res.statusCode).toBe(200);
        let got = 0;
        res.on("data", (c: Buffer) => {
          got += c.length;
          if (got >= MiB) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on("error", (e) => (req.destroyed ? undefined : reject(e)));
    });
    await until(() => proxy.metrics.incompleteTransfers.get({ route: "blobs", cause: "client" }) === 1, 10_000);
    await delivered();
    const event = await fx.db.pullEvent.findFirstOrThrow({ where: { licenseId: license.id, action: "pull-blob", reason: "client_disconnected" } });
    expect(event).toMatchObject({ result: "incomplete", status: 499 });
    expect(Number(event.bytes)).toBeGreaterThan(0);
    expect(Number(event.bytes)).toBeLessThan(img.layers[0]!.size);
    expect(proxy.metrics.requests.get({ route: "blobs", method: "GET", status: "200" })).toBe(ok200);
    expect(proxy.metrics.requests.get({ route: "blobs", method: "GET", status: "499" })).toBe(1);
  });

  it("a whole blob is pulled, with every byte counted", async () => {
    const res = await rawRequest(`${url}${blobPath()}`, { headers: { authorization } });
    expect(res.status).toBe(200);
    await delivered();
    const event = await fx.db.pullEvent.findFirstOrThrow({ where: { licenseId: license.id, action: "pull-blob", result: "pulled" } });
    expect(Number(event.bytes)).toBe(img.layers[0]!.size);
  });
});
