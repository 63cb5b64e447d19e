import crypto from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessLogEntry, ProxyServer } from "@/proxy/server";
import { addRegistry, createLicense, createTenant, type Tenant } from "@/test/support/factories";
import { startFaultFront, type FaultFront } from "@/test/support/fault-front";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";
import { startHostedRegistry } from "@/test/support/registry-auth";

/**
 * The cache's store, against a real upstream Distribution and a real store Distribution behind a
 * front that keeps the store's access log and that the test can cut:
 * - when the store breaks while it sends a copy, or the client leaves while it reads one, the pull
 *   log says who broke the transfer — the store (`cache_failed`) or the client
 *   (`client_disconnected`) — never the one for the other;
 * - a proxy that can read the store's disk (PROXY_CACHE_STORE_DIR) reads whole copies from there,
 *   only those the team's repository links, and still never serves a corrupt one.
 */

const vendor = { username: "vendor", password: "store-faults-pass" };
const MiB = 1024 * 1024;

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry proxy: the cache's store", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let proxyUrl: string;
  /** A proxy that reads the store's disk. */
  let diskProxy: ProxyServer;
  let diskProxyUrl: string;
  let upstream: Distribution;
  let store: Distribution;
  let storeFront: FaultFront;
  let work: string;
  let team: Tenant;
  let license: { id: string; licenseId: string };
  let image: BuiltImage;
  const log: AccessLogEntry[] = [];

  const layer = () => image.layers[0]!;
  const blobPath = () => `/v2/proxy/storefaults/vendor/acme/big/blobs/${layer().digest}`;
  const get = (headers: Record<string, string> = {}, opts: { via?: string; slug?: string; licenseId?: string } = {}) =>
    rawRequest(opts.via ?? proxyUrl, {
      path: blobPath().replace("/storefaults/", `/${opts.slug ?? "storefaults"}/`),
      headers: { authorization: licenseAuth(opts.licenseId ?? license.licenseId), ...headers },
    }).catch((e: Error) => e);
  /** The pull log's newest event for the layer, once the proxy delivered it. */
  const lastEvent = async (of = license, from = proxy) => {
    await from.pullLog.flush(true);
    const events = await fx.db.pullEvent.findMany({ where: { licenseId: of.id, reference: layer().digest }, orderBy: { seq: "desc" }, take: 1 });
    return events[0]!;
  };
  const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
  const lastLogLine = () => log.filter((e) => e.route === "blobs").at(-1)!;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "proxy-store-faults-"));
    upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    store = await startHostedRegistry(fx.api.url);
    storeFront = await startFaultFront(store.url);
    fx.setEnv({ CACHE_REGISTRY_URL: storeFront.url });
    image = await buildOciImage(path.join(work, "big"), { layers: [{ sizeBytes: 16 * MiB }], tag: "1.0" });
    await pushImage(image.dir, `${upstream.host}/acme/big:1.0`, { creds: vendor });
    team = await createTenant(fx.db, { slug: "storefaults" });
    await addRegistry(fx.db, team.teamId, { name: "vendor", endpoint: upstream.url, username: vendor.username, secret: vendor.password });
    license = await createLicense(fx.db, team);
    ({ proxy, url: proxyUrl } = await fx.startProxy({ cache: { spoolDir: path.join(work, "spool") }, log: (e) => log.push(e) }));
    ({ proxy: diskProxy, url: diskProxyUrl } = await fx.startProxy({ cache: { spoolDir: path.join(work, "disk-spool"), storeDir: store.storageDir } }));

    // The layer in the store: one fill, then an answer from the store's copy.
    const fill = await get();
    expect(fill).toMatchObject({ status: 200 });
    await until(() => proxy.cache!.filling === 0, 30_000);
    const hit = await get();
    expect(hit).toMatchObject({ status: 200 });
    expect((hit as { body: Buffer }).body.length).toBe(layer().size);
    expect((await lastEvent()).cache).toBe("hit");
  }, 180_000);

  afterAll(async () => {
    await Promise.all([storeFront?.close(), upstream?.stop(), store?.stop()]);
    await fs.rm(work, { recursive: true, force: true });
  });

  it("a store that breaks while it sends the whole blob cuts the client's transfer, recorded as the store's failure", async () => {
    storeFront.mode = "cut";
    storeFront.cutAfterBytes = 2 * MiB;
    try {
      const cut = await get();
      if (!(cut instanceof Error)) expect(cut.body.length).toBeLessThan(layer().size);
    } finally {
      storeFront.mode = "pass";
    }
    const event = await lastEvent();
    expect({ result: event.result, reason: event.reason, status: event.status, cache: event.cache }).toEqual({ result: "incomplete", reason: "cache_failed", status: 502, cache: "hit" });
    expect(lastLogLine().error).toMatch(/^cache store stream failed/);
    expect(proxy.metrics.incompleteTransfers.get({ route: "blobs", cause: "store" })).toBe(1);
  }, 60_000);

  it("a store that breaks while it sends a range cuts the client's transfer, recorded as the store's failure", async () => {
    storeFront.mode = "cut";
    storeFront.cutAfterBytes = 2 * MiB;
    try {
      const cut = await get({ range: `bytes=1000-${layer().size - 1}` });
      if (!(cut instanceof Error)) expect(cut.body.length).toBeLessThan(layer().size - 1000);
    } finally {
      storeFront.mode = "pass";
    }
    const event = await lastEvent();
    expect({ result: event.result, reason: event.reason, status: event.status, cache: event.cache }).toEqual({ result: "incomplete", reason: "cache_failed", status: 502, cache: "hit" });
    expect(lastLogLine().error).toMatch(/^cache store stream failed/);

    // The store is fine again: the same range comes whole.
    const whole = await get({ range: `bytes=1000-${layer().size - 1}` });
    expect(whole).toMatchObject({ status: 206 });
    expect((whole as { body: Buffer }).body.length).toBe(layer().size - 1000);
  }, 60_000);

  it("a client that leaves while it reads a range from the store is recorded as the client's leaving, not the store's failure", async () => {
    const url = new URL(proxyUrl);
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: url.hostname, port: url.port, path: blobPath(), headers: { authorization: licenseAuth(license.licenseId), range: "bytes=0-" } }, (res) => {
        expect(res.statusCode).toBe(206);
        // The first bytes, then gone: the rest of 16 MiB can't all be on its way yet.
        res.once("data", () => {
          res.destroy();
          resolve();
        });
      });
      req.on("error", reject);
    });
    await until(() => lastLogLine().status === 499, 10_000);
    expect(proxy.metrics.incompleteTransfers.get({ route: "blobs", cause: "client" })).toBe(1);
    const event = await lastEvent();
    expect({ result: event.result, reason: event.reason, status: event.status, cache: event.cache }).toEqual({ result: "incomplete", reason: "client_disconnected", status: 499, cache: "hit" });
  }, 60_000);

  it("a proxy that can read the store's disk reads whole copies from there: the store's API isn't asked, the client gets every byte", async () => {
    const digest = layer().digest;
    const [gets, heads] = [storeFront.count("GET", digest), storeFront.count("HEAD", digest)];
    const reads = (via: string) => diskProxy.metrics.cacheStoreReads.get({ via });
    const [diskReads, apiReads] = [reads("disk"), reads("api")];
    const whole = await get({}, { via: diskProxyUrl });
    expect(whole).toMatchObject({ status: 200 });
    expect(sha256((whole as { body: Buffer }).body)).toBe(digest);
    const event = await lastEvent(license, diskProxy);
    expect({ result: event.result, cache: event.cache, bytes: Number(event.bytes) }).toEqual({ result: "pulled", cache: "hit", bytes: layer().size });
    const head = await rawRequest(diskProxyUrl, { method: "HEAD", path: blobPath(), headers: { authorization: licenseAuth(license.licenseId) } });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(layer().size));
    expect([storeFront.count("GET", digest) - gets, storeFront.count("HEAD", digest) - heads]).toEqual([0, 0]);
    // /metrics tells an operator where copies are read.
    expect([reads("disk") - diskReads, reads("api") - apiReads]).toEqual([1, 0]);

    // A range is still the store API's to answer.
    const range = await get({ range: "bytes=0-99" }, { via: diskProxyUrl });
    expect(range).toMatchObject({ status: 206 });
    expect(storeFront.count("GET", digest) - gets).toBe(1);
    expect([reads("disk") - diskReads, reads("api") - apiReads]).toEqual([1, 1]);
    expect(diskProxy.metrics.render()).toMatch(/^portcullis_proxy_cache_store_reads_total\{via="disk"\} \d+$/m);
  }, 60_000);

  it("another team's copy on the store's disk is never read for a team whose repository doesn't hold it", async () => {
    const other = await createTenant(fx.db, { slug: "otherteam" });
    await addRegistry(fx.db, other.teamId, { name: "vendor", endpoint: upstream.url, username: vendor.username, secret: vendor.password });
    const otherLicense = await createLicense(fx.db, other);
    const gets = storeFront.count("GET", layer().digest);
    const answer = await get({}, { via: diskProxyUrl, slug: "otherteam", licenseId: otherLicense.licenseId });
    expect(answer).toMatchObject({ status: 200 });
    expect(sha256((answer as { body: Buffer }).body)).toBe(layer().digest);
    // Not on the disk for this team: the store's API was asked (and had none), the upstream answered.
    expect(storeFront.count("GET", layer().digest) - gets).toBe(1);
    expect((await lastEvent(otherLicense, diskProxy)).cache).toBe("miss");
  }, 60_000);

  it("a copy corrupted on the store's disk is never served whole: cut, and fetched from the upstream on the next request", async () => {
    const digest = layer().digest;
    const data = path.join(store.storageDir, "docker/registry/v2/blobs/sha256", digest.slice(7, 9), digest.slice(7), "data");
    const original = await fs.readFile(data);
    const bad = Buffer.from(original);
    bad[bad.length - 10] = bad[bad.length - 10]! ^ 0xff;
    await fs.writeFile(data, bad);
    try {
      const cut = await get({}, { via: diskProxyUrl });
      if (!(cut instanceof Error)) expect(cut.body.length).toBeLessThan(layer().size);
      const next = await get({}, { via: diskProxyUrl });
      expect(next).toMatchObject({ status: 200 });
      expect(sha256((next as { body: Buffer }).body)).toBe(digest);
      expect(diskProxy.metrics.render()).toMatch(/portcullis_proxy_cache_errors_total\{operation="corrupt"\} [1-9]/);
    } finally {
      await fs.writeFile(data, original);
    }
  }, 60_000);
});
