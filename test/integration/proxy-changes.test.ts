import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/lib/config/env";
import { archiveCustomer } from "@/lib/customers/operations";
import { notifyChange } from "@/lib/internal/changes";
import { ChangeHub } from "@/lib/internal/changes-hub";
import { revokeLicense } from "@/lib/licenses/operations";
import { deleteRegistry, rotateRegistryCredentials } from "@/lib/registries/operations";
import { invoke } from "@/lib/server/operation";
import { createProxyServer, type ProxyServer } from "@/proxy/server";
import { addRegistry, createLicense, createTenant, memberContext } from "@/test/support/factories";
import type { PortalRoutes } from "@/test/support/portal-routes";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, startInternalApi, until, type StartedProxy } from "@/test/support/proxy-fixture";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";

/**
 * Changes reach every proxy through the change stream, not the lookup cache's TTL: two portals
 * (route servers with a listening connection each) on one database, a proxy in front of each,
 * the TTL at 60 s and the test clock not advanced, so only the push can explain a proxy that
 * sees a change. Changes are made through the operations on a third database client, neither
 * portal's. With the stream unreachable, the TTL still bounds what a proxy serves; a reconnect
 * drops the whole cache.
 */

const vendor = { username: "vendor", password: "changes-upstream-pass" };
const TTL_MS = 60_000;
const fastRetry = { retry: { minMs: 20, maxMs: 100 } };

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry proxy: changes pushed to every proxy", () => {
  const fx = proxyFixture();
  let upstream: Distribution;
  let work: string;
  const hubs: ChangeHub[] = [];
  let portalA: PortalRoutes;
  let portalB: PortalRoutes;
  let proxyA: StartedProxy;
  let proxyB: StartedProxy;

  const lookups = (p: PortalRoutes) => p.count("POST /api/internal/proxy/lookup");
  const events = (p: StartedProxy, kind: string) => p.proxy.metrics.changeFeedEvents.get({ kind });

  /** A team whose customer pulls `acme/app:1.0` from the upstream by the registry name `up`. */
  async function tenant(slug: string) {
    const t = await createTenant(fx.db, { slug });
    const registry = await addRegistry(fx.db, t.teamId, { name: "up", endpoint: upstream.url, ...vendor, secret: vendor.password });
    const license = await createLicense(fx.db, t);
    const admin = await memberContext(fx.db, { role: "admin", teamId: t.teamId });
    const pull = (p: { url: string }) =>
      rawRequest(`${p.url}/v2/proxy/${slug}/up/acme/app/manifests/1.0`, {
        method: "HEAD",
        headers: { authorization: licenseAuth(license.licenseId), accept: "application/vnd.oci.image.manifest.v1+json" },
      }).then((r) => r.status);
    return { ...t, registry, license, admin, pull };
  }

  /** Both proxies serve the pull, the second time from their caches (no lookup reaches either portal). */
  async function cachedOnBoth(pull: (p: { url: string }) => Promise<number>) {
    expect([await pull(proxyA), await pull(proxyB)]).toEqual([200, 200]);
    const before = [lookups(portalA), lookups(portalB)];
    expect([await pull(proxyA), await pull(proxyB)]).toEqual([200, 200]);
    expect([lookups(portalA), lookups(portalB)]).toEqual(before);
    return before;
  }

  /** Waits for both proxies to have received `n` changes of `kind` (they arrive over sockets). */
  const delivered = (kind: string, n: number) => until(() => events(proxyA, kind) >= n && events(proxyB, kind) >= n, 10_000);

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "proxy-changes-"));
    upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    await buildOciImage(work, { layers: [{ sizeBytes: 2_000 }], tag: "1.0" });
    await pushImage(work, `${upstream.host}/acme/app:1.0`, { creds: vendor });
    for (let i = 0; i < 2; i++) hubs.push(new ChangeHub(() => Promise.resolve(fx.t.url)));
    // Both portals keep their lookup answers for a minute too: only the change channel can drop them.
    const cached = { ...env(), PORTAL_LOOKUP_CACHE_TTL_MS: TTL_MS };
    portalA = await startInternalApi({ changes: hubs[0], env: cached });
    portalB = await startInternalApi({ changes: hubs[1], env: cached });
    proxyA = await fx.startProxy({ portalUrl: portalA.url, licenseTtlMs: TTL_MS, changeFeed: fastRetry });
    proxyB = await fx.startProxy({ portalUrl: portalB.url, licenseTtlMs: TTL_MS, changeFeed: fastRetry });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([proxyA?.proxy.close(1000), proxyB?.proxy.close(1000)]);
    await Promise.all([portalA?.close(), portalB?.close()]);
    await Promise.all(hubs.map((h) => h.close()));
    await upstream?.stop();
    await fs.rm(work, { recursive: true, force: true });
  });

  it("the stream: the service token only; ready first, then the changes that commit, never those rolled back", async () => {
    expect((await rawRequest(`${portalA.url}/api/internal/proxy/changes`)).status).toBe(401);
    const abort = new AbortController();
    const res = await fetch(`${portalA.url}/api/internal/proxy/changes`, { headers: { authorization: `Bearer ${fx.serviceToken}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    const readUntil = async (part: string) => {
      while (!text.includes(part)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${part}`);
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil("event: ready\n");
    const rolledBack = { kind: "license", id: "10000000-0000-4000-8000-00000000dead" } as const;
    const committed = { kind: "team", id: "40000000-0000-4000-8000-00000000beef" } as const;
    await fx.db
      .$transaction(async (tx) => {
        await notifyChange(tx, rolledBack);
        throw new Error("roll back");
      })
      .catch(() => {});
    await fx.db.$transaction((tx) => notifyChange(tx, committed));
    await readUntil(committed.id);
    abort.abort();
    expect(text).toBe(`event: ready\ndata: {}\n\nevent: change\ndata: ${JSON.stringify(committed)}\n\n`);
  });

  it("both proxies are connected to their own portal's stream, and say so in /readyz", async () => {
    expect(proxyA.proxy.changes?.connected).toBe(true);
    expect(proxyB.proxy.changes?.connected).toBe(true);
    expect(hubs.map((h) => h.listening)).toEqual([true, true]);
    expect(proxyA.proxy.metrics.changeFeedConnected.get()).toBe(1);
    expect((await rawRequest(`${proxyA.url}/readyz`)).body.toString()).toBe("ok\nchange stream: connected\n");
  });

  it("a revoked license is refused by both proxies while their cached answers still had 60 s to live", async () => {
    const t = await tenant("push-revoke");
    await cachedOnBoth(t.pull);
    const seen = events(proxyA, "license");
    await invoke(revokeLicense, t.admin, { id: t.license.id });
    await delivered("license", seen + 1);
    expect([await t.pull(proxyA), await t.pull(proxyB)]).toEqual([401, 401]);
  });

  it("a customer archived: both proxies refuse its license at once", async () => {
    const t = await tenant("push-archive");
    await cachedOnBoth(t.pull);
    const seen = events(proxyA, "customer");
    await invoke(archiveCustomer, t.admin, { id: t.customerId });
    await delivered("customer", seen + 1);
    expect([await t.pull(proxyA), await t.pull(proxyB)]).toEqual([401, 401]);
  });

  it("rotated registry credentials are looked up again by both proxies: wrong ones fail at once, right ones work at once", async () => {
    const t = await tenant("push-rotate");
    await cachedOnBoth(t.pull);
    const seen = events(proxyA, "registry");
    await invoke(rotateRegistryCredentials, t.admin, { id: t.registry.id, username: vendor.username, password: "not-the-password", force: true });
    await delivered("registry", seen + 1);
    const before = [lookups(portalA), lookups(portalB)];
    expect([await t.pull(proxyA), await t.pull(proxyB)]).toEqual([502, 502]);
    expect([lookups(portalA), lookups(portalB)]).toEqual([before[0]! + 1, before[1]! + 1]);

    await invoke(rotateRegistryCredentials, t.admin, { id: t.registry.id, username: vendor.username, password: vendor.password });
    await delivered("registry", seen + 2);
    expect([await t.pull(proxyA), await t.pull(proxyB)]).toEqual([200, 200]);
  });

  it("a deleted registry: both proxies refuse its images at once", async () => {
    const t = await tenant("push-delete");
    await cachedOnBoth(t.pull);
    const seen = events(proxyA, "registry");
    await invoke(deleteRegistry, t.admin, { id: t.registry.id, confirmEndpoint: t.registry.endpoint });
    await delivered("registry", seen + 1);
    expect([await t.pull(proxyA), await t.pull(proxyB)]).toEqual([403, 403]);
  });

  it("after a reconnect the whole lookup cache is dropped (changes may have been missed)", async () => {
    const t = await tenant("push-reconnect");
    await cachedOnBoth(t.pull);
    const connects = proxyA.proxy.metrics.changeFeedConnects.get();
    await portalA.stop();
    await until(() => !proxyA.proxy.changes!.connected, 10_000);
    expect((await rawRequest(`${proxyA.url}/readyz`)).body.toString()).toMatch(/change stream: not connected\n$/);
    await portalA.start();
    await until(() => proxyA.proxy.metrics.changeFeedConnects.get() > connects, 10_000);
    const before = lookups(portalA);
    expect(await t.pull(proxyA)).toBe(200);
    expect(lookups(portalA)).toBe(before + 1);
  });

  it("with the stream unreachable, a revocation is seen only when the cached answer expires (the TTL bound)", async () => {
    // A front for portal A that passes everything on except the change stream, which it cuts.
    const front = http.createServer((req, res) => {
      if (req.url?.startsWith("/api/internal/proxy/changes")) return void req.socket.destroy();
      const up = http.request({ host: "127.0.0.1", port: portalA.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on("error", () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    let cut: ProxyServer | undefined;
    try {
      cut = createProxyServer({
        portalUrl: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
        serviceToken: fx.serviceToken,
        dockerHubRegistry: "registry-1.docker.io",
        allowPrivate: true,
        now: fx.clock.now,
        licenseTtlMs: TTL_MS,
        changeFeed: fastRetry,
      });
      const { url } = await cut.listen(0);
      const t = await tenant("push-ttl");
      expect(await t.pull({ url })).toBe(200);
      const seen = events(proxyA, "license");
      await invoke(revokeLicense, t.admin, { id: t.license.id });
      await delivered("license", seen + 1);
      expect(await t.pull(proxyA)).toBe(401);
      expect(cut.changes?.connected).toBe(false);
      expect(await t.pull({ url })).toBe(200);
      fx.clock.advance(TTL_MS + 1);
      expect(await t.pull({ url })).toBe(401);
    } finally {
      await cut?.close(1000);
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
  });
});
