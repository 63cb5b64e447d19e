/**
 * Registry proxy benchmark (not a test: no thresholds). Run: npx tsx bench/proxy.ts
 *   [--size-mib 1024] [--layers 20] [--runs 3] [--write]   (--write appends a section to BENCHMARKS.md)
 *
 * One machine, one run, skopeo as the client (`skopeo copy docker://… dir:DEST`):
 *
 * - direct: from the upstream, a CNCF Distribution with htpasswd (Basic) auth;
 * - Portcullis: the proxy (proxy/main.ts bundled with esbuild and run with plain node, as in
 *   production) in front of that same upstream, authenticating with Basic — the customer logs in
 *   with LICENSE_ID:<id>;
 * - Distribution's own pull-through cache (`proxy: {remoteurl}`): it can't send credentials to a
 *   Basic upstream, so it gets a no-auth Distribution serving the very same storage
 *   directory. Cold = a fresh cache directory, warm = the second pull.
 *
 * - two baselines for the proxy itself: the same bundle without PROXY_NODE_FLAGS (V8's default
 *   heap), and bench/bare-relay.mjs, a bare `pipeline(upstream, response)` with no license check:
 *   the floor for any Node relay. For the Node variants, the server's CPU seconds per GiB
 *   streamed (from /proc/<pid>/stat).
 *
 * Portcullis has no blob cache, so its "cold" is a freshly started process (empty lookup cache,
 * no upstream connection) and "warm" a repeat. Before measuring, one direct pull puts the blobs in
 * the page cache, so every variant reads the upstream's files from memory.
 *
 * The portal side is a stub of the internal API (lib/internal/contract.ts) that answers every
 * lookup with the upstream's credentials: the proxy asks it once per 5 s per license, so a real
 * portal would not show in these numbers (the integration tests exercise the real one).
 *
 * Also: manifest HEAD latency (p50/p99, one client, keep-alive) and throughput (16 concurrent)
 * through Portcullis vs direct; the CPU cost of the proxy's per-request license check (Basic +
 * cache hit) next to what a Bearer JWT check would cost; and the peak RSS (VmHWM) of every server
 * process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { LicenseCache } from "@/proxy/license-cache";
import { licenseFromAuthorization } from "@/proxy/license-gate";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";
import { buildOciImage, freePort, pushImage, startDistribution, type Distribution } from "@/test/support/registry";
import { binary } from "@/test/support/registry/binaries";
import { cleanEnv, run } from "@/test/support/registry/process";
import { startStubPortal } from "./stub-portal";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SIZE_MIB = arg("size-mib", 1024);
const LAYERS = arg("layers", 20);
const RUNS = arg("runs", 3);
const WRITE = process.argv.includes("--write");
const MiB = 1024 * 1024;
const root = path.resolve(import.meta.dirname, "..");
const vendor = { username: "vendor", password: "bench-upstream-password" };
const licenseId = crypto.randomBytes(20).toString("base64url");
const serviceToken = crypto.randomBytes(24).toString("base64url");

const work = await fsp.mkdtemp(path.join(os.tmpdir(), "bench-proxy-"));
const cleanups: Array<() => Promise<unknown> | unknown> = [];
process.on("exit", () => void fs.rmSync(work, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Helpers

function pidOf(reg: Distribution): number {
  const needle = path.join(reg.dir, "config.yml");
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) return Number(entry);
    } catch {
      // gone
    }
  }
  throw new Error(`no process for ${reg.host}`);
}

/** CPU seconds (user + system) a process has used so far; Linux's USER_HZ is 100. */
const cpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function skopeoCopy(ref: string, creds?: string): Promise<number> {
  const dest = path.join(work, `dest-${crypto.randomBytes(4).toString("hex")}`);
  const home = await fsp.mkdtemp(path.join(work, "home-"));
  const started = performance.now();
  await run(binary("skopeo"), ["copy", "--insecure-policy", "--src-tls-verify=false", ...(creds ? ["--src-creds", creds] : []), `docker://${ref}`, `dir:${dest}`], {
    env: cleanEnv(home),
    timeoutMs: 600_000,
  });
  const seconds = (performance.now() - started) / 1000;
  await fsp.rm(dest, { recursive: true, force: true });
  await fsp.rm(home, { recursive: true, force: true });
  return seconds;
}

