/**
 * The proxy cache over a WAN (not a test: no thresholds). Run: npm run bench:cache --
 *   [--size-mib 1024] [--layers 20] [--runs 2] [--rate-mib 50] [--rtt-ms 20] [--customers 30]
 *   [--only pulls,customers] [--variants direct,portcullis,disk,distribution,local]
 *   [--images big,many] [--baseline OTHER_PROXY_BUNDLE.mjs] [--cpu-prof DIR] [--write]   (--write appends a section to BENCHMARKS.md)
 *
 * The upstream — a CNCF Distribution with htpasswd (Basic) auth — sits behind bench/throttle.ts,
 * a stand-in for the WAN between a vendor's registry and the proxy: `--rate-mib` MiB/s shared by
 * every connection, `--rtt-ms` per round trip. Everything else (the client, the proxy, its cache
 * store, Distribution's pull-through cache) is on this machine, as they would be in one region.
 * `skopeo copy docker://… dir:` pulls, for a one-layer image and a many-layer image:
 *
 * - direct over the WAN: skopeo → throttle → upstream;
 * - Portcullis, cold and warm: skopeo → proxy → throttle → upstream, its lookups answered by a
 *   stub portal whose answers carry cache access (`registry.cache`) to a store of its own — a
 *   no-auth Distribution, fresh for every run. When the proxy caches, cold is the first pull of a
 *   fresh proxy and store and warm the second, once the store holds every layer (the cold pull's
 *   fills can commit a moment after the client has its last byte; how long is printed); when it doesn't (a proxy without the cache, or one
 *   that ignores the answer's `cache`), both are relayed. Which one was measured is read from
 *   the store after the pulls: the image's layers are there, or not;
 * - Distribution's pull-through cache, cold (fresh cache directory) and warm: it can't send
 *   credentials to a Basic upstream, so it reads a no-auth Distribution serving the same storage,
 *   behind a throttle of its own with the same limits;
 * - `disk` (with `--variants`): Portcullis, cold and warm, reading the store's copies off its disk
 *   (PROXY_CACHE_STORE_DIR) rather than through its HTTP API;
 * - a local Distribution: the upstream without the WAN, the best any cache near the client can do.
 *
 * Every pull's bytes over the WAN (upstream → here) are counted by the throttle. Then
 * `--customers` customers, a license each, pull the many-layer image at once through one fresh
 * proxy: the WAN bytes they cost, against one copy of the image.
 *
 * Times are noisy on a shared machine: the ratios (measured in the same run) are what to read.
 * For an A/B of a change, `--baseline` names another proxy bundle (a copy of dist/proxy.mjs built
 * before it, kept where the repository's node_modules resolve) pulled the same way in every run,
 * the two taking turns at going first; `--variants direct,portcullis,local` leaves out the rest.
 * The CPU seconds the proxy and its store used per pull are printed next to the times.
 * `--cpu-prof DIR` runs every caching proxy with V8's `--cpu-prof` (a profile per proxy in DIR,
 * written when it stops) and prints when each of its pulls started and ended, on the profile's
 * clock (CLOCK_MONOTONIC, µs), so its samples can be split into the cold pull's and the warm one's.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { cacheRepository } from "@/lib/cache/naming";
import { startDistribution } from "@/test/support/registry";
import { flag, numberArg } from "./support/args";
import type { BenchImage } from "./support/images";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";
import { cpuSeconds, load, machine, median, mib, MiB, pidOf } from "./support/measure";
import { root, startProxy } from "./support/node-servers";
import { setUpBench, vendor, vendorCreds } from "./support/setup";
import { skopeoCopy } from "./support/skopeo-copy";
import { startStubPortal } from "./support/stub-portal";
import { startThrottle, type Throttle } from "./throttle";

const SIZE_MIB = numberArg("size-mib", 1024);
const LAYERS = numberArg("layers", 20);
const RUNS = numberArg("runs", 2);
const RATE_MIB = numberArg("rate-mib", 50);
const RTT_MS = numberArg("rtt-ms", 20);
const CUSTOMERS = numberArg("customers", 30);
const ONLY = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1]!.split(",") : ["pulls", "customers"];
const VARIANTS = process.argv.includes("--variants") ? process.argv[process.argv.indexOf("--variants") + 1]!.split(",") : ["direct", "portcullis", "disk", "distribution", "local"];
const IMAGES = process.argv.includes("--images") ? process.argv[process.argv.indexOf("--images") + 1]!.split(",") : ["big", "many"];
const BASELINE = process.argv.includes("--baseline") ? path.resolve(process.argv[process.argv.indexOf("--baseline") + 1]!) : undefined;
const CPU_PROF = process.argv.includes("--cpu-prof") ? path.resolve(process.argv[process.argv.indexOf("--cpu-prof") + 1]!) : undefined;
const WRITE = flag("write");
const serviceToken = crypto.randomBytes(24).toString("base64url");
const newLicense = () => `LICENSE_ID:${crypto.randomBytes(20).toString("base64url")}`;

const setup = await setUpBench("cache", { sizeMib: SIZE_MIB, layers: LAYERS });
const { work, bundle, upstream, open, images, loadAtStart } = setup;
const wanOptions = { bytesPerSecond: RATE_MIB * MiB, rttMs: RTT_MS };
const wan = await startThrottle({ upstream: upstream.host, ...wanOptions });
setup.onClose(() => wan.close());
const wanOpen = await startThrottle({ upstream: open.host, ...wanOptions });
setup.onClose(() => wanOpen.close());

/** One pull's time and the bytes it moved over the WAN. */
async function timedPull(link: Throttle | undefined, ref: string, creds?: string): Promise<{ seconds: number; wanBytes: number }> {
  link?.reset();
  const seconds = await skopeoCopy(work, ref, creds);
  return { seconds, wanBytes: link?.stats().down ?? 0 };
}

