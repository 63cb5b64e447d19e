/**
 * Pulls through two proxies behind HAProxy vs one proxy (not a test: no thresholds). Run:
 *   npm run bench:balanced -- [--size-mib 256] [--layers 8] [--pulls 12] [--concurrency 6] [--runs 2] [--write]
 * (--write appends a section to BENCHMARKS.md.)
 *
 * One machine, one run, skopeo as the client (`skopeo copy docker://… dir:DEST`), `--pulls` pulls
 * of one image, `--concurrency` at a time, against a CNCF Distribution upstream with Basic auth:
 *
 * - one proxy: the client talks to a proxy (proxy/main.ts) directly;
 * - HAProxy → one proxy: the same behind Debian's HAProxy (test/support/haproxy.ts: the rolling
 *   restart set-up), to show what the balancer itself costs;
 * - HAProxy → two proxies: what a rolling-restart deployment runs.
 *
 * Reported per run: the wall time of all pulls, the aggregate MiB/s, and the ratio to "one proxy"
 * measured in the same run (the variants of a run follow each other within minutes). Blobs are in the page cache (one warm-up pull first). The
 * portal is a stub (bench/support/stub-portal.ts). On 2 cores the client, the upstream, HAProxy and the
 * proxies share the CPU: a second proxy adds no CPU, so read the ratios as the cost of the
 * balanced set-up, not as scaling.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startHaproxy, type Haproxy } from "@/test/support/haproxy";
import { startProxyProcess, type ProxyProcess } from "@/test/support/proxy-process";
import { buildOciImage, freePort, pushImage, startDistribution } from "@/test/support/registry";
import { binary } from "@/test/support/registry/binaries";
import { cleanEnv, run } from "@/test/support/registry/process";
import { startStubPortal } from "./support/stub-portal";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SIZE_MIB = arg("size-mib", 256);
const LAYERS = arg("layers", 8);
const PULLS = arg("pulls", 12);
const CONCURRENCY = arg("concurrency", 6);
const RUNS = arg("runs", 2);
const WRITE = process.argv.includes("--write");
const MiB = 1024 * 1024;
const root = path.resolve(import.meta.dirname, "..");
const vendor = { username: "vendor", password: "bench-upstream-password" };
const serviceToken = crypto.randomBytes(24).toString("base64url");
const licenseCreds = `LICENSE_ID:${crypto.randomBytes(20).toString("base64url")}`;

const work = await fsp.mkdtemp(path.join(os.tmpdir(), "bench-balanced-"));
process.on("exit", () => void fs.rmSync(work, { recursive: true, force: true }));
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function pull(host: string): Promise<void> {
  const dest = path.join(work, `dest-${crypto.randomBytes(4).toString("hex")}`);
  const home = await fsp.mkdtemp(path.join(work, "home-"));
  try {
    await run(binary("skopeo"), ["copy", "--insecure-policy", "--src-tls-verify=false", "--src-creds", licenseCreds, `docker://${host}/proxy/app/up/acme/big:v1`, `dir:${dest}`], {
      env: cleanEnv(home),
      timeoutMs: 900_000,
    });
  } finally {
    await fsp.rm(dest, { recursive: true, force: true });
    await fsp.rm(home, { recursive: true, force: true });
  }
}

/** All pulls, CONCURRENCY at a time: seconds from the first start to the last end. */
async function pullAll(host: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < PULLS) await pull(host);
    }),
  );
  return (performance.now() - started) / 1000;
}

console.log(`[bench] ${SIZE_MIB} MiB image in ${LAYERS} layers; ${PULLS} pulls, ${CONCURRENCY} at a time; ${RUNS} run(s)`);
const upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
const img = await buildOciImage(path.join(work, "img"), { layers: Array.from({ length: LAYERS }, () => ({ sizeBytes: Math.floor((SIZE_MIB * MiB) / LAYERS) })), tag: "v1" });
await pushImage(img.dir, `${upstream.host}/acme/big:v1`, { creds: vendor });
await fsp.rm(img.dir, { recursive: true, force: true });
const portal = await startStubPortal({ upstreamUrl: upstream.url, serviceToken, credentials: { kind: "basic", ...vendor } });