interface RunningProxy {
  host: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function startProxy(bundle: string, portalUrl: string, nodeFlags: readonly string[] = PROXY_NODE_FLAGS): Promise<RunningProxy> {
  return startNodeServer([...nodeFlags, bundle], (port) => ({
    NODE_ENV: "production",
    PROXY_PORT: String(port),
    PROXY_BIND: "127.0.0.1",
    PROXY_SERVICE_TOKEN: serviceToken,
    PORTAL_INTERNAL_URL: portalUrl,
    ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
    PROXY_ACCESS_LOG: "false",
  }));
}

/** The baseline: bench/bare-relay.mjs, a bare pipeline(upstream, response), with the proxy's node flags. */
function startBareRelay(upstreamUrl: string): Promise<RunningProxy> {
  return startNodeServer([...PROXY_NODE_FLAGS, path.join(root, "bench", "bare-relay.mjs")], (port) => ({
    PORT: String(port),
    UPSTREAM_URL: upstreamUrl,
    UPSTREAM_CREDS: `${vendor.username}:${vendor.password}`,
  }));
}

async function startNodeServer(args: string[], envFor: (port: number) => Record<string, string>): Promise<RunningProxy> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, ...envFor(port) } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => http.get(`${url}/healthz`, (r) => (r.resume(), resolve(r.statusCode === 200))).on("error", () => resolve(false)));
    if (ok) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`${args.at(-1)} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    pid: child.pid!,
    stop: () => new Promise<void>((resolve) => (child.once("exit", () => resolve()), child.kill("SIGTERM"))),
  };
}

/** HEAD manifest latency with one keep-alive client, then throughput with `concurrency` clients. */
async function manifestHeads(baseUrl: string, pathName: string, authorization: string, seconds = 4, concurrency = 16) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const u = new URL(baseUrl);
  const head = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        { host: u.hostname, port: u.port, path: pathName, method: "HEAD", agent, headers: { authorization, accept: "application/vnd.oci.image.manifest.v1+json" } },
        (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HEAD ${res.statusCode}`))));
        },
      );
      req.on("error", reject);
      req.end();
    });
  for (let i = 0; i < 200; i++) await head(); // warm: connections, caches, JIT
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) latencies.push(await head());
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await head();
        done++;
      }
    }),
  );
  const rps = done / ((performance.now() - started) / 1000);
  agent.destroy();
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), rps };
}

/** CPU cost per request of the license check: Basic (what the proxy does) vs a Bearer JWT (HS256) check. */
function checkCost() {
  const cache = new LicenseCache();
  const req = { licenseId, appSlug: "app", image: ["up", "acme", "big"] };
  const answer = { status: 200 as const, body: { allowed: true, code: "ok" as const, reason: "ok" } };
  void cache.get(req, async () => answer);
  const basicHeader = `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}`;
  const key = crypto.randomBytes(32);
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: licenseId, aud: "portcullis-proxy", exp: Math.floor(Date.now() / 1000) + 300, access: [{ type: "repository", name: "proxy/app/up/acme/big", actions: ["pull"] }] })}`;
  const jwt = `${unsigned}.${crypto.createHmac("sha256", key).update(unsigned).digest("base64url")}`;
  const bearerHeader = `Bearer ${jwt}`;
  const N = 200_000;
  const time = (fn: () => void) => {
    for (let i = 0; i < 20_000; i++) fn();
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    return Number(process.hrtime.bigint() - started) / N / 1000; // µs
  };
  let sink = 0;
  const basic = time(() => {
    const c = licenseFromAuthorization(basicHeader);
    if (c.kind === "license") sink += cache.keyOf({ ...req, licenseId: c.licenseId }).length;
  });
  const bearer = time(() => {
    const token = bearerHeader.slice(7);
    const [h, p, s] = token.split(".");
    const expected = crypto.createHmac("sha256", key).update(`${h}.${p}`).digest();
    const given = Buffer.from(s!, "base64url");
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new Error("bad signature");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString()) as { sub: string; exp: number };
    if (claims.exp * 1000 < Date.now()) throw new Error("expired");
    // Revocation still needs the lookup cache: the token can't outlive a revoked license.
    sink += cache.keyOf({ ...req, licenseId: claims.sub }).length;
  });
  if (sink < 0) console.log(sink);
  return { basic, bearer };
}

// ---------------------------------------------------------------------------------------------

console.log(`[bench] Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);