let profiled = 0;
/** Now on the clock of V8's CPU profiles (CLOCK_MONOTONIC), in µs. */
const profileClock = () => Number(process.hrtime.bigint() / 1000n);

/**
 * A fresh store, a stub portal that hands it out, and a proxy (this bundle, or `proxyBundle`) in
 * front of the WAN; with `storeFiles`, the proxy reads the store's copies off its disk
 * (PROXY_CACHE_STORE_DIR).
 */
async function startCachingProxy(proxyBundle = bundle, storeFiles = false) {
  const store = await startDistribution({ logLevel: "error" });
  const portal = await startStubPortal({ upstreamUrl: wan.url, serviceToken, credentials: { kind: "basic", ...vendor }, cache: { storeUrl: store.url } });
  const profile = CPU_PROF && `proxy-${++profiled}-${proxyBundle === bundle ? "this" : "baseline"}.cpuprofile`;
  const nodeFlags = profile ? [...PROXY_NODE_FLAGS, "--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${profile}`] : undefined;
  // A spool directory of its own (where a caching proxy keeps blobs on their way from the upstream).
  const proxy = await startProxy({ bundle: proxyBundle, portalUrl: portal.url, serviceToken, ...(nodeFlags && { nodeFlags }), env: { PROXY_CACHE_DIR: await fsp.mkdtemp(path.join(work, "spool-")), ...(storeFiles && { PROXY_CACHE_STORE_DIR: store.storageDir }) } });
  const storePid = pidOf(store);
  return {
    proxy,
    profile,
    portal,
    store,
    /** CPU seconds used so far by the proxy and by its store. */
    cpu: () => ({ proxy: cpuSeconds(proxy.pid), store: cpuSeconds(storePid) }),
    /** How many of the image's layers the store holds, under the repository the lookup answers named. */
    async layersStored(image: BenchImage): Promise<number> {
      const repository = cacheRepository(portal.registryId, image.repository)!;
      const found = await Promise.all(image.layers.map((d) => fetch(`${store.url}/v2/${repository}/blobs/${d}`, { method: "HEAD" }).then((r) => r.status === 200)));
      return found.filter(Boolean).length;
    },
    async stop() {
      await proxy.stop();
      await portal.close();
      await store.stop();
    },
  };
}

interface Row {
  variant: string;
  cold: number[];
  warm: number[];
  coldWan: number[];
  warmWan: number[];
  /** A proxy's rows: its CPU seconds and its store's, per pull. */
  cpu: { cold: string[]; warm: string[] };
}
const row = (variant: string): Row => ({ variant, cold: [], warm: [], coldWan: [], warmWan: [], cpu: { cold: [], warm: [] } });
const record = (r: Row, which: "cold" | "warm", pull: { seconds: number; wanBytes: number }) => {
  r[which].push(pull.seconds);
  r[which === "cold" ? "coldWan" : "warmWan"].push(pull.wanBytes);
};

/** How long after a cold pull each image's layers were all in the store (s), per run. */
const settled: number[] = [];

/**
 * Waits until the store holds every layer of `image` — the cold pull's fills committed, which
 * can be a moment after the client has its last byte — so that the warm pull reads copies, as a
 * customer after the first does: seconds waited. A proxy that stores nothing is waited for 1 s;
 * one that stores only part, 15 s at most.
 */
async function storeSettled(p: { layersStored(image: BenchImage): Promise<number> }, image: BenchImage): Promise<number> {
  const started = performance.now();
  for (;;) {
    const stored = await p.layersStored(image);
    const waited = (performance.now() - started) / 1000;
    if (stored === image.layers.length || (stored === 0 && waited >= 1) || waited >= 15) return waited;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A cold and a warm pull through a fresh caching proxy and store; which mode it was in goes to `modes`. */
async function cachedPulls(r: Row, image: BenchImage, modes: Set<string>, proxyBundle?: string, storeFiles = false): Promise<void> {
  const ref = `${image.repository}:${image.tag}`;
  const p = await startCachingProxy(proxyBundle, storeFiles);
  const proxied = `${p.proxy.host}/proxy/app/up/${ref}`;
  for (const which of ["cold", "warm"] as const) {
    const before = p.cpu();
    const startedAt = profileClock();
    record(r, which, await timedPull(wan, proxied, newLicense()));
    const after = p.cpu();
    if (p.profile) console.log(`[bench] ${p.profile}: ${which} pull from ${startedAt} to ${profileClock()} µs`);
    r.cpu[which].push(`${(after.proxy - before.proxy).toFixed(2)}/${(after.store - before.store).toFixed(2)}`);
    if (which === "cold") settled.push(await storeSettled(p, image));
  }
  const stored = await p.layersStored(image);
  modes.add(stored === image.layers.length ? "cache" : stored === 0 ? "relay (nothing in the store)" : `partly cached (${stored}/${image.layers.length} layers in the store)`);
  await p.stop();
}

const results: Array<{ image: BenchImage; rows: Row[]; portcullisMode: string; ratios: string }> = [];
for (const image of ONLY.includes("pulls") ? [images.big, images.many].filter((i) => IMAGES.includes(i === images.big ? "big" : "many")) : []) {
  const ref = `${image.repository}:${image.tag}`;
  const direct = row("direct over the WAN");
  const portcullis = row("Portcullis");
  const baseline = row("Portcullis, baseline bundle");
  const disk = row("Portcullis, store read off its disk");
  const distribution = row("Distribution proxy");
  const local = row("local Distribution (no WAN)");
  const modes = new Set<string>();
  const baselineModes = new Set<string>();
  const diskModes = new Set<string>();
  for (let r = 0; r < RUNS; r++) {
    if (VARIANTS.includes("direct")) {
      record(direct, "cold", await timedPull(wan, `${wan.host}/${ref}`, vendorCreds));
      record(direct, "warm", await timedPull(wan, `${wan.host}/${ref}`, vendorCreds));
    }

    // With a baseline, the two bundles take turns at going first.
    const proxies = [
      ...(VARIANTS.includes("portcullis") ? [() => cachedPulls(portcullis, image, modes)] : []),
      ...(BASELINE ? [() => cachedPulls(baseline, image, baselineModes, BASELINE)] : []),
      ...(VARIANTS.includes("disk") ? [() => cachedPulls(disk, image, diskModes, bundle, true)] : []),
    ];
    for (const pulls of r % 2 === 0 ? proxies : [...proxies].reverse()) await pulls();

    if (VARIANTS.includes("distribution")) {
      const cache = await startDistribution({ config: { proxy: { remoteurl: wanOpen.url } }, logLevel: "error" });
      record(distribution, "cold", await timedPull(wanOpen, `${cache.host}/${ref}`));
      record(distribution, "warm", await timedPull(wanOpen, `${cache.host}/${ref}`));
      await cache.stop();
    }

    if (VARIANTS.includes("local")) {
      record(local, "cold", await timedPull(undefined, `${upstream.host}/${ref}`, vendorCreds));
      record(local, "warm", await timedPull(undefined, `${upstream.host}/${ref}`, vendorCreds));
    }
  }
  const portcullisMode = [...modes].join(" / ");
  portcullis.variant = `Portcullis, ${portcullisMode}`;
  baseline.variant = `Portcullis (baseline), ${[...baselineModes].join(" / ")}`;
  disk.variant = `Portcullis, ${[...diskModes].join(" / ")}, read off its disk`;
  const rows = [direct, portcullis, baseline, disk, distribution, local].filter((x) => x.cold.length > 0);
  const m = (xs: number[]) => (xs.length ? median(xs) : NaN);
  const d = m([...direct.cold, ...direct.warm]);
  const l = m([...local.cold, ...local.warm]);
  const ratios =
    `Portcullis/direct cold ${(m(portcullis.cold) / d).toFixed(2)}, warm ${(m(portcullis.warm) / d).toFixed(2)};` +
    (BASELINE ? ` baseline/direct cold ${(m(baseline.cold) / d).toFixed(2)}, warm ${(m(baseline.warm) / d).toFixed(2)}; Portcullis/baseline cold ${(m(portcullis.cold) / m(baseline.cold)).toFixed(2)}, warm ${(m(portcullis.warm) / m(baseline.warm)).toFixed(2)};` : "") +
    ` Portcullis warm/local ${(m(portcullis.warm) / l).toFixed(2)};` +
    (disk.cold.length ? ` store read off its disk: cold/direct ${(m(disk.cold) / d).toFixed(2)}, warm/direct ${(m(disk.warm) / d).toFixed(2)}, warm/local ${(m(disk.warm) / l).toFixed(2)};` : "") +
    (distribution.cold.length
      ? ` Distribution proxy/direct cold ${(m(distribution.cold) / d).toFixed(2)}, warm ${(m(distribution.warm) / d).toFixed(2)};` +
        ` Portcullis/Distribution proxy cold ${(m(portcullis.cold) / m(distribution.cold)).toFixed(2)}, warm ${(m(portcullis.warm) / m(distribution.warm)).toFixed(2)};`
      : "") +
    ` local/direct ${(l / d).toFixed(2)}`;
  results.push({ image, rows, portcullisMode, ratios });
  console.log(`\n[bench] ${image.label} over ${RATE_MIB} MiB/s, ${RTT_MS} ms RTT (median of ${RUNS}; WAN bytes per pull; a proxy's CPU s / its store's per pull)`);
  for (const r of rows) {
    const cpu = (xs: string[]) => (xs.length ? `  CPU ${xs.join(" ")}` : "");
    console.log(
      `  ${r.variant.padEnd(44)} cold ${m(r.cold).toFixed(2)} s  ${mib(m(r.coldWan)).padStart(9)}${cpu(r.cpu.cold)}   warm ${m(r.warm).toFixed(2)} s  ${mib(m(r.warmWan)).padStart(9)}${cpu(r.cpu.warm)}`,
    );
    console.log(`  ${"".padEnd(44)} all cold ${r.cold.map((x) => x.toFixed(2)).join(" ")}  all warm ${r.warm.map((x) => x.toFixed(2)).join(" ")}`);
  }
  console.log(`  ratios (time; against the median of all direct pulls): ${ratios}`);
  if (settled.length) console.log(`  every layer in the store this long after a cold pull's end (the warm pull started then): ${settled.splice(0).map((x) => `${x.toFixed(2)} s`).join(", ")}`);
}

// N customers at once through one fresh proxy and store: what they cost over the WAN. A pull
// that fails (on a busy machine, the proxy's portal lookup can time out: 503) is tried again once,
// as a client would, and counted.
let customersLine = "";
if (ONLY.includes("customers")) {
  const p = await startCachingProxy();
  const ref = `${images.many.repository}:${images.many.tag}`;
  let retried = 0;
  const pull = (creds: string) => skopeoCopy(work, `${p.proxy.host}/proxy/app/up/${ref}`, creds);
  wan.reset();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CUSTOMERS }, async () => {
      const creds = newLicense();
      await pull(creds).catch(() => (retried++, pull(creds)));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const wanBytes = wan.stats().down;
  const stored = await p.layersStored(images.many);
  await p.stop();
  customersLine =
    `${CUSTOMERS} customers (a license each) pulling ${images.many.label} at once through one proxy: ${mib(wanBytes)} over the WAN = ` +
    `${(wanBytes / images.many.bytes).toFixed(2)}× one copy of its layers (${mib(images.many.bytes)}), ${seconds.toFixed(1)} s; ` +
    `${stored}/${images.many.layers.length} layers in the store after${retried ? `; ${retried} pulls failed once and were repeated` : ""}`;
  console.log(`\n[bench] ${customersLine}`);
}
console.log(`[bench] load at the end ${load()}`);

if (WRITE) {
  const fmt = (xs: number[]) => median(xs).toFixed(2);
  const table = results
    .flatMap(({ image, rows }) => rows.map((r) => `| ${image.label} | ${r.variant} | ${fmt(r.cold)} | ${fmt(r.warm)} | ${mib(median(r.coldWan))} | ${mib(median(r.warmWan))} |`))
    .join("\n");
  const section = `
## Proxy cache over a WAN (\`npm run bench:cache -- --write\`)

${new Date().toISOString().slice(0, 10)}, ${machine()} (load ${loadAtStart.toFixed(1)} when measuring started, ${os.loadavg()[0]!.toFixed(1)} at the end).
WAN: ${RATE_MIB} MiB/s shared, ${RTT_MS} ms round trip (bench/throttle.ts). \`skopeo copy docker://… dir:\`, seconds, median of ${RUNS} runs.

| image | variant | cold s | warm s | WAN bytes, cold | WAN bytes, warm |
|---|---|---:|---:|---:|---:|
${table}

Ratios (time, same run; against the median of all direct pulls):
${results.map((r) => `- ${r.image.label}: ${r.ratios}`).join("\n")}

${customersLine ? `${customersLine}.` : ""}
`;
  await fsp.appendFile(path.join(root, "BENCHMARKS.md"), section);
  console.log("[bench] appended to BENCHMARKS.md");
}

await setup.close();
