import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { startFaultFront, type FaultFront } from "@/test/support/fault-front";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";
import { startProxyProcess } from "@/test/support/proxy-process";
import { buildOciImage, freePort, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * Stopping the proxy loses nothing: on close /readyz says 503 at once, a blob on its way finishes,
 * connections are closed behind their last response; events the portal can't take when the
 * process stops are written to PROXY_PULL_LOG_DIR and delivered by the next process; and once the
 * portal answers again (a /readyz ping, a lookup) delivery resumes without waiting out the backoff.
 */

const vendor = { username: "vendor", password: "drain-upstream-pass" };
const MiB = 1024 * 1024;

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry proxy: stopping without losing requests or pull records", () => {
  const fx = proxyFixture();
  let upstream: Distribution;
  let work: string;
  let img: BuiltImage;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let front: FaultFront;

  beforeAll(async () => {
    work = await fsp.mkdtemp(path.join(os.tmpdir(), "proxy-drain-"));
    upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    img = await buildOciImage(path.join(work, "img"), { layers: [{ sizeBytes: 48 * MiB }, { sizeBytes: 64 * 1024 }], tag: "v1" });
    await pushImage(img.dir, `${upstream.host}/acme/app:v1`, { creds: vendor });
    tenant = await createTenant(fx.db, { slug: "drainapp" });
    await addRegistry(fx.db, tenant.teamId, { name: "up", endpoint: upstream.url, ...vendor, secret: vendor.password });
    front = await startFaultFront(fx.api.url);
  }, 300_000);

  afterAll(async () => {
    await front?.close();
    await upstream?.stop();
    if (work) await fsp.rm(work, { recursive: true, force: true });
  });

  const manifestPath = "/v2/proxy/drainapp/up/acme/app/manifests/v1";
  const headers = (authorization: string) => ({ authorization, accept: "application/vnd.oci.image.manifest.v1+json" });
  const rows = (licenseId: string) => fx.db.pullEvent.count({ where: { licenseId } });

  it("close(): not ready at once, a blob in flight finishes, kept-alive connections are closed, then it stops accepting", async () => {
    const license = await createLicense(fx.db, tenant);
    const authorization = licenseAuth(license.licenseId);
    const { proxy, url, port } = await fx.startProxy();
    const big = img.layers[0]!;

    // An idle kept-alive connection, and a blob that has started streaming but is not read yet.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let idleClosed = false;
    const idle = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get(`${url}${manifestPath}`, { agent, headers: headers(authorization) }, (res) => res.resume().on("end", () => resolve(res)))
        .on("socket", (socket) => socket.once("close", () => (idleClosed = true)))
        .on("error", reject),
    );
    expect(idle.statusCode).toBe(200);
    expect(idleClosed).toBe(false);
    const blob = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${url}/v2/proxy/drainapp/up/acme/app/blobs/${big.digest}`, { agent: false, headers: { authorization } }, resolve).on("error", reject),
    );
    expect(blob.statusCode).toBe(200);
    blob.pause();

    const closing = proxy.close({ delayMs: 1_000, timeoutMs: 120_000 });
    const ready = await rawRequest(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.toString()).toMatch(/^shutting down\n/);
    await until(() => idleClosed);
    expect(idleClosed).toBe(true);
    // Still accepting during the delay, but no connection outlives its response.
    const keptAlive = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${url}${manifestPath}`, { agent: new http.Agent({ keepAlive: true }), headers: headers(authorization) }, (res) => res.resume().on("end", () => resolve(res))).on("error", reject),
    );
    expect(keptAlive.statusCode).toBe(200);
    expect(keptAlive.headers.connection).toBe("close");

    // After the delay new connections are refused…
    const refused = async () => rawRequest(`http://127.0.0.1:${port}/healthz`).then(() => false, (e: NodeJS.ErrnoException) => e.code === "ECONNREFUSED");
    let nowRefused = false;
    for (let i = 0; i < 200 && !(nowRefused = await refused()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(nowRefused).toBe(true);
    // …while the blob that was on its way arrives whole.
    const hash = crypto.createHash("sha256");
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      blob.on("data", (c: Buffer) => (hash.update(c), (bytes += c.length)));
      blob.on("end", resolve);
      blob.on("error", reject);
      blob.resume();
    });
    expect(bytes).toBe(big.size);
    expect(`sha256:${hash.digest("hex")}`).toBe(big.digest);
    expect(await closing).toBe(true);
    // The pull log went to the portal before close() returned: the two manifests and the whole blob.
    const events = await fx.db.pullEvent.findMany({ where: { licenseId: license.id } });
    expect(events.map((e) => e.action).sort()).toEqual(["pull-blob", "pull-manifest", "pull-manifest"]);
    expect(events.find((e) => e.action === "pull-blob")!.bytes).toBe(BigInt(big.size));
    agent.destroy();
  });

  it("a process stopped while the portal is unreachable writes its events to disk (mode 600); the next one delivers them", async () => {
    const license = await createLicense(fx.db, tenant);
    const authorization = licenseAuth(license.licenseId);
    const port = await freePort();
    const pullLogDir = path.join(work, "pull-log");
    const spoolFiles = () => (fs.existsSync(pullLogDir) ? fs.readdirSync(pullLogDir) : []);
    const env = { PROXY_PULL_LOG_DIR: pullLogDir, PROXY_DRAIN_DELAY_MS: "0", PROXY_LICENSE_CACHE_TTL_MS: "60000", PROXY_ACCESS_LOG: "false" };
    front.mode = "pass";
    const first = await startProxyProcess({ port, portalUrl: front.url, serviceToken: fx.serviceToken, dataDir: fx.dataDir, env });
    try {
      // The license is looked up while the portal answers; then the portal goes away.
      expect((await rawRequest(`${first.url}${manifestPath}`, { headers: headers(authorization) })).status).toBe(200);
      front.mode = "down";
      const small = img.layers[1]!;
      for (let i = 0; i < 3; i++) {
        expect((await rawRequest(`${first.url}${manifestPath}`, { headers: headers(authorization) })).status).toBe(200);
        const b = await rawRequest(`${first.url}/v2/proxy/drainapp/up/acme/app/blobs/${small.digest}`, { headers: { authorization } });
        expect(b.status).toBe(200);
      }
      const made = 7;
      expect(await first.stop()).toBe(0);
      expect(first.output()).toMatch(/pull-log event\(s\) the portal did not take written to /);
      expect(spoolFiles()).toEqual([expect.stringMatching(new RegExp(`^pull-events-${port}-[0-9a-f]+\\.json$`))]);
      const spool = path.join(pullLogDir, spoolFiles()[0]!);
      const stat = fs.statSync(spool);
      expect(stat.mode & 0o777).toBe(0o600);
      const spooled = (JSON.parse(fs.readFileSync(spool, "utf8")) as { batches: Array<{ id: string; events: Array<{ id: string }> }> }).batches.flatMap((b) => b.events);
      expect(spooled.length + (await rows(license.id))).toBeGreaterThanOrEqual(made);
      expect(spooled.length).toBeGreaterThanOrEqual(made - 1);

      // The portal is back; a new process on the same port and directory delivers them, once each.
      front.mode = "pass";
      const second = await startProxyProcess({ port, portalUrl: front.url, serviceToken: fx.serviceToken, dataDir: fx.dataDir, env });
      try {
        await until(() => spoolFiles().length === 0, 30_000);
        expect(spoolFiles()).toEqual([]);
        expect(second.output()).toMatch(/pull-log event\(s\) a stopped proxy could not deliver read back/);
        expect(await rows(license.id)).toBe(made);
      } finally {
        expect(await second.stop()).toBe(0);
      }
      expect(await rows(license.id)).toBe(made);
    } finally {
      await first.stop("SIGKILL");
      front.mode = "pass";
    }
  }, 180_000);

  it("proxies sharing PROXY_PULL_LOG_DIR deliver each other's files: one restarted on another port, one still running; each event once", async () => {
    const license = await createLicense(fx.db, tenant);
    const authorization = licenseAuth(license.licenseId);
    const dir = path.join(work, "shared-pull-log");
    const files = () => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
    const env = { PROXY_PULL_LOG_DIR: dir, PROXY_DRAIN_DELAY_MS: "0", PROXY_LICENSE_CACHE_TTL_MS: "60000", PROXY_ACCESS_LOG: "false" };
    const start = async () => startProxyProcess({ port: await freePort(), portalUrl: front.url, serviceToken: fx.serviceToken, dataDir: fx.dataDir, env });
    const pull = async (p: { url: string }) => expect((await rawRequest(`${p.url}${manifestPath}`, { headers: headers(authorization) })).status).toBe(200);
    front.mode = "pass";
    front.captureBodies = true;
    front.delivered.length = 0;
    const a = await start();
    const b = await start();
    let a2: Awaited<ReturnType<typeof start>> | undefined;
    let made = 0;
    try {
      // Both look the license up while the portal answers; then it goes away and pulls go on from their caches.
      const pullThrough = async (p: { url: string }) => {
        await pull(p);
        made++;
      };
      for (const p of [a, b]) await pullThrough(p);
      front.mode = "down";
      for (let i = 0; i < 3; i++) for (const p of [a, b]) await pullThrough(p);

      // a stops and leaves a file; it comes back on another port, while b keeps running: one of them takes the file.
      expect(await a.stop()).toBe(0);
      expect(a.output()).toMatch(/pull-log event\(s\) the portal did not take written to /);
      a2 = await start();
      expect(a2.port).not.toBe(a.port);
      await until(() => files().length > 0 && files().every((f) => f.startsWith("claim.")), 30_000);
      // b stops too; a2, still running, takes what b left (its own events and any it had claimed).
      expect(await b.stop()).toBe(0);
      await until(() => files().length > 0 && files().every((f) => f.startsWith(`claim.${a2!.child.pid}.`)), 30_000);
      expect(files().every((f) => f.startsWith(`claim.${a2!.child.pid}.`))).toBe(true);

      // The portal is back: a2 delivers everything, and the files go.
      front.mode = "pass";
      // Readiness asks the portal at most every 2 s, so a2 says it is ready within a few seconds.
      let ready = 0;
      for (let waited = 0; waited < 30_000 && ready !== 200; waited += 250) {
        ready = (await rawRequest(`${a2.url}/readyz`)).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(ready).toBe(200);
      let stored = 0;
      for (let waited = 0; waited < 60_000 && (stored !== made || files().length > 0); waited += 200) {
        await new Promise((r) => setTimeout(r, 200));
        stored = await rows(license.id);
      }
      expect(files()).toEqual([]);
    } finally {
      front.mode = "pass";
      front.captureBodies = false;
      await a.stop("SIGKILL");
      await b.stop("SIGKILL");
      if (a2) expect(await a2.stop()).toBe(0);
    }
    expect(await rows(license.id)).toBe(made);
    // Each event reached the portal exactly once: no proxy delivered a file another one had.
    const ids = front.delivered
      .filter((d) => d.path.startsWith("/api/internal/proxy/pull-events"))
      .flatMap((d) => (JSON.parse(d.body.toString("utf8")) as { events: Array<{ id: string; licenseId: string | null }> }).events)
      .filter((e) => e.licenseId === license.id)
      .map((e) => e.id);
    expect(ids).toHaveLength(made);
    expect(new Set(ids).size).toBe(made);
  }, 240_000);

  it("once the portal answers again, delivery resumes at once: on a /readyz ping, on a lookup", async () => {
    const one = await createLicense(fx.db, tenant);
    const two = await createLicense(fx.db, tenant);
    front.mode = "pass";
    // A clock that never moves: the backoff after a failed batch never runs out by itself.
    const frozen = Date.now();
    const { proxy, url } = await fx.startProxy({ portalUrl: front.url, now: () => frozen, licenseTtlMs: 60_000, pullLog: { flushIntervalMs: 50 } });
    const get = (licenseId: string) => rawRequest(`${url}${manifestPath}`, { headers: headers(licenseAuth(licenseId)) });
    const failures = () => proxy.metrics.portalErrors.get({ call: "pull-events" });

    expect((await get(one.licenseId)).status).toBe(200);
    await until(() => proxy.pullLog.pending === 0, 10_000);
    expect(proxy.pullLog.pending).toBe(0);
    expect(await rows(one.id)).toBe(1);

    // The portal goes away; pulls go on from the license cache and their events wait.
    front.mode = "down";
    for (let i = 0; i < 3; i++) expect((await get(one.licenseId)).status).toBe(200);
    await until(() => failures() >= 1, 10_000);
    expect(failures()).toBeGreaterThanOrEqual(1);
    front.mode = "pass";
    await proxy.pullLog.flush();
    expect(proxy.pullLog.pending).toBe(3);
    // readiness's ping gets an answer: the batch goes now.
    expect((await rawRequest(`${url}/readyz`)).status).toBe(200);
    await until(() => proxy.pullLog.pending === 0, 10_000);
    expect(await rows(one.id)).toBe(4);

    // Again, and this time a lookup (a license not cached yet) is the first answer.
    front.mode = "down";
    for (let i = 0; i < 2; i++) expect((await get(one.licenseId)).status).toBe(200);
    const before = failures();
    await until(() => failures() > before, 10_000);
    front.mode = "pass";
    await proxy.pullLog.flush();
    expect(proxy.pullLog.pending).toBe(2);
    expect((await get(two.licenseId)).status).toBe(200);
    await until(() => proxy.pullLog.pending === 0, 10_000);
    expect(await rows(one.id)).toBe(6);
    expect(await rows(two.id)).toBe(1);
  });
});