// The proxy as production runs it: one bundled file, plain node.
const bundle = path.join(work, "proxy-main.mjs");
await build({ entryPoints: [path.join(root, "proxy", "main.ts")], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile: bundle, logLevel: "error" });
// Bare imports (zod, the AWS SDK) resolve from the repository's node_modules.
await fsp.symlink(path.join(root, "node_modules"), path.join(work, "node_modules"));

const upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password }, logLevel: "error" });
cleanups.push(() => upstream.stop());
const open = await startDistribution({ storageDir: upstream.storageDir, logLevel: "error" });
cleanups.push(() => open.stop());

console.log(`[bench] building and pushing a ${SIZE_MIB} MiB single-layer image and a ${LAYERS}-layer image…`);
const bigDir = path.join(work, "big");
await buildOciImage(bigDir, { layers: [{ sizeBytes: SIZE_MIB * MiB }], tag: "big" });
await pushImage(bigDir, `${upstream.host}/acme/big:big`, { creds: vendor });
await fsp.rm(bigDir, { recursive: true, force: true });
const manyDir = path.join(work, "many");
await buildOciImage(manyDir, { layers: Array.from({ length: LAYERS }, (_, i) => ({ sizeBytes: (1 + (i % 4)) * 2 * MiB })), tag: "many" });
const manyBytes = Array.from({ length: LAYERS }, (_, i) => (1 + (i % 4)) * 2 * MiB).reduce((a, b) => a + b, 0);
await pushImage(manyDir, `${upstream.host}/acme/many:many`, { creds: vendor });
await fsp.rm(manyDir, { recursive: true, force: true });

const portal = await startStubPortal(upstream.url, serviceToken, vendor);
cleanups.push(() => portal.close());
const vendorCreds = `${vendor.username}:${vendor.password}`;
const licenseCreds = `LICENSE_ID:${licenseId}`;

// Page cache: every variant then reads the upstream's blobs from memory.
await skopeoCopy(`${upstream.host}/acme/big:big`, vendorCreds);
await skopeoCopy(`${upstream.host}/acme/many:many`, vendorCreds);

interface Row {
  image: string;
  variant: string;
  cold: number[];
  warm: number[];
  /** Server-side CPU seconds over every pull of this row (Node variants), and the bytes pulled. */
  cpu?: number;
  bytes?: number;
}

/** A cold and a warm pull through a freshly started server; its CPU time goes to the row. */
async function coldAndWarm(row: Row, server: RunningProxy, ref: string, creds: string | undefined, bytes: number) {
  const before = cpuSeconds(server.pid);
  row.cold.push(await skopeoCopy(ref, creds));
  row.warm.push(await skopeoCopy(ref, creds));
  row.cpu = (row.cpu ?? 0) + cpuSeconds(server.pid) - before;
  row.bytes = (row.bytes ?? 0) + 2 * bytes;
}
const rows: Row[] = [];
const cpuPerGiB = (row: Row) => ((row.cpu ?? 0) / ((row.bytes ?? 1) / (1024 * MiB))).toFixed(2);
const ratios: string[] = [];
const loadAtStart = os.loadavg()[0]!;
let proxyPeak = 0;
let distPeak = 0;
const upstreamPid = pidOf(upstream);

