import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { requireHaproxy, startHaproxy, type Haproxy } from "@/test/support/haproxy";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";
import { startProxyProcess, type ProxyProcess } from "@/test/support/proxy-process";
import { buildOciImage, freePort, pullImage, pushImage, requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";

/**
 * A rolling restart as an operator runs one: two proxies (proxy/main.ts processes) behind HAProxy,
 * a real Distribution upstream, 20 skopeo pulls of a 256 MiB image in 8 layers under way, and each
 * proxy in turn stopped (SIGTERM, wait for it to exit), started again on its port and waited for
 * (/readyz). Every pull succeeds with the image's digest, and the portal has one pull record for
 * each request the proxies answered.
 */

const vendor = { username: "vendor", password: "rolling-upstream-pass" };
const MiB = 1024 * 1024;
const PULLS = 20;
const AT_ONCE = 4;
const IMAGE_ROUTES = new Set(["manifests", "blobs", "tags", "referrers"]);

const needed = requireBinaries("docker-registry", "skopeo", "htpasswd") && requireHaproxy();

describe.skipIf(!needed)("registry proxy: a rolling restart behind HAProxy", () => {
  const fx = proxyFixture();
  let upstream: Distribution;
  let work: string;
  let digest: string;
  let licenseRowId: string;
  let licenseId: string;
  let haproxy: Haproxy;
  const ports: number[] = [];
  const running: ProxyProcess[] = [];
  /** Every proxy process of the test, stopped ones included: their access logs are the requests answered. */
  const all: ProxyProcess[] = [];

  const start = async (port: number) => {
    const p = await startProxyProcess({
      port,
      portalUrl: fx.api.url,
      serviceToken: fx.serviceToken,
      dataDir: fx.dataDir,
      env: { PROXY_DRAIN_DELAY_MS: "2000", PROXY_DRAIN_TIMEOUT_MS: "300000", PROXY_TRUSTED_HOPS: "1", PROXY_PULL_LOG_DIR: path.join(work, "pull-log") },
    });
    all.push(p);
    return p;
  };
  /** HAProxy has seen the proxy ready: its health check got a 200 from this process. */
  const inRotation = (p: ProxyProcess) => p.accessLog().some((e) => e.route === "readyz" && e.status === 200);

  beforeAll(async () => {
    work = await fsp.mkdtemp(path.join(os.tmpdir(), "proxy-rolling-"));
    upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    const img = await buildOciImage(path.join(work, "img"), { layers: Array.from({ length: 8 }, () => ({ sizeBytes: 32 * MiB })), tag: "v1" });
    ({ digest } = await pushImage(img.dir, `${upstream.host}/acme/big:v1`, { creds: vendor }));
    await fsp.rm(img.dir, { recursive: true, force: true });
    const tenant = await createTenant(fx.db, { slug: "rollapp" });
    const license = await createLicense(fx.db, tenant);
    licenseRowId = license.id;
    licenseId = license.licenseId;
    await addRegistry(fx.db, tenant.teamId, { name: "up", endpoint: upstream.url, ...vendor, secret: vendor.password });
    for (let i = 0; i < 2; i++) {
      ports.push(await freePort());
      running.push(await start(ports[i]!));
    }
    haproxy = await startHaproxy(ports);
    await until(() => running.every(inRotation), 20_000);
    expect(running.every(inRotation)).toBe(true);
    // The portal's routes in this test process load on their first lookup: one pull of the manifest
    // through each proxy before the measured pulls.
    for (const p of running) {
      const res = await rawRequest(`${p.url}/v2/proxy/rollapp/up/acme/big/manifests/v1`, { headers: { authorization: licenseAuth(licenseId), accept: "application/vnd.oci.image.manifest.v1+json" } });
      expect(res.status).toBe(200);
    }
  }, 600_000);

  afterAll(async () => {
    for (const p of all) await p.stop("SIGKILL");
    await haproxy?.stop();
    await upstream?.stop();
    if (work) await fsp.rm(work, { recursive: true, force: true });
  });

  it("20 pulls through two proxies restarted one after the other: none fails, no pull record is lost", async () => {
    const results: Array<{ ok: boolean; digest?: string; error?: string }> = [];
    let finished = 0;
    let next = 0;
    const pullOne = async (n: number) => {
      const dest = path.join(work, `pull-${n}`);
      try {
        await pullImage(`${haproxy.host}/proxy/rollapp/up/acme/big:v1`, dest, { creds: { username: "LICENSE_ID", password: licenseId } });
        const index = JSON.parse(await fsp.readFile(path.join(dest, "index.json"), "utf8")) as { manifests: Array<{ digest: string }> };
        results.push({ ok: true, digest: index.manifests[0]!.digest });
      } catch (e) {
        results.push({ ok: false, error: (e as Error).message });
      } finally {
        finished++;
        await fsp.rm(dest, { recursive: true, force: true });
      }
    };
    const pulls = Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < PULLS) await pullOne(next++);
      }),
    );

    // Each proxy in turn, while pulls are under way.
    const finishedAtRestart: number[] = [];
    for (let i = 0; i < 2; i++) {
      await until(() => running[i]!.accessLog().some((e) => e.route === "blobs"), 120_000);
      finishedAtRestart.push(finished);
      expect(await running[i]!.stop("SIGTERM")).toBe(0);
      running[i] = await start(ports[i]!);
      expect((await rawRequest(`${running[i]!.url}/readyz`)).status).toBe(200);
      await until(() => inRotation(running[i]!), 20_000);
      expect(inRotation(running[i]!)).toBe(true);
    }
    await pulls;

    // The restarts happened while pulls were still to finish.
    expect(finishedAtRestart.every((n) => n < PULLS)).toBe(true);
    if (results.some((r) => !r.ok)) {
      console.log(haproxy.output());
      console.log(all.flatMap((p) => p.accessLog()).filter((e) => e.status >= 500));
    }
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.digest)).toEqual(Array.from({ length: PULLS }, () => digest));

    // Stop the last two (their pull logs flush), then compare with what the proxies answered.
    for (const p of running) expect(await p.stop("SIGTERM")).toBe(0);
    const answered = all.flatMap((p) => p.accessLog()).filter((e) => IMAGE_ROUTES.has(e.route));
    const rows = await fx.db.pullEvent.count({ where: { licenseId: licenseRowId } });
    console.log(`[rolling restart] ${PULLS} pulls, ${answered.length} image requests answered by ${all.length} proxy processes, ${rows} pull records`);
    expect(answered.length).toBeGreaterThan(0);
    expect(rows).toBe(answered.length);
    // No proxy answered a pull with a server error while the other restarted.
    expect(answered.filter((e) => e.status >= 500)).toEqual([]);
  }, 900_000);
});
