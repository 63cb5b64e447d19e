/**
 * The proxy's own cost around its license check (not a test: no thresholds). Run:
 *   npx tsx bench/proxy-lookups.ts [--lookups 2000] [--hits 5000] [--concurrency 16] [--source DIR]
 *
 * The proxy bundled from `--source` (a checkout of this repository; default this one, so two
 * checkouts compare two versions on the same machine), run as production runs it, in front of
 * bench/support/stub-portal.ts. `GET /v2/` with a license is the license check alone (no
 * upstream). Printed, from /proc: RSS once started, RSS after its first portal lookup (what the
 * portal client loads on first use), CPU per request and peak RSS over `--lookups` requests with
 * a new license each (each one a portal lookup), then CPU per request over `--hits` requests with
 * one license (answered from the proxy's license cache).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { flag, numberArg } from "./support/args";
import { cpuSeconds, load, machine, mib, peakRss } from "./support/measure";
import { root, startProxy } from "./support/node-servers";
import { startStubPortal } from "./support/stub-portal";

const LOOKUPS = numberArg("lookups", 2000);
const HITS = numberArg("hits", 5000);
const CONCURRENCY = numberArg("concurrency", 16);
const sourceIndex = process.argv.indexOf("--source");
const SOURCE = sourceIndex >= 0 ? path.resolve(process.argv[sourceIndex + 1]!) : root;
const serviceToken = crypto.randomBytes(24).toString("base64url");
const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
const licenseAuth = (licenseId: string) => `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}`;

async function main() {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), "portcullis-bench-proxy-lookups-"));
  const bundle = path.join(work, "proxy-main.mjs");
  await build({ entryPoints: [path.join(SOURCE, "proxy", "main.ts")], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile: bundle, logLevel: "error", tsconfig: path.join(SOURCE, "tsconfig.json") });
  await fsp.symlink(path.join(root, "node_modules"), path.join(work, "node_modules"));
  const portal = await startStubPortal({ upstreamUrl: "http://127.0.0.1:9", serviceToken, credentials: { kind: "anonymous" } });
  const proxy = await startProxy({ bundle, portalUrl: portal.url, serviceToken });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const get = (licenseId: string) =>
    new Promise<void>((resolve, reject) => {
      http
        .get(`${proxy.url}/v2/`, { agent, headers: { authorization: licenseAuth(licenseId) } }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET /v2/ answered ${res.statusCode}`))));
        })
        .on("error", reject);
    });
  const many = async (n: number, license: () => string) => {
    let next = 0;
    const cpu = cpuSeconds(proxy.pid);
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) await get(license());
    }));
    return ((cpuSeconds(proxy.pid) - cpu) / n) * 1e6;
  };
  const newLicense = () => crypto.randomBytes(20).toString("base64url");
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rss(proxy.pid);
    await get(newLicense());
    await new Promise((r) => setTimeout(r, 500));
    const afterFirst = rss(proxy.pid);
    const lookupUs = await many(LOOKUPS, newLicense);
    const peakAfterLookups = peakRss(proxy.pid);
    const one = newLicense();
    await get(one);
    const hitUs = await many(HITS, () => one);
    console.log(`[bench] ${machine()}, load ${load()}; proxy from ${SOURCE}`);
    console.log(`| RSS started | RSS after the first lookup | CPU µs per request, ${LOOKUPS} lookups | peak RSS after them | CPU µs per request, ${HITS} cache hits |`);
    console.log(`| ${mib(idle)} | ${mib(afterFirst)} | ${lookupUs.toFixed(0)} | ${mib(peakAfterLookups)} | ${hitUs.toFixed(0)} |`);
    if (flag("stats")) console.log(portal.stats());
  } finally {
    agent.destroy();
    await proxy.stop();
    await portal.close();
    await fsp.rm(work, { recursive: true, force: true });
  }
}

await main();