for (const [image, tag, bytes] of [
  ["acme/big", "big", SIZE_MIB * MiB],
  ["acme/many", "many", manyBytes],
] as const) {
  const label = image === "acme/big" ? `${SIZE_MIB} MiB, 1 layer` : `${mib(bytes)}, ${LAYERS} layers`;
  const direct: Row = { image: label, variant: "direct (Basic upstream)", cold: [], warm: [] };
  const portcullis: Row = { image: label, variant: "Portcullis (Basic upstream)", cold: [], warm: [] };
  const distribution: Row = { image: label, variant: "Distribution proxy (no-auth upstream)", cold: [], warm: [] };
  // The same proxy without PROXY_NODE_FLAGS (V8's default initial heap), to show what they buy;
  // and the floor for any Node relay: bench/bare-relay.mjs.
  const plainHeap: Row = { image: label, variant: "Portcullis, default V8 heap", cold: [], warm: [] };
  const bare: Row = { image: label, variant: "bare Node relay (baseline, no checks)", cold: [], warm: [] };
  for (let r = 0; r < RUNS; r++) {
    // direct: no cache anywhere, cold and warm are the same thing; two samples per run.
    direct.cold.push(await skopeoCopy(`${upstream.host}/${image}:${tag}`, vendorCreds));
    direct.warm.push(await skopeoCopy(`${upstream.host}/${image}:${tag}`, vendorCreds));

    const proxy = await startProxy(bundle, portal.url);
    await coldAndWarm(portcullis, proxy, `${proxy.host}/proxy/app/up/${image}:${tag}`, licenseCreds, bytes);
    proxyPeak = Math.max(proxyPeak, peakRss(proxy.pid));
    await proxy.stop();

    const plain = await startProxy(bundle, portal.url, []);
    await coldAndWarm(plainHeap, plain, `${plain.host}/proxy/app/up/${image}:${tag}`, licenseCreds, bytes);
    await plain.stop();

    const relay = await startBareRelay(upstream.url);
    await coldAndWarm(bare, relay, `${relay.host}/proxy/app/up/${image}:${tag}`, undefined, bytes);
    await relay.stop();

    const cache = await startDistribution({ config: { proxy: { remoteurl: open.url } }, logLevel: "error" });
    distribution.cold.push(await skopeoCopy(`${cache.host}/${image}:${tag}`));
    distribution.warm.push(await skopeoCopy(`${cache.host}/${image}:${tag}`));
    distPeak = Math.max(distPeak, peakRss(pidOf(cache)));
    await cache.stop();
  }
  rows.push(direct, portcullis, plainHeap, bare, distribution);
  const d = median([...direct.cold, ...direct.warm]);
  const p = (xs: number[]) => median(xs);
  console.log(`\n[bench] ${label}  (median of ${RUNS}; MiB/s from the median)`);
  for (const row of [direct, portcullis, plainHeap, bare, distribution]) {
    console.log(
      `  ${row.variant.padEnd(40)} cold ${p(row.cold).toFixed(2)} s (${(bytes / MiB / p(row.cold)).toFixed(0)} MiB/s)   warm ${p(row.warm).toFixed(2)} s (${(bytes / MiB / p(row.warm)).toFixed(0)} MiB/s)${row.cpu !== undefined ? `   CPU ${cpuPerGiB(row)} s/GiB` : ""}`,
    );
  }
  const ratio =
    `${label}: Portcullis/direct cold ${(p(portcullis.cold) / d).toFixed(2)}, warm ${(p(portcullis.warm) / d).toFixed(2)}` +
    ` (default V8 heap: ${(p(plainHeap.cold) / d).toFixed(2)}, ${(p(plainHeap.warm) / d).toFixed(2)}; bare relay: ${(p(bare.cold) / d).toFixed(2)}, ${(p(bare.warm) / d).toFixed(2)});` +
    ` Portcullis/Distribution cold ${(p(portcullis.cold) / p(distribution.cold)).toFixed(2)}, warm ${(p(portcullis.warm) / p(distribution.warm)).toFixed(2)};` +
    ` CPU per GiB streamed: Portcullis ${cpuPerGiB(portcullis)} s, default heap ${cpuPerGiB(plainHeap)} s, bare relay ${cpuPerGiB(bare)} s`;
  ratios.push(ratio);
  console.log(`  ratios: ${ratio}`);
}

