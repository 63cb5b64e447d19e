import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";
import { buildOciImage, freePort, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";

/**
 * The proxy as it runs in production: proxy/main.ts bundled with esbuild (what `npm run build`
 * does for dist/proxy.mjs) and run by plain node in its own process (no Next.js, no database, no tsx), configured by
 * the environment. A 1 GiB blob streams through it with its peak RSS
 * (VmHWM) far below the blob size; SIGTERM flushes the pull log; production refuses to start
 * without PROXY_SERVICE_TOKEN.
 */

const vendor = { username: "vendor", password: "process-upstream-pass" };
const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
const root = path.resolve(import.meta.dirname, "../..");

/** Peak resident set size of a process (kB in /proc → bytes). */
function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry proxy: the process", () => {
  const fx = proxyFixture();
  const { serviceToken, dataDir } = fx;
  let upstream: Distribution;
  let work: string;
  let img: BuiltImage;
  let child: ChildProcess;
  let output = "";
  let url: string;
  let metricsPort: number;
  let authorization: string;
  let licenseRowId: string;
  let bundleDir: string;
  let bundle: string;

  beforeAll(async () => {
    bundleDir = await fsp.mkdtemp(path.join(os.tmpdir(), "proxy-bundle-"));
    bundle = path.join(bundleDir, "main.mjs");
    await build({ entryPoints: [path.join(root, "proxy", "main.ts")], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile: bundle, logLevel: "error" });
    // Bare imports (zod, the AWS SDK) resolve from the repository's node_modules.
    await fsp.symlink(path.join(root, "node_modules"), path.join(bundleDir, "node_modules"));
    work = await fsp.mkdtemp(path.join(os.tmpdir(), "proxy-process-"));
    upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    img = await buildOciImage(work, { layers: [{ sizeBytes: GiB }], tag: "big" });
    await pushImage(work, `${upstream.host}/acme/big:big`, { creds: vendor });
    // The layout's copy is no longer needed: keep the disk footprint to the registry's copy.
    await fsp.rm(work, { recursive: true, force: true });

    const tenant = await createTenant(fx.db, { slug: "bigapp" });
    const license = await createLicense(fx.db, tenant);
    licenseRowId = license.id;
    authorization = licenseAuth(license.licenseId);
    await addRegistry(fx.db, tenant.teamId, { name: "up", endpoint: upstream.url, ...vendor, secret: vendor.password });

    const port = await freePort();
    metricsPort = await freePort();
    // A store directory that isn't a Distribution storage root: the proxy says what that means.
    const storeDir = path.join(dataDir, "not-a-store");
    await fsp.mkdir(path.join(storeDir, "registry"), { recursive: true });
    child = spawn(process.execPath, [...PROXY_NODE_FLAGS, bundle], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: os.tmpdir(),
        NODE_ENV: "development",
        PROXY_PORT: String(port),
        PROXY_SERVICE_TOKEN: serviceToken,
        PORTAL_INTERNAL_URL: fx.api.url,
        PORTCULLIS_DATA_DIR: dataDir,
        ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
        PROXY_ACCESS_LOG: "false",
        PROXY_METRICS_PORT: String(metricsPort),
        PROXY_CACHE_STORE_DIR: storeDir,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    url = `http://127.0.0.1:${port}`;
    // It says so once it listens (on a loaded machine, loading the bundle alone can take many seconds).
    await until(() => output.includes("[portcullis] proxy on ") || child.exitCode !== null, 90_000);
    if (child.exitCode !== null) throw new Error(`proxy exited: ${output}`);
    if (!output.includes("[portcullis] proxy on ")) throw new Error(`proxy did not start listening: ${output}`);
    expect((await rawRequest(`${url}/healthz`)).status).toBe(200);
    return async () => {
      if (child && child.exitCode === null) child.kill("SIGKILL");
      await upstream?.stop();
      if (work) await fsp.rm(work, { recursive: true, force: true });
      if (bundleDir) await fsp.rm(bundleDir, { recursive: true, force: true });
    };
  }, 300_000);

  it("starts from the environment, with no database: healthz, readyz (the portal answers), metrics on their own port only", async () => {
    expect(output).toMatch(/\[portcullis\] proxy on http:\/\/127\.0\.0\.1:\d+ \(portal API http:\/\/127\.0\.0\.1:\d+, license cache 5000 ms\)/);
    expect(output).not.toContain("started without node"); // PROXY_NODE_FLAGS given, as start:proxy does
    expect(output).toMatch(/PROXY_CACHE_STORE_DIR \S+not-a-store holds no Distribution storage \(docker\/registry\/v2\): until it does, copies are read through the store's API\. Set it to the store's storage root/);
    await until(() => output.includes("connected to the portal's internal API"), 5_000);
    expect(output).toMatch(/\[portcullis\] proxy: connected to the portal's internal API at http:\/\/127\.0\.0\.1:\d+/);
    expect((await rawRequest(`${url}/readyz`)).status).toBe(200);
    expect(output).toContain(`[portcullis] proxy: metrics on http://127.0.0.1:${metricsPort}/metrics`);
    expect((await rawRequest(`http://127.0.0.1:${metricsPort}/metrics`)).body.toString()).toContain("process_resident_memory_bytes");
    expect((await rawRequest(`${url}/metrics`)).status).toBe(404);
  });

  it("streams a 1 GiB blob with flat memory (peak RSS measured in /proc)", async () => {
    const layer = img.layers[0]!;
    const before = peakRss(child.pid!);
    const hash = crypto.createHash("sha256");
    let bytes = 0;
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${url}/v2/proxy/bigapp/up/acme/big/blobs/${layer.digest}`, { headers: { authorization }, agent: false }, (res) => {
          expect(res.statusCode).toBe(200);
          expect(Number(res.headers["content-length"])).toBe(layer.size);
          res.on("data", (c: Buffer) => {
            hash.update(c);
            bytes += c.length;
          });
          res.on("end", resolve);
          res.on("error", reject);
        })
        .on("error", reject);
    });
    const seconds = (Date.now() - started) / 1000;
    const peak = peakRss(child.pid!);
    console.log(`[proxy] 1 GiB blob in ${seconds.toFixed(1)} s (${(bytes / MiB / seconds).toFixed(0)} MiB/s); proxy peak RSS ${(before / MiB).toFixed(0)} → ${(peak / MiB).toFixed(0)} MiB`);
    expect(bytes).toBe(layer.size);
    expect(`sha256:${hash.digest("hex")}`).toBe(layer.digest);
    expect(peak).toBeLessThan(150 * MiB);
    expect(peak - before).toBeLessThan(64 * MiB);
  });

  it("SIGTERM: finishes, flushes the pull log to the portal and exits 0", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const rows = await fx.db.pullEvent.findMany({ where: { licenseId: licenseRowId, action: "pull-blob" } });
    expect(rows.map((r) => Number(r.bytes))).toContain(img.layers[0]!.size);
  });

  it("refuses to start in production without PROXY_SERVICE_TOKEN, with one line naming it", () => {
    const res = spawnSync(process.execPath, [...PROXY_NODE_FLAGS, bundle, "--production"], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), PORTCULLIS_DATA_DIR: dataDir } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr.trim()).toBe("Invalid configuration: PROXY_SERVICE_TOKEN is required when NODE_ENV=production");
  });
});
