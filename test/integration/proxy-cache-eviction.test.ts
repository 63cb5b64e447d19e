import crypto from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "@/proxy/server";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { startFaultFront, type FaultFront } from "@/test/support/fault-front";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";
import { startHostedRegistry } from "@/test/support/registry-auth";

/**
 * Eviction under a registry's size cap while a pull reads: the least recently used copies go
 * (their links deleted in the store, so the next request fetches them from the upstream again),
 * the copy a client is still reading stays and its transfer completes intact.
 */

const vendor = { username: "vendor", password: "evict-upstream-pass" };
const MiB = 1024 * 1024;

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry proxy: cache eviction", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let proxyUrl: string;
  let upstream: Distribution;
  let front: FaultFront;
  let store: Distribution;
  let work: string;
  let licenseId: string;
  let registryId: string;
  const images: BuiltImage[] = [];

  const blobPath = (repo: string, digest: string) => `/v2/proxy/evictapp/vendor/${repo}/blobs/${digest}`;
  const get = (p: string) => rawRequest(proxyUrl, { path: p, headers: { authorization: licenseAuth(licenseId) } });

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "proxy-evict-"));
    upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    front = await startFaultFront(upstream.url);
    store = await startHostedRegistry(fx.api.url);
    fx.setEnv({ CACHE_REGISTRY_URL: store.url });
    for (const [i, size] of [4 * MiB, 2 * MiB, 2 * MiB, 2 * MiB].entries()) {
      const img = await buildOciImage(path.join(work, `img${i}`), { layers: [{ sizeBytes: size }], tag: "1" });
      await pushImage(img.dir, `${upstream.host}/acme/img${i}:1`, { creds: vendor });
      images.push(img);
    }
    const team = await createTenant(fx.db, { slug: "evictapp" });
    const registry = await addRegistry(fx.db, team.teamId, { name: "vendor", endpoint: front.url, username: vendor.username, secret: vendor.password });
    registryId = registry.id;
    await fx.db.registry.update({ where: { id: registryId }, data: { cacheMaxBytes: BigInt(7 * MiB) } });
    ({ licenseId } = await createLicense(fx.db, team));
    ({ proxy, url: proxyUrl } = await fx.startProxy({ cache: { spoolDir: path.join(work, "spool") } }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([front?.close(), upstream?.stop(), store?.stop()]);
    await fs.rm(work, { recursive: true, force: true });
  });

  it("evicts the least recently used copies above the cap, never the one a pull is reading", async () => {
    const [reading, old1, old2, newcomer] = images.map((img) => img.layers[0]!);
    // Three copies in the cache (8 MiB > the 7 MiB cap only once the fourth arrives).
    for (const [i, l] of [reading!, old1!, old2!].entries()) expect((await get(blobPath(`acme/img${i}`, l.digest))).status).toBe(200);
    await until(() => proxy.cache!.filling === 0, 10_000);
    await proxy.cacheReporter.flush();
    expect(await fx.db.cacheEntry.count({ where: { registryId } })).toBe(3);
    // They were last used an hour ago (as if pulled then).
    await fx.db.cacheEntry.updateMany({ where: { registryId }, data: { lastUsedAt: new Date(Date.now() - 3_600_000) } });

    // A client starts reading the 4 MiB copy and stops after its first bytes.
    const received: Buffer[] = [];
    let response!: http.IncomingMessage;
    const u = new URL(proxyUrl);
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: u.hostname, port: u.port, path: blobPath("acme/img0", reading!.digest), headers: { authorization: licenseAuth(licenseId) }, agent: false }, (res) => {
        response = res;
        res.once("data", (c: Buffer) => {
          received.push(c);
          res.pause();
          resolve();
        });
      });
      req.on("error", reject);
    });
    await proxy.cacheReporter.flush();

    // A fourth copy pushes the registry over its cap.
    const before = { old1: front.count("GET", old1!.digest), reading: front.count("GET", reading!.digest) };
    expect((await get(blobPath("acme/img3", newcomer!.digest))).status).toBe(200);
    await until(() => proxy.cache!.filling === 0, 10_000);
    await proxy.cacheReporter.flush();

    const left = await fx.db.cacheEntry.findMany({ where: { registryId } });
    const total = left.reduce((n, e) => n + Number(e.size), 0);
    expect(total).toBeLessThanOrEqual(7 * MiB);
    expect(left.map((e) => e.digest)).toContain(reading!.digest);
    expect(left.map((e) => e.digest)).not.toContain(old1!.digest);

    // The paused read finishes intact.
    response.resume();
    response.on("data", (c: Buffer) => received.push(c));
    await new Promise((resolve) => response.once("end", resolve));
    const body = Buffer.concat(received);
    expect(body.length).toBe(reading!.size);
    expect(crypto.createHash("sha256").update(body).digest("hex")).toBe(reading!.digest.slice(7));
    expect(front.count("GET", reading!.digest)).toBe(before.reading);

    // An evicted copy is gone from the store: the next request fetches it from the upstream again.
    expect((await get(blobPath("acme/img1", old1!.digest))).status).toBe(200);
    expect(front.count("GET", old1!.digest)).toBe(before.old1 + 1);
  }, 120_000);
});
