import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "@/proxy/server";
import { addRegistry, createLicense, createTenant, type Tenant } from "@/test/support/factories";
import { startFaultFront, type FaultFront } from "@/test/support/fault-front";
import { licenseAuth, ociErrors, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";
import { buildOciImage, pullImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";
import { startHostedRegistry } from "@/test/support/registry-auth";

/**
 * The proxy as a cache, against real CNCF Distributions: the vendor's upstream (behind a front the
 * test can make fail or rate-limit, which also keeps the upstream's access log) and the store, a
 * Distribution configured by `portcullis registry config` that trusts the portal's token-signing
 * key. The portal's internal API runs on its real route handlers.
 */

const vendor = { username: "vendor", password: "cache-upstream-pass" };
const MiB = 1024 * 1024;

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry proxy: the cache", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let proxyHost: string;
  let proxyUrl: string;
  let upstream: Distribution;
  let front: FaultFront;
  let store: Distribution;
  let work: string;
  let team: Tenant;
  let license: { id: string; licenseId: string };
  let small: BuiltImage;
  let big: BuiltImage;
  let spoolDir: string;

  const blobPath = (name: string, digest: string) => `/v2/proxy/cacheapp/vendor/${name}/blobs/${digest}`;
  const get = (p: string, licenseId = license.licenseId, headers: Record<string, string> = {}) => rawRequest(proxyUrl, { path: p, headers: { authorization: licenseAuth(licenseId), ...headers } });
  const pull = (ref: string, dest: string, licenseId = license.licenseId) => pullImage(`${proxyHost}/proxy/cacheapp/vendor/${ref}`, dest, { creds: { username: "LICENSE_ID", password: licenseId } });
  /** Every blob of an image (its layers and each platform's config), by digest: its size. */
  const blobSizes = (image: BuiltImage) => new Map([...image.layers, ...image.manifests.map((m) => m.config)].map((d) => [d.digest, d.size]));
  const metric = (name: string, labels: string) => {
    const line = proxy.metrics.render().split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(" ").pop()) : 0;
  };

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "proxy-cache-"));
    spoolDir = path.join(work, "spool");
    upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    front = await startFaultFront(upstream.url);
    store = await startHostedRegistry(fx.api.url);
    fx.setEnv({ CACHE_REGISTRY_URL: store.url });

    small = await buildOciImage(path.join(work, "small"), { layers: [{ sizeBytes: 200_000 }, { sizeBytes: 30_000 }], platforms: ["linux/amd64", "linux/arm64"], tag: "1.0" });
    big = await buildOciImage(path.join(work, "big"), { layers: [{ sizeBytes: 6 * MiB }], tag: "2.0" });
    await Promise.all([
      pushImage(small.dir, `${upstream.host}/acme/api:1.0`, { creds: vendor, all: true }),
      pushImage(big.dir, `${upstream.host}/acme/big:2.0`, { creds: vendor }),
    ]);

    team = await createTenant(fx.db, { slug: "cacheapp" });
    await addRegistry(fx.db, team.teamId, { name: "vendor", endpoint: front.url, username: vendor.username, secret: vendor.password });
    license = await createLicense(fx.db, team);
    ({ proxy, host: proxyHost, url: proxyUrl } = await fx.startProxy({ cache: { spoolDir } }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([front?.close(), upstream?.stop(), store?.stop()]);
    await fs.rm(work, { recursive: true, force: true });
  });

  it("a second pull of an image never reaches the upstream, and both pulls get the same bytes", async () => {
    await pull("acme/api:1.0", path.join(work, "pull1"));
    const afterFirst = front.log.length;
    expect(front.count("GET", "/blobs/")).toBeGreaterThan(0);
    await proxy.cacheReporter.flush();

    await pull("acme/api:1.0", path.join(work, "pull2"));
    // Within the tag TTL: not even a manifest HEAD.
    expect(front.log.slice(afterFirst)).toEqual([]);
    for (const l of small.layers) {
      const a = await fs.readFile(path.join(work, "pull1", "blobs", "sha256", l.digest.slice(7)));
      const b = await fs.readFile(path.join(work, "pull2", "blobs", "sha256", l.digest.slice(7)));
      expect(crypto.createHash("sha256").update(b).digest("hex")).toBe(l.digest.slice(7));
      expect(b.equals(a)).toBe(true);
    }
    expect(metric("portcullis_proxy_cache_requests_total", 'result="hit"')).toBeGreaterThan(0);
    expect(metric("portcullis_proxy_cache_bytes_total", 'source="cache"')).toBeGreaterThan(200_000);

    // The pull log says where each answer came from, and the portal's totals know what was saved.
    await proxy.pullLog.flush(true);
    await proxy.cacheReporter.flush();
    const events = await fx.db.pullEvent.findMany({ where: { licenseId: license.id, action: "pull-blob" } });
    expect(events.map((e) => e.cache)).toEqual(expect.arrayContaining(["miss", "hit"]));
    // Each answer is recorded with the bytes the customer got, whichever way it came: a fill or the store's copy.
    const sizes = blobSizes(small);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect({ digest: e.reference, cache: e.cache, result: e.result, bytes: Number(e.bytes) }).toEqual({ digest: e.reference, cache: e.cache, result: "pulled", bytes: sizes.get(e.reference!) });
    // A manifest answered from the store names its digest in the pull log as one from the upstream
    // does: the customer's analytics list the versions pulled either way.
    const manifests = await fx.db.pullEvent.findMany({ where: { licenseId: license.id, action: "pull-manifest", result: "pulled" } });
    expect(manifests.map((e) => e.cache)).toEqual(expect.arrayContaining(["miss", "hit"]));
    for (const e of manifests) {
      expect(e.digest, `${e.reference} (${e.cache})`).toMatch(/^sha256:[a-f0-9]{64}$/);
      if (e.reference!.startsWith("sha256:")) expect(e.digest).toBe(e.reference);
    }
    const entries = await fx.db.cacheEntry.findMany({ where: { registryId: (await fx.db.registry.findFirstOrThrow({ where: { teamId: team.teamId } })).id } });
    expect(entries.map((e) => e.digest)).toEqual(expect.arrayContaining(small.layers.map((l) => l.digest)));
  }, 120_000);

  it("20 concurrent cold requests for one blob fetch it from the upstream once, and every client gets it whole", async () => {
    const layer = big.layers[0]!;
    const before = front.count("GET", layer.digest);
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(blobPath("acme/big", layer.digest))));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.length).toBe(layer.size);
      expect(crypto.createHash("sha256").update(a.body).digest("hex")).toBe(layer.digest.slice(7));
    }
    expect(front.count("GET", layer.digest) - before).toBe(1);
    // The store has it once the fill is over: the next request is served from there.
    await until(() => proxy.cache!.filling === 0, 10_000);
    const again = await get(blobPath("acme/big", layer.digest));
    expect(again.status).toBe(200);
    expect(front.count("GET", layer.digest) - before).toBe(1);
    // The pull log has every one of the 21 answers in full: the client that started the fill, the 19 that joined it, the store's.
    await proxy.pullLog.flush(true);
    const events = await fx.db.pullEvent.findMany({ where: { licenseId: license.id, action: "pull-blob", reference: layer.digest } });
    expect(events.map((e) => [e.result, Number(e.bytes)])).toEqual(Array.from({ length: 21 }, () => ["pulled", layer.size]));
    expect(events.filter((e) => e.cache === "hit").length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it("with the upstream rate-limiting (429), cached pulls still succeed and say so in the pull log", async () => {
    fx.clock.advance(60_000); // past the tag TTL: the proxy must ask the upstream again
    front.mode = "429";
    try {
      await pull("acme/api:1.0", path.join(work, "pull-429"));
    } finally {
      front.mode = "pass";
    }
    await proxy.pullLog.flush(true);
    const stale = await fx.db.pullEvent.findMany({ where: { licenseId: license.id, cache: "stale" } });
    expect(stale.length).toBeGreaterThan(0);
  }, 120_000);

  it("with the upstream stopped, cached tags and digests still pull; an uncached one gets a clear OCI error", async () => {
    fx.clock.advance(60_000);
    front.mode = "down";
    try {
      await pull("acme/api:1.0", path.join(work, "pull-down"));
      await pull(`acme/api@${small.digest}`, path.join(work, "pull-down-digest"));
      const missing = await get(`/v2/proxy/cacheapp/vendor/acme/api/manifests/9.9`);
      expect(missing.status).toBe(502);
      expect(ociErrors(missing)[0]!.message).toMatch(/upstream|registry/i);
      const uncachedBlob = await get(blobPath("acme/api", `sha256:${"a".repeat(64)}`));
      expect(uncachedBlob.status).toBe(502);
    } finally {
      front.mode = "pass";
    }
  }, 120_000);

  it("the stale bound is the vendor's: past it, an upstream failure is the client's error", async () => {
    const registry = await fx.db.registry.findFirstOrThrow({ where: { teamId: team.teamId } });
    await fx.db.registry.update({ where: { id: registry.id }, data: { cacheMaxStaleSeconds: 60 } });
    fx.clock.advance(10 * 60_000); // lookup answers renewed; the tag last confirmed minutes ago
    front.mode = "503";
    try {
      const res = await get(`/v2/proxy/cacheapp/vendor/acme/api/manifests/1.0`, license.licenseId, { accept: "application/vnd.oci.image.index.v1+json" });
      expect(res.status).toBe(502);
      expect(ociErrors(res)[0]!.message).toMatch(/HTTP 503/);
    } finally {
      front.mode = "pass";
      await fx.db.registry.update({ where: { id: registry.id }, data: { cacheMaxStaleSeconds: 86_400 } });
    }
  }, 60_000);

  it("a revoked license can't pull what is in the cache", async () => {
    const victim = await createLicense(fx.db, team);
    const layer = small.layers[0]!;
    expect((await get(blobPath("acme/api", layer.digest), victim.licenseId)).status).toBe(200);
    await fx.db.license.update({ where: { id: victim.id }, data: { revokedAt: new Date() } });
    fx.clock.advance(60_000);
    const refused = await get(blobPath("acme/api", layer.digest), victim.licenseId);
    expect(refused.status).toBe(401);
    expect(refused.body.length).toBeLessThan(1000);
  }, 60_000);

  it("another team with the same upstream image can't read the first team's copies without its own credentials working upstream", async () => {
    const other = await createTenant(fx.db, { slug: "othercache" });
    const registry = await addRegistry(fx.db, other.teamId, { name: "vendor", endpoint: front.url, username: vendor.username, secret: "wrong-password" });
    const otherLicense = await createLicense(fx.db, other);
    const layer = small.layers[0]!;
    const p = `/v2/proxy/othercache/vendor/acme/api/blobs/${layer.digest}`;
    const before = front.count("GET", layer.digest);
    const refused = await get(p, otherLicense.licenseId);
    expect(refused.status).toBe(502);
    expect(ociErrors(refused)[0]!.code).toBe("DENIED");
    // It was the upstream that answered (and refused): the first team's copy was not used.
    expect(front.count("GET", layer.digest) - before).toBeGreaterThan(0);

    // With its own credentials working, it gets its own copy, fetched from the upstream.
    await fx.db.registry.delete({ where: { id: registry.id } });
    await addRegistry(fx.db, other.teamId, { name: "vendor", endpoint: front.url, username: vendor.username, secret: vendor.password });
    fx.clock.advance(60_000);
    const beforeOwn = front.count("GET", layer.digest);
    const own = await get(p, otherLicense.licenseId);
    expect(own.status).toBe(200);
    expect(front.count("GET", layer.digest) - beforeOwn).toBe(1);
  }, 60_000);

  it("a copy corrupted in the store is never served: a small one is fetched from the upstream in the same request, a large one is cut and fetched on the next", async () => {
    const layer = small.layers[0]!;
    const data = path.join(store.storageDir, "docker/registry/v2/blobs/sha256", layer.digest.slice(7, 9), layer.digest.slice(7), "data");
    const original = await fs.readFile(data);
    const bad = Buffer.from(original);
    bad[100] = bad[100]! ^ 0xff;
    await fs.writeFile(data, bad);
    const before = front.count("GET", layer.digest);
    const res = await get(blobPath("acme/api", layer.digest));
    expect(res.status).toBe(200);
    expect(crypto.createHash("sha256").update(res.body).digest("hex")).toBe(layer.digest.slice(7));
    expect(front.count("GET", layer.digest) - before).toBe(1);
    expect(metric("portcullis_proxy_cache_errors_total", 'operation="corrupt"')).toBeGreaterThanOrEqual(1);

    const bigLayer = big.layers[0]!;
    const bigData = path.join(store.storageDir, "docker/registry/v2/blobs/sha256", bigLayer.digest.slice(7, 9), bigLayer.digest.slice(7), "data");
    const bigBytes = await fs.readFile(bigData);
    bigBytes[bigBytes.length - 10] = bigBytes[bigBytes.length - 10]! ^ 0xff;
    await fs.writeFile(bigData, bigBytes);
    const cut = await get(blobPath("acme/big", bigLayer.digest)).catch((e: Error) => e);
    if (!(cut instanceof Error)) expect(cut.body.length).toBeLessThan(bigLayer.size); // never the whole corrupt body
    const next = await get(blobPath("acme/big", bigLayer.digest));
    expect(next.status).toBe(200);
    expect(crypto.createHash("sha256").update(next.body).digest("hex")).toBe(bigLayer.digest.slice(7));
  }, 60_000);
});
