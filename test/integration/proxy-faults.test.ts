import crypto from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ociErrorBody } from "@/lib/oci/errcode";
import type { ProxyServer } from "@/proxy/server";
import { startFakeRegistry, type FakeRegistry } from "@/test/fakes/registry";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { licenseAuth, ociErrors, rawRequest } from "@/test/support/proxy";
import { proxyFixture } from "@/test/support/proxy-fixture";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * Faults: upstreams that go away, die in the middle of a blob or hang; clients that leave; the
 * portal going down (cached answers serve until their TTL, then the proxy fails closed; the pull
 * log waits in memory and arrives when the portal is back). Each fault hits only its own request.
 */

const vendor = { username: "vendor", password: "faults-upstream-pass" };
const MiB = 1024 * 1024;
const digestOf = (c: string) => `sha256:${c.repeat(64)}`;

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry proxy: faults", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let url: string;
  let good: Distribution;
  let flaky: Distribution;
  let fake: FakeRegistry;
  let work: string;
  let img: BuiltImage;
  let authorization: string;
  let licenseRowId: string;
  const hanging: http.ServerResponse[] = [];
  let slowArrived: () => void = () => {};
  let endlessClosed: (at: number) => void = () => {};
  const storedBlob = crypto.randomBytes(300_000);
  const storedDigest = `sha256:${crypto.createHash("sha256").update(storedBlob).digest("hex")}`;
  const storageRequests: http.IncomingHttpHeaders[] = [];
  let storage: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "proxy-faults-"));
    [good, flaky, fake] = await Promise.all([
      startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } }),
      startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } }),
      startFakeRegistry({ kind: "basic", ...vendor }),
    ]);
    img = await buildOciImage(work, { layers: [{ sizeBytes: 10_000 }], tag: "1.0" });
    // Object storage behind a registry's redirect: serves the blob to whoever has the URL.
    const storageServer = http.createServer((req, res) => {
      storageRequests.push(req.headers);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(storedBlob.length) });
      res.end(storedBlob);
    });
    await new Promise<void>((resolve) => storageServer.listen(0, "127.0.0.1", resolve));
    storage = {
      url: `http://127.0.0.1:${(storageServer.address() as import("node:net").AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => storageServer.close(() => resolve())),
    };
    await Promise.all([pushImage(work, `${good.host}/acme/app:1.0`, { creds: vendor }), pushImage(work, `${flaky.host}/acme/app:1.0`, { creds: vendor })]);

    fake.intercept = (req, res) => {
      const p = req.url ?? "";
      if (p === `/v2/acme/broken/blobs/${digestOf("b")}`) {
        // Dies after 1 MiB of an 8 MiB blob.
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(8 * MiB) });
        res.write(Buffer.alloc(MiB, 1), () => res.socket?.destroy());
        return true;
      }
      if (p === `/v2/acme/stored/blobs/${storedDigest}`) {
        // As registries on S3 or GCS do: authenticate, then a 307 to a presigned URL on another host.
        if (!req.headers.authorization) {
          res.writeHead(401, { "www-authenticate": 'Basic realm="fake"', "content-type": "application/json" });
          res.end(ociErrorBody("UNAUTHORIZED", "authentication required"));
          return true;
        }
        res.writeHead(307, { location: `${storage.url}/bucket/blob?X-Amz-Signature=abc` });
        res.end();
        return true;
      }
      if (p === "/v2/acme/slow/manifests/1.0") {
        hanging.push(res);
        slowArrived();
        return true;
      }
      if (p === `/v2/acme/endless/blobs/${digestOf("e")}`) {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(1024 * MiB) });
        const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024, 2)), 5);
        res.on("close", () => {
          clearInterval(timer);
          endlessClosed(Date.now());
        });
        return true;
      }
      return false;
    };

    fx.setEnv({ DOCKER_HUB_REGISTRY: "registry-1.docker.io" });
    const tenant = await createTenant(fx.db, { slug: "faulty" });
    const license = await createLicense(fx.db, tenant);
    licenseRowId = license.id;
    authorization = licenseAuth(license.licenseId);
    await addRegistry(fx.db, tenant.teamId, { name: "good", endpoint: good.url, ...vendor, secret: vendor.password });
    await addRegistry(fx.db, tenant.teamId, { name: "flaky", endpoint: flaky.url, ...vendor, secret: vendor.password });
    await addRegistry(fx.db, tenant.teamId, { name: "fake", endpoint: fake.url, ...vendor, secret: vendor.password });
    // An endpoint on a loopback address over https: only ALLOW_PRIVATE_REGISTRY_HOSTS lets the proxy go there.
    await addRegistry(fx.db, tenant.teamId, { name: "internal", endpoint: "https://127.0.0.1:9", ...vendor, secret: vendor.password });

    ({ proxy, url } = await fx.startProxy({ licenseTtlMs: 1500, upstreamTimeoutMs: 1000, pullLog: { flushIntervalMs: 100, maxBackoffMs: 200 } }));
    return async () => {
      for (const res of hanging) res.destroy();
      await Promise.all([good?.stop(), flaky?.stop(), fake?.close(), storage?.close()]);
      if (work) await fs.rm(work, { recursive: true, force: true });
    };
  });

  const manifest = (image: string) =>
    rawRequest(`${url}/v2/proxy/faulty/${image}/manifests/1.0`, { method: "HEAD", headers: { authorization, accept: "application/vnd.oci.image.manifest.v1+json" } });

  it("an upstream that goes away: 502 UNAVAILABLE for its images, the others keep working", async () => {
    expect((await manifest("flaky/acme/app")).status).toBe(200);
    await flaky.stop();
    const gone = await rawRequest(`${url}/v2/proxy/faulty/flaky/acme/app/manifests/1.0`, { headers: { authorization } });
    expect(gone.status).toBe(502);
    expect(ociErrors(gone)[0]).toEqual({ code: "UNAVAILABLE", message: "The upstream registry is unreachable or failed to answer." });
    expect((await manifest("good/acme/app")).status).toBe(200);
    expect(proxy.metrics.upstreamErrors.get({ reason: "refused" })).toBeGreaterThan(0);
  });

  it("an upstream killed mid-blob: the client gets a truncated body (an error), the proxy keeps serving", async () => {
    const broken = rawRequest(`${url}/v2/proxy/faulty/fake/acme/broken/blobs/${digestOf("b")}`, { headers: { authorization } });
    await expect(broken).rejects.toThrow(/aborted|socket hang up|ECONNRESET/i);
    expect(proxy.metrics.upstreamErrors.get({ reason: "stream" })).toBe(1);
    // Cut short of its Content-Length: truncated, not bytes that failed their digest.
    expect(proxy.metrics.verificationFailures.get({ route: "blobs", reason: "truncated" })).toBe(1);
    expect(proxy.metrics.verificationFailures.get({ route: "blobs", reason: "mismatch" })).toBe(0);
    const blob = await rawRequest(`${url}/v2/proxy/faulty/good/acme/app/blobs/${img.layers[0]!.digest}`, { headers: { authorization } });
    expect(blob.status).toBe(200);
    expect(blob.body.length).toBe(img.layers[0]!.size);
  });

  it("a hanging upstream: 504 after the upstream timeout, while other pulls go through", async () => {
    const started = Date.now();
    let slowSettled = false;
    const arrived = new Promise<void>((resolve) => (slowArrived = resolve));
    const slow = rawRequest(`${url}/v2/proxy/faulty/fake/acme/slow/manifests/1.0`, { headers: { authorization } }).finally(() => (slowSettled = true));
    await arrived; // the hanging request is at the upstream
    const fast = await manifest("good/acme/app");
    expect(fast.status).toBe(200);
    expect(slowSettled, "the hanging request held up another one").toBe(false);
    const res = await slow;
    expect(res.status).toBe(504);
    expect(ociErrors(res)[0]!.code).toBe("UNAVAILABLE");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("a blob redirected to object storage is followed there without the vendor's credentials, and streamed", async () => {
    const res = await rawRequest(`${url}/v2/proxy/faulty/fake/acme/stored/blobs/${storedDigest}`, { headers: { authorization } });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined(); // the customer never sees the storage URL
    expect(res.body.equals(storedBlob)).toBe(true);
    expect(storageRequests).toHaveLength(1);
    expect(storageRequests[0]!.authorization).toBeUndefined();
    // The registry itself did get the vendor's Basic credentials.
    const asked = fake.requests.filter((r) => r.path === `/v2/acme/stored/blobs/${storedDigest}`);
    expect(asked.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from(`${vendor.username}:${vendor.password}`).toString("base64")}`);
  });

  it("a client that disconnects mid-blob aborts the upstream request", async () => {
    const upstreamClosed = new Promise<number>((resolve) => (endlessClosed = resolve));
    let leftAt = 0;
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${url}/v2/proxy/faulty/fake/acme/endless/blobs/${digestOf("e")}`, { headers: { authorization }, agent: false }, (res) => {
        expect(res.statusCode).toBe(200);
        let got = 0;
        res.on("data", (c: Buffer) => {
          got += c.length;
          if (got > 2 * MiB && !leftAt) {
            leftAt = Date.now();
            req.destroy();
            resolve();
          }
        });
      });
      req.on("error", (e) => (leftAt ? undefined : reject(e)));
    });
    const endlessClosedAt = await Promise.race([upstreamClosed, new Promise<number>((resolve) => setTimeout(() => resolve(0), 2_000).unref())]);
    expect(endlessClosedAt, "the upstream response was never closed").toBeGreaterThan(0);
    expect(endlessClosedAt - leftAt).toBeLessThan(1000);
    expect((await manifest("good/acme/app")).status).toBe(200);
  });

  it("the vendor's upstream credentials refused: 502 DENIED saying what to check, not a 401 that blames the license", async () => {
    // Another team with the same upstream but a stale password.
    const stale = await createTenant(fx.db, { slug: "stale" });
    const other = await createLicense(fx.db, stale);
    await addRegistry(fx.db, stale.teamId, { name: "good", endpoint: good.url, ...vendor, secret: "not-the-password" });
    const res = await rawRequest(`${url}/v2/proxy/stale/good/acme/app/manifests/1.0`, { headers: { authorization: licenseAuth(other.licenseId) } });
    expect(res.status).toBe(502);
    expect(res.headers["www-authenticate"]).toBeUndefined();
    expect(ociErrors(res)[0]!.code).toBe("DENIED");
    expect(ociErrors(res)[0]!.message).toMatch(/^The upstream registry refused access to this repository with the credentials configured for it \(HTTP 401\)/);
  });

  it("SSRF: without ALLOW_PRIVATE_REGISTRY_HOSTS no upstream request goes to a loopback address", async () => {
    const { proxy: strict, url: strictUrl } = await fx.startProxy({ allowPrivate: false, upstreamTimeoutMs: 1000 });
    try {
      for (const image of ["internal/acme/app", "good/acme/app"]) {
        const res = await rawRequest(`${strictUrl}/v2/proxy/faulty/${image}/manifests/1.0`, { headers: { authorization } });
        expect(res.status, image).toBe(502);
        expect(ociErrors(res)[0]!.message).toMatch(/not allowed from this proxy/);
      }
      expect(strict.metrics.upstreamErrors.get({ reason: "blocked" })).toBe(1);
    } finally {
      await strict.close(500);
    }
  });

  it("guessed license IDs: after too many portal refusals an address gets 429 without a lookup; its known customers keep pulling", async () => {
    const { proxy: limited, url: base } = await fx.startProxy({ licenseTtlMs: 200, negativeTtlMs: 5_000, refusalLimit: { maxRefusals: 3, blockMs: 1_500 } });
    try {
      const get = (auth: string) =>
        rawRequest(`${base}/v2/proxy/faulty/good/acme/app/manifests/1.0`, { headers: { authorization: auth, accept: "application/vnd.oci.image.manifest.v1+json" } });
      const guess = () => licenseAuth(crypto.randomBytes(20).toString("base64url"));
      const lookups = () => fx.lookups();

      expect((await get(authorization)).status).toBe(200); // a customer the portal allowed
      const before = lookups();
      // One client retrying the same bad ID: refused from the cache after the first time, counted once.
      const retried = guess();
      for (let i = 0; i < 5; i++) expect((await get(retried)).status).toBe(401);
      expect(lookups() - before).toBe(1);
      for (let i = 0; i < 2; i++) expect((await get(guess())).status).toBe(401);
      expect(lookups() - before).toBe(3);

      const blocked = await get(guess());
      expect(blocked.status).toBe(429);
      expect(blocked.headers["retry-after"]).toBe("2");
      expect(ociErrors(blocked)[0]!.code).toBe("TOOMANYREQUESTS");
      expect(lookups() - before).toBe(3); // the portal was not asked
      expect(limited.metrics.refusalBlocks.get()).toBe(1);

      // The known customer keeps pulling from the blocked address, also after its cached answer
      // expired (the portal is asked again: revocation still applies).
      fx.clock.advance(300);
      expect((await get(authorization)).status).toBe(200);
      expect(lookups() - before).toBe(4);
      // A license this proxy has never seen allowed waits like a guess.
      const fresh = await createLicense(fx.db, await createTenant(fx.db, { slug: "fresh" }));
      expect((await get(licenseAuth(fresh.licenseId))).status).toBe(429);

      fx.clock.advance(1_300);
      expect((await get(guess())).status).toBe(401);
      expect(lookups() - before).toBe(5);
    } finally {
      await limited.close(1000);
    }
  });

  it("behind a load balancer (PROXY_TRUSTED_HOPS=1): the limit and the pull log go by the forwarded client address", async () => {
    const { proxy: behind, url: base } = await fx.startProxy({ trustedProxyHops: 1, refusalLimit: { maxRefusals: 2 }, pullLog: { flushIntervalMs: 100 } });
    try {
      const get = (auth: string, forwardedFor: string) =>
        rawRequest(`${base}/v2/proxy/faulty/good/acme/app/manifests/1.0`, {
          headers: { authorization: auth, accept: "application/vnd.oci.image.manifest.v1+json", "x-forwarded-for": forwardedFor },
        });
      const guess = () => licenseAuth(crypto.randomBytes(20).toString("base64url"));
      // One client guessing — and pretending to be someone else in its own header: the balancer's entry counts.
      for (let i = 0; i < 2; i++) expect((await get(guess(), "192.0.2.1, 198.51.100.1")).status).toBe(401);
      expect((await get(guess(), "198.51.100.1")).status).toBe(429);
      // Another client behind the same balancer is not affected.
      expect((await get(guess(), "198.51.100.2")).status).toBe(401);

      expect((await get(authorization, "198.51.100.3")).status).toBe(200);
      await behind.pullLog.flush(true);
      const event = await fx.db.pullEvent.findFirst({ where: { licenseId: licenseRowId, actor: "198.51.100.3" } });
      expect(event).toMatchObject({ action: "pull-manifest", status: 200 });
    } finally {
      await behind.close(1000);
    }
  });

  it("portal down: cached answers serve until the TTL, then 503 (fail closed); the pull log waits and arrives", async () => {
    await proxy.pullLog.flush(true);
    const before = await fx.db.pullEvent.count({ where: { licenseId: licenseRowId } });
    expect((await manifest("good/acme/app")).status).toBe(200);
    await fx.api.stop();

    expect((await manifest("good/acme/app")).status).toBe(200);
    expect((await rawRequest(`${url}/readyz`)).status).toBe(503);
    fx.clock.advance(proxy.licenses.ttlMs + 50);
    const closed = await rawRequest(`${url}/v2/proxy/faulty/good/acme/app/manifests/1.0`, { headers: { authorization } });
    expect(closed.status).toBe(503);
    expect(ociErrors(closed)[0]).toEqual({ code: "UNAVAILABLE", message: "The license check is temporarily unavailable; try again shortly." });
    // A delivery attempt during the outage (the one in flight, or one forced now) fails.
    await proxy.pullLog.flush(true);
    // Held: the outage's event at least (the one before it may have left before the portal went).
    expect(proxy.pullLog.pending).toBeGreaterThanOrEqual(1);
    expect(proxy.metrics.portalErrors.get({ call: "pull-events" })).toBeGreaterThan(0);

    await fx.api.start();
    // Past the backoff (maxBackoffMs), the next delivery goes through.
    fx.clock.advance(200);
    await proxy.pullLog.flush();
    expect(proxy.pullLog.pending).toBe(0);
    // A batch leaves the buffer when it is sent, not when the portal has stored it: wait for the
    // send in flight (flush returns it) before counting.
    await proxy.pullLog.flush(true);
    const after = await fx.db.pullEvent.count({ where: { licenseId: licenseRowId } });
    // The two manifest requests before and during the outage; the 503 after the TTL has no license.
    expect(after - before).toBe(2);
    fx.clock.advance(1600);
    expect((await rawRequest(`${url}/readyz`)).status).toBe(200);
  });
});