// Manifest HEADs: one long-lived proxy, warm caches.
const proxy = await startProxy(bundle, portal.url);
const licenseAuthHeader = `Basic ${Buffer.from(licenseCreds).toString("base64")}`;
const vendorAuthHeader = `Basic ${Buffer.from(vendorCreds).toString("base64")}`;
const directHeads = await manifestHeads(upstream.url, "/v2/acme/big/manifests/big", vendorAuthHeader);
const proxyHeads = await manifestHeads(proxy.url, "/v2/proxy/app/up/acme/big/manifests/big", licenseAuthHeader);
const openHeads = await manifestHeads(open.url, "/v2/acme/big/manifests/big", "");
proxyPeak = Math.max(proxyPeak, peakRss(proxy.pid));
await proxy.stop();
console.log(`\n[bench] manifest HEAD, warm (p50 / p99 with 1 client; requests/s with 16)`);
for (const [name, h] of [
  ["direct (Basic: bcrypt per request)", directHeads],
  ["Portcullis → Basic upstream", proxyHeads],
  ["direct, no-auth upstream", openHeads],
] as const) {
  console.log(`  ${name.padEnd(36)} p50 ${h.p50.toFixed(2)} ms  p99 ${h.p99.toFixed(2)} ms  ${h.rps.toFixed(0)} req/s`);
}
console.log(`  Portcullis overhead at p50: ${(proxyHeads.p50 - directHeads.p50).toFixed(2)} ms; throughput ratio ${(proxyHeads.rps / directHeads.rps).toFixed(2)}`);

const cost = checkCost();
console.log(`\n[bench] license check per request: Basic + cache hit ${cost.basic.toFixed(2)} µs; Bearer JWT (HS256) verify + cache hit ${cost.bearer.toFixed(2)} µs`);
console.log(`[bench] peak RSS: Portcullis ${mib(proxyPeak)}, Distribution proxy ${mib(distPeak)}, upstream Distribution ${mib(peakRss(upstreamPid))}`);
console.log(`[bench] stub portal: ${portal.stats().lookups} lookups, ${portal.stats().events} pull events`);

if (WRITE) {
  const fmt = (xs: number[]) => median(xs).toFixed(2);
  const table = rows
    .map((r) => `| ${r.image} | ${r.variant} | ${fmt(r.cold)} | ${fmt(r.warm)} |`)
    .join("\n");
  const section = `
## Registry proxy (\`npx tsx bench/proxy.ts --write\`)

${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()} (load ${loadAtStart.toFixed(1)} when measuring started, ${os.loadavg()[0]!.toFixed(1)} at the end).
\`skopeo copy docker://… dir:\`, seconds, median of ${RUNS} runs; blobs in the page cache.

| image | variant | cold s | warm s |
|---|---|---:|---:|
${table}

Ratios (time; Portcullis/direct compares with the median of all direct pulls):
${ratios.map((r) => `- ${r}`).join("\n")}

Manifest HEAD, warm: direct p50 ${directHeads.p50.toFixed(2)} ms / ${directHeads.rps.toFixed(0)} req/s; Portcullis p50 ${proxyHeads.p50.toFixed(2)} ms / ${proxyHeads.rps.toFixed(0)} req/s (overhead ${(proxyHeads.p50 - directHeads.p50).toFixed(2)} ms at p50); no-auth upstream p50 ${openHeads.p50.toFixed(2)} ms.
License check CPU per request: Basic + cache hit ${cost.basic.toFixed(2)} µs, Bearer JWT verify + cache hit ${cost.bearer.toFixed(2)} µs.
Peak RSS: Portcullis ${mib(proxyPeak)}, Distribution proxy ${mib(distPeak)}.
`;
  await fsp.appendFile(path.join(root, "BENCHMARKS.md"), section);
  console.log("[bench] appended to BENCHMARKS.md");
}

for (const c of cleanups.reverse()) await c();