const proxies: ProxyProcess[] = [];
for (let i = 0; i < 2; i++) {
  proxies.push(
    await startProxyProcess({
      port: await freePort(),
      portalUrl: portal.url,
      serviceToken,
      dataDir: path.join(work, `data-${i}`),
      env: { PROXY_ACCESS_LOG: "false", PROXY_TRUSTED_HOPS: "1", PROXY_DRAIN_DELAY_MS: "0", PROXY_CACHE: "false" },
    }),
  );
}
const one = proxies[0]!;
const balancedOne: Haproxy = await startHaproxy([one.port]);
const balancedTwo: Haproxy = await startHaproxy(proxies.map((p) => p.port));
// Let HAProxy's first health checks pass, and put the blobs in the page cache.
await new Promise((r) => setTimeout(r, 1_000));
await pull(`127.0.0.1:${one.port}`);

const variants = [
  { name: "one proxy", host: `127.0.0.1:${one.port}` },
  { name: "HAProxy → one proxy", host: balancedOne.host },
  { name: "HAProxy → two proxies", host: balancedTwo.host },
] as const;
const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
const loadAtStart = os.loadavg()[0]!;
for (let r = 0; r < RUNS; r++) {
  for (const v of variants) {
    const s = await pullAll(v.host);
    times.get(v.name)!.push(s);
    console.log(`[bench] run ${r + 1}: ${v.name.padEnd(22)} ${s.toFixed(1)} s (${((PULLS * SIZE_MIB) / s).toFixed(0)} MiB/s)`);
  }
}

// Ratios within each run (the machine's load moves between runs), then their median.
const lines = variants.map((v) => {
  const t = times.get(v.name)!;
  const ratios = t.map((s, r) => s / times.get("one proxy")![r]!);
  return { name: v.name, t, rates: t.map((s) => (PULLS * SIZE_MIB) / s), ratios };
});
console.log("");
for (const l of lines) {
  console.log(`[bench] ${l.name.padEnd(22)} ${l.t.map((s) => `${s.toFixed(1)} s`).join(" / ")}; time ×${l.ratios.map((r) => r.toFixed(2)).join(" / ")} of one proxy (median ×${median(l.ratios).toFixed(2)})`);
}
console.log(`[bench] stub portal: ${portal.stats().lookups} lookups, ${portal.stats().events} pull events`);

if (WRITE) {
  const runs = Array.from({ length: RUNS }, (_, r) => r + 1);
  const section = `
### Balanced pulls, ${new Date().toISOString().slice(0, 10)}

Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()} (load ${loadAtStart.toFixed(1)} when measuring started, ${os.loadavg()[0]!.toFixed(1)} at the end).
${PULLS} \`skopeo copy docker://… dir:\` pulls of a ${SIZE_MIB} MiB image in ${LAYERS} layers, ${CONCURRENCY} at a time: wall time of all of them per run, and its ratio to "one proxy" in the same run.

| set-up | ${runs.map((r) => `run ${r} s (MiB/s)`).join(" | ")} | ${runs.map((r) => `run ${r} time vs one proxy`).join(" | ")} |
|---|${runs.map(() => "---:").join("|")}|${runs.map(() => "---:").join("|")}|
${lines.map((l) => `| ${l.name} | ${l.t.map((s, i) => `${s.toFixed(1)} (${l.rates[i]!.toFixed(0)})`).join(" | ")} | ${l.ratios.map((r) => `×${r.toFixed(2)}`).join(" | ")} |`).join("\n")}
`;
  await fsp.appendFile(path.join(root, "BENCHMARKS.md"), section);
  console.log("[bench] appended to BENCHMARKS.md");
}

for (const p of proxies) await p.stop();
await balancedOne.stop();
await balancedTwo.stop();
await portal.close();
await upstream.stop();
