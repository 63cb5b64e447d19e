/**
 * Registry proxy benchmark (not a test: no thresholds). Run: npx tsx bench/proxy.ts
 *   [--size-mib 1024] [--layers 20] [--runs 3] [--concurrent 30] [--only pulls,heads,concurrent]
 *   [--write]   (--write appends a section to BENCHMARKS.md)
 *   [--head-rounds 3]
 *   [--only cpu] [--baseline-ref REF] [--heads 5000] [--cpu-rounds 3] [--cpu-prof-dir DIR] [--access-log]
 *   [--only first-pull]
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
 * - three baselines for the proxy itself: the same bundle without PROXY_NODE_FLAGS (V8's default
 *   heap), and bench/bare-relay.mjs, a bare `pipeline(upstream, response)` with no license check:
 *   the floor for any Node relay; and that relay hashing every blob as it streams (the floor for a
 *   relay that checks digests, as Portcullis does). For the Node variants, the server's CPU seconds per GiB
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
 * through Portcullis vs direct, the servers taking turns for `--head-rounds` rounds (medians),
 * beside the bare relay and, where HAProxy is installed, HAProxy doing the bare relay's job (the
 * floor for any relay: what one more hop costs on this machine); the CPU cost of the proxy's per-request license check (Basic +
 * cache hit) next to what a Bearer JWT check would cost; the peak RSS (VmHWM) of the proxy while
 * it streams the big image, and while `--concurrent` customers (30; one license each) pull the
 * many-layer image at once, next to the bare relay doing the same.
 *
 * `--only cpu`: the server's CPU per manifest HEAD (from /proc, over `--heads` requests from 4
 * keep-alive clients) for Portcullis, the same at git commit `--baseline-ref` (bundled from `git
 * archive`), the bare relay, HAProxy (where installed) and the upstream itself, taking turns for `--cpu-rounds` rounds: CPU
 * time per request barely moves with the machine's load, so this A/B reads on a busy machine.
 * `--cpu-prof-dir` writes a V8 CPU profile of this tree's proxy and of the bare relay there;
 * `--access-log` runs every proxy with its access log on (production's default; discarded).
 * `--only first-pull`: a fresh proxy's first pull of the many-layer image and a second one, each
 * request's time from the proxy's access log, beside the bare relay's cold and warm pull.
 *
 * No WAN here (everything on 127.0.0.1): this measures what the proxy costs per request and per
 * byte. bench/cache.ts measures pulls over a throttled link.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LicenseCache } from "@/proxy/license-cache";
import { licenseFromAuthorization } from "@/proxy/license-gate";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";
import { startDistribution } from "@/test/support/registry";
import { argOf, flag, numberArg } from "./support/args";
import { cpuPerHead, manifestHeads, type HeadResult } from "./support/manifest-heads";
import { cpuSeconds, load, machine, median, mib, MiB, peakRss, pidOf } from "./support/measure";
import { haproxyInstalled, startHaproxyRelay } from "./support/haproxy-relay";
import { bundleProxyAt, root, startBareRelay, startProxy as startProxyProcess, startRawRelay, type RunningServer } from "./support/node-servers";
import { setUpBench, vendor, vendorCreds } from "./support/setup";
import { skopeoCopy as copy } from "./support/skopeo-copy";
import { startStubPortal } from "./support/stub-portal";

const SIZE_MIB = numberArg("size-mib", 1024);
const LAYERS = numberArg("layers", 20);
const RUNS = numberArg("runs", 3);
const CONCURRENT = numberArg("concurrent", 30);
const HEAD_ROUNDS = numberArg("head-rounds", 3);
const ONLY = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1]!.split(",") : ["pulls", "heads", "concurrent"];
const WRITE = flag("write");
const BASELINE_REF = argOf("baseline-ref");
const CPU_PROF_DIR = argOf("cpu-prof-dir");
const ACCESS_LOG = flag("access-log");
const licenseId = crypto.randomBytes(20).toString("base64url");
const serviceToken = crypto.randomBytes(24).toString("base64url");

const skopeoCopy = (ref: string, creds?: string) => copy(work, ref, creds);
type RunningProxy = RunningServer;
const startProxy = (bundle: string, portalUrl: string, nodeFlags?: readonly string[], stdout?: (text: string) => void) =>
  startProxyProcess({ bundle, portalUrl, serviceToken, ...(nodeFlags && { nodeFlags }), ...(ACCESS_LOG && { env: { PROXY_ACCESS_LOG: "true" } }), ...(stdout && { stdout }) });

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

// The proxy as production runs it (one bundled file, plain node); every upstream blob in the page cache.
const setup = await setUpBench("proxy", { sizeMib: SIZE_MIB, layers: LAYERS });
const { work, bundle, upstream, open, images, loadAtStart } = setup;
const portal = await startStubPortal({ upstreamUrl: upstream.url, serviceToken, credentials: { kind: "basic", ...vendor } });
setup.onClose(() => portal.close());
const licenseCreds = `LICENSE_ID:${licenseId}`;

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
/** Peak RSS of the proxy per scenario (the largest over the runs). */
const peaks: Record<string, number> = {};
const notePeak = (name: string, pid: number) => (peaks[name] = Math.max(peaks[name] ?? 0, peakRss(pid)));
let distPeak = 0;
const upstreamPid = pidOf(upstream);

if (ONLY.includes("pulls")) {
  for (const image of [images.big, images.many]) {
    const { label, bytes } = image;
    const ref = `${image.repository}:${image.tag}`;
    const direct: Row = { image: label, variant: "direct (Basic upstream)", cold: [], warm: [] };
    const portcullis: Row = { image: label, variant: "Portcullis (Basic upstream)", cold: [], warm: [] };
    const distribution: Row = { image: label, variant: "Distribution proxy (no-auth upstream)", cold: [], warm: [] };
    // The same proxy without PROXY_NODE_FLAGS (V8's defaults), to show what they buy;
    // and the floor for any Node relay: bench/bare-relay.mjs.
    const plainHeap: Row = { image: label, variant: "Portcullis, no PROXY_NODE_FLAGS", cold: [], warm: [] };
    const bare: Row = { image: label, variant: "bare Node relay (baseline, no checks)", cold: [], warm: [] };
    // The bare relay hashing every blob as it streams: the floor for a relay that checks digests.
    const hashing: Row = { image: label, variant: "bare Node relay + sha256 of blobs", cold: [], warm: [] };
    for (let r = 0; r < RUNS; r++) {
      // direct: no cache anywhere, cold and warm are the same thing; two samples per run.
      direct.cold.push(await skopeoCopy(`${upstream.host}/${ref}`, vendorCreds));
      direct.warm.push(await skopeoCopy(`${upstream.host}/${ref}`, vendorCreds));

      const proxy = await startProxy(bundle, portal.url);
      await coldAndWarm(portcullis, proxy, `${proxy.host}/proxy/app/up/${ref}`, licenseCreds, bytes);
      notePeak(`streaming ${label}`, proxy.pid);
      await proxy.stop();

      const relay = await startBareRelay(upstream.url, vendorCreds);
      await coldAndWarm(bare, relay, `${relay.host}/proxy/app/up/${ref}`, undefined, bytes);
      peaks[`bare relay, streaming ${label}`] = Math.max(peaks[`bare relay, streaming ${label}`] ?? 0, peakRss(relay.pid));
      await relay.stop();

      const hasher = await startBareRelay(upstream.url, vendorCreds, [], { hash: true });
      await coldAndWarm(hashing, hasher, `${hasher.host}/proxy/app/up/${ref}`, undefined, bytes);
      await hasher.stop();

      const plain = await startProxy(bundle, portal.url, []);
      await coldAndWarm(plainHeap, plain, `${plain.host}/proxy/app/up/${ref}`, licenseCreds, bytes);
      await plain.stop();

      const cache = await startDistribution({ config: { proxy: { remoteurl: open.url } }, logLevel: "error" });
      distribution.cold.push(await skopeoCopy(`${cache.host}/${ref}`));
      distribution.warm.push(await skopeoCopy(`${cache.host}/${ref}`));
      distPeak = Math.max(distPeak, peakRss(pidOf(cache)));
      await cache.stop();
    }
    rows.push(direct, portcullis, plainHeap, bare, hashing, distribution);
    const d = median([...direct.cold, ...direct.warm]);
    const p = (xs: number[]) => median(xs);
    console.log(`\n[bench] ${label}  (median of ${RUNS}; MiB/s from the median)`);
    for (const row of [direct, portcullis, plainHeap, bare, hashing, distribution]) {
      console.log(
        `  ${row.variant.padEnd(40)} cold ${p(row.cold).toFixed(2)} s (${(bytes / MiB / p(row.cold)).toFixed(0)} MiB/s)   warm ${p(row.warm).toFixed(2)} s (${(bytes / MiB / p(row.warm)).toFixed(0)} MiB/s)${row.cpu !== undefined ? `   CPU ${cpuPerGiB(row)} s/GiB` : ""}`,
      );
    }
    const ratio =
      `${label}: Portcullis/bare relay cold ${(p(portcullis.cold) / p(bare.cold)).toFixed(2)}, warm ${(p(portcullis.warm) / p(bare.warm)).toFixed(2)};` +
      ` Portcullis/hashing bare relay cold ${(p(portcullis.cold) / p(hashing.cold)).toFixed(2)}, warm ${(p(portcullis.warm) / p(hashing.warm)).toFixed(2)};` +
      ` Portcullis/direct cold ${(p(portcullis.cold) / d).toFixed(2)}, warm ${(p(portcullis.warm) / d).toFixed(2)}` +
      ` (no node flags: ${(p(plainHeap.cold) / d).toFixed(2)}, ${(p(plainHeap.warm) / d).toFixed(2)}; bare relay: ${(p(bare.cold) / d).toFixed(2)}, ${(p(bare.warm) / d).toFixed(2)});` +
      ` Portcullis/Distribution cold ${(p(portcullis.cold) / p(distribution.cold)).toFixed(2)}, warm ${(p(portcullis.warm) / p(distribution.warm)).toFixed(2)};` +
      ` CPU per GiB streamed: Portcullis ${cpuPerGiB(portcullis)} s, no node flags ${cpuPerGiB(plainHeap)} s, bare relay ${cpuPerGiB(bare)} s, hashing bare relay ${cpuPerGiB(hashing)} s`;
    ratios.push(ratio);
    console.log(`  ratios: ${ratio}`);
  }
}

// Manifest HEADs: one long-lived proxy, warm caches.
let heads: { direct: HeadResult; proxy: HeadResult; bare: HeadResult; open: HeadResult; raw: HeadResult; haproxy?: HeadResult } | undefined;
let headRatios = { overhead: NaN, bareOverhead: NaN, rps: NaN, bareRps: NaN, rawOverhead: NaN, rawRps: NaN, haproxyOverhead: NaN, haproxyRps: NaN };
if (ONLY.includes("heads")) {
  const proxy = await startProxy(bundle, portal.url);
  const relay = await startBareRelay(upstream.url, vendorCreds);
  // Node without node:http, and the floor under any relay on this machine: HAProxy doing the bare relay's job (where installed).
  const raw = await startRawRelay(upstream.url, vendorCreds);
  const haproxy = haproxyInstalled() ? await startHaproxyRelay(upstream.url, vendorCreds) : undefined;
  const licenseAuthHeader = `Basic ${Buffer.from(licenseCreds).toString("base64")}`;
  const vendorAuthHeader = `Basic ${Buffer.from(vendorCreds).toString("base64")}`;
  const manifestPath = `${images.big.repository}/manifests/${images.big.tag}`;
  // In turns, for HEAD_ROUNDS rounds (the order rotated each round): a moment of load on this
  // shared machine lands on one server's sample, not on one server. Each figure is the median
  // over the rounds; the overhead and the ratios are the medians of each round's own.
  const servers = [
    { name: "direct", url: upstream.url, path: `/v2/${manifestPath}`, auth: vendorAuthHeader, pid: upstreamPid as number | undefined },
    { name: "proxy", url: proxy.url, path: `/v2/proxy/app/up/${manifestPath}`, auth: licenseAuthHeader, pid: proxy.pid },
    { name: "bare", url: relay.url, path: `/v2/proxy/app/up/${manifestPath}`, auth: "", pid: relay.pid },
    { name: "open", url: open.url, path: `/v2/${manifestPath}`, auth: "", pid: undefined },
    { name: "raw", url: raw.url, path: `/v2/proxy/app/up/${manifestPath}`, auth: "", pid: raw.pid },
    ...(haproxy ? [{ name: "haproxy", url: haproxy.url, path: `/v2/proxy/app/up/${manifestPath}`, auth: "", pid: haproxy.pid }] : []),
  ] as const;
  type Name = (typeof servers)[number]["name"] | "haproxy";
  const rounds: Array<Partial<Record<Name, HeadResult>> & Record<"direct" | "proxy" | "bare" | "open" | "raw", HeadResult>> = [];
  for (let r = 0; r < HEAD_ROUNDS; r++) {
    const round = {} as (typeof rounds)[number];
    for (let i = 0; i < servers.length; i++) {
      const s = servers[(i + r) % servers.length]!;
      round[s.name] = await manifestHeads(s.url, s.path, s.auth, { seconds: 3, ...(s.pid && { pid: s.pid }) });
    }
    rounds.push(round);
    console.log(
      `  round ${r + 1}: p50 direct ${round.direct.p50.toFixed(2)}, Portcullis ${round.proxy.p50.toFixed(2)}, bare ${round.bare.p50.toFixed(2)}, raw ${round.raw.p50.toFixed(2)}${round.haproxy ? `, HAProxy ${round.haproxy.p50.toFixed(2)}` : ""} ms; req/s direct ${round.direct.rps.toFixed(0)}, Portcullis ${round.proxy.rps.toFixed(0)}, bare ${round.bare.rps.toFixed(0)}, raw ${round.raw.rps.toFixed(0)}${round.haproxy ? `, HAProxy ${round.haproxy.rps.toFixed(0)}` : ""}`,
    );
  }
  const over = (name: Name): HeadResult => ({
    p50: median(rounds.map((r) => r[name]!.p50)),
    p99: median(rounds.map((r) => r[name]!.p99)),
    rps: median(rounds.map((r) => r[name]!.rps)),
    ...(rounds[0]![name]!.cpuUs !== undefined && { cpuUs: median(rounds.map((r) => r[name]!.cpuUs!)) }),
  });
  heads = { direct: over("direct"), proxy: over("proxy"), bare: over("bare"), open: over("open"), raw: over("raw"), ...(haproxy && { haproxy: over("haproxy") }) };
  const overheadOf = (name: Name) => median(rounds.map((r) => r[name]!.p50 - r.direct.p50));
  const rpsOf = (name: Name) => median(rounds.map((r) => r[name]!.rps / r.direct.rps));
  headRatios = {
    overhead: overheadOf("proxy"),
    bareOverhead: overheadOf("bare"),
    rps: rpsOf("proxy"),
    bareRps: rpsOf("bare"),
    rawOverhead: overheadOf("raw"),
    rawRps: rpsOf("raw"),
    haproxyOverhead: haproxy ? overheadOf("haproxy") : NaN,
    haproxyRps: haproxy ? rpsOf("haproxy") : NaN,
  };
  notePeak("manifest HEADs", proxy.pid);
  await proxy.stop();
  await relay.stop();
  await raw.stop();
  await haproxy?.stop();
  console.log(`\n[bench] manifest HEAD, warm (p50 / p99 with 1 client; requests/s with 16; server CPU per request)`);
  for (const [name, h] of [
    ["direct (Basic: bcrypt per request)", heads.direct],
    ["Portcullis → Basic upstream", heads.proxy],
    ["bare Node relay → Basic upstream", heads.bare],
    ["direct, no-auth upstream", heads.open],
    ["raw-socket Node relay → Basic upstream", heads.raw],
    ...(heads.haproxy ? [["HAProxy relay → Basic upstream", heads.haproxy] as const] : []),
  ] as const) {
    console.log(`  ${name.padEnd(36)} p50 ${h.p50.toFixed(2)} ms  p99 ${h.p99.toFixed(2)} ms  ${h.rps.toFixed(0)} req/s${h.cpuUs ? `  CPU ${h.cpuUs.toFixed(0)} µs` : ""}`);
  }
  console.log(
    `  Portcullis overhead at p50: ${headRatios.overhead.toFixed(2)} ms (bare relay ${headRatios.bareOverhead.toFixed(2)} ms); requests/s ratio ${headRatios.rps.toFixed(2)} (bare relay ${headRatios.bareRps.toFixed(2)}) — medians of ${HEAD_ROUNDS} rounds`,
  );
  console.log(`  raw-socket Node relay overhead at p50: ${headRatios.rawOverhead.toFixed(2)} ms; requests/s ratio ${headRatios.rawRps.toFixed(2)}: Node without node:http`);
  if (heads.haproxy) console.log(`  HAProxy relay overhead at p50: ${headRatios.haproxyOverhead.toFixed(2)} ms; requests/s ratio ${headRatios.haproxyRps.toFixed(2)}: what one more hop costs on this machine`);
}

// CPU per manifest HEAD, A/B within one run: every server started once, then measured in turns.
if (ONLY.includes("cpu")) {
  const licenseAuthHeader = `Basic ${Buffer.from(licenseCreds).toString("base64")}`;
  const vendorAuthHeader = `Basic ${Buffer.from(vendorCreds).toString("base64")}`;
  const manifestPath = `${images.big.repository}/manifests/${images.big.tag}`;
  const profFlags = CPU_PROF_DIR ? ["--cpu-prof", "--cpu-prof-interval=50", `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : [];
  const count = numberArg("heads", 5000);
  const servers: Array<{ name: string; url: string; pid: number; path: string; auth: string; stop?: () => Promise<void>; samples: number[]; user: number[]; system: number[] }> = [];
  const proxied = `/v2/proxy/app/up/${manifestPath}`;
  const tree = await startProxy(bundle, portal.url, [...PROXY_NODE_FLAGS, ...profFlags]);
  servers.push({ name: "Portcullis (this tree)", ...tree, path: proxied, auth: licenseAuthHeader, samples: [], user: [], system: [] });
  if (BASELINE_REF) {
    const base = await startProxy(await bundleProxyAt(work, BASELINE_REF), portal.url);
    servers.push({ name: `Portcullis at ${BASELINE_REF}`, ...base, path: proxied, auth: licenseAuthHeader, samples: [], user: [], system: [] });
  }
  const relay = await startBareRelay(upstream.url, vendorCreds, profFlags);
  servers.push({ name: "bare Node relay", ...relay, path: proxied, auth: "", samples: [], user: [], system: [] });
  servers.push({ name: "raw-socket Node relay", ...(await startRawRelay(upstream.url, vendorCreds)), path: proxied, auth: "", samples: [], user: [], system: [] });
  if (haproxyInstalled()) servers.push({ name: "HAProxy relay", ...(await startHaproxyRelay(upstream.url, vendorCreds)), path: proxied, auth: "", samples: [], user: [], system: [] });
  servers.push({ name: "upstream (direct)", url: upstream.url, pid: upstreamPid, path: `/v2/${manifestPath}`, auth: vendorAuthHeader, samples: [], user: [], system: [] });
  const rounds = numberArg("cpu-rounds", 3);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < servers.length; i++) {
      const s = servers[(i + r) % servers.length]!;
      const used = await cpuPerHead(s.url, s.path, s.auth, s.pid, { count });
      s.samples.push(used.total);
      s.user.push(used.user);
      s.system.push(used.system);
    }
  }
  for (const s of servers) await s.stop?.();
  console.log(`\n[bench] server CPU per manifest HEAD, µs (${count} HEADs from 4 keep-alive clients per sample, ${rounds} rounds in turn${ACCESS_LOG ? ", access log on" : ""}); load ${load()}`);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
  for (const s of servers) console.log(`  ${s.name.padEnd(36)} ${list(s.samples)}  (median ${median(s.samples).toFixed(0)}; user ${list(s.user)}, system ${list(s.system)})`);
  const m = (name: string) => median(servers.find((s) => s.name.startsWith(name))!.samples);
  console.log(`  Portcullis / bare relay ${(m("Portcullis (this tree)") / m("bare Node relay")).toFixed(2)}${BASELINE_REF ? `; this tree / ${BASELINE_REF} ${(m("Portcullis (this tree)") / m(`Portcullis at ${BASELINE_REF}`)).toFixed(2)}` : ""}`);
}

// A fresh proxy's first pull, request by request (its access log), beside its second and the bare relay's.
if (ONLY.includes("first-pull")) {
  const ref = `${images.many.repository}:${images.many.tag}`;
  for (let r = 0; r < RUNS; r++) {
    let out = "";
    const proxy = await startProxyProcess({ bundle, portalUrl: portal.url, serviceToken, env: { PROXY_ACCESS_LOG: "true" }, stdout: (t) => (out += t) });
    const lookupsBefore = portal.stats().lookups;
    const cold = await skopeoCopy(`${proxy.host}/proxy/app/up/${ref}`, licenseCreds);
    const coldLog = out;
    const warm = await skopeoCopy(`${proxy.host}/proxy/app/up/${ref}`, licenseCreds);
    const warmLog = out.slice(coldLog.length);
    await proxy.stop();
    const relay = await startBareRelay(upstream.url, vendorCreds);
    const bareCold = await skopeoCopy(`${relay.host}/proxy/app/up/${ref}`);
    const bareWarm = await skopeoCopy(`${relay.host}/proxy/app/up/${ref}`);
    await relay.stop();
    const summary = (text: string) => {
      const entries = text
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { route?: string; ms: number; upstreamMs?: number; cache?: string })
        .filter((e): e is typeof e & { route: string } => typeof e.route === "string"); // not the start-up lines
      const byRoute = new Map<string, { n: number; ms: number; max: number; up: number; misses: number }>();
      for (const e of entries) {
        const row = byRoute.get(e.route) ?? { n: 0, ms: 0, max: 0, up: 0, misses: 0 };
        row.n++;
        row.ms += e.ms;
        row.max = Math.max(row.max, e.ms);
        row.up += e.upstreamMs ?? 0;
        if (e.cache === "miss") row.misses++;
        byRoute.set(e.route, row);
      }
      return [...byRoute].map(([route, x]) => `${route} ×${x.n}: Σ ${x.ms.toFixed(1)} ms (max ${x.max.toFixed(1)}, upstream Σ ${x.up.toFixed(1)}${x.misses ? `, ${x.misses} lookup miss` : ""})`).join("; ");
    };
    console.log(`\n[bench] first pull of ${images.many.label}, run ${r + 1}: Portcullis cold ${cold.toFixed(2)} s, warm ${warm.toFixed(2)} s; bare relay cold ${bareCold.toFixed(2)} s, warm ${bareWarm.toFixed(2)} s (Portcullis / bare cold ${(cold / bareCold).toFixed(2)}, warm ${(warm / bareWarm).toFixed(2)}); ${portal.stats().lookups - lookupsBefore} portal lookups; load ${load()}`);
    console.log(`  cold: ${summary(coldLog)}`);
    console.log(`  warm: ${summary(warmLog)}`);
  }
}

// Many customers at once: each with a license of its own, all pulling the many-layer image.
const concurrent: Record<string, number> = {};
if (ONLY.includes("concurrent")) {
  const ref = `${images.many.repository}:${images.many.tag}`;
  const proxy = await startProxy(bundle, portal.url);
  let started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT }, () => skopeoCopy(`${proxy.host}/proxy/app/up/${ref}`, `LICENSE_ID:${crypto.randomBytes(20).toString("base64url")}`)));
  concurrent.portcullis = (performance.now() - started) / 1000;
  notePeak(`${CONCURRENT} concurrent pulls`, proxy.pid);
  await proxy.stop();
  const relay = await startBareRelay(upstream.url, vendorCreds);
  started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT }, () => skopeoCopy(`${relay.host}/proxy/app/up/${ref}`)));
  concurrent.bare = (performance.now() - started) / 1000;
  peaks[`bare relay, ${CONCURRENT} concurrent pulls`] = peakRss(relay.pid);
  await relay.stop();
  console.log(
    `\n[bench] ${CONCURRENT} concurrent pulls of ${images.many.label}: Portcullis ${concurrent.portcullis.toFixed(1)} s, bare relay ${concurrent.bare.toFixed(1)} s (ratio ${(concurrent.portcullis / concurrent.bare).toFixed(2)})`,
  );
}

const cost = checkCost();
console.log(`\n[bench] license check per request: Basic + cache hit ${cost.basic.toFixed(2)} µs; Bearer JWT (HS256) verify + cache hit ${cost.bearer.toFixed(2)} µs`);
const peakText = Object.entries(peaks)
  .map(([k, v]) => `${k} ${mib(v)}`)
  .join("; ");
console.log(`[bench] peak RSS (VmHWM) of Portcullis: ${peakText}${distPeak ? `; Distribution proxy ${mib(distPeak)}` : ""}; upstream Distribution ${mib(peakRss(upstreamPid))}`);
console.log(`[bench] stub portal: ${portal.stats().lookups} lookups, ${portal.stats().events} pull events; load at the end ${load()}`);

if (WRITE) {
  const fmt = (xs: number[]) => median(xs).toFixed(2);
  const table = rows.map((r) => `| ${r.image} | ${r.variant} | ${fmt(r.cold)} | ${fmt(r.warm)} |`).join("\n");
  const section = `
## Registry proxy (\`npx tsx bench/proxy.ts --write\`)

${new Date().toISOString().slice(0, 10)}, ${machine()} (load ${loadAtStart.toFixed(1)} when measuring started, ${os.loadavg()[0]!.toFixed(1)} at the end).
\`skopeo copy docker://… dir:\`, seconds, median of ${RUNS} runs; blobs in the page cache.

| image | variant | cold s | warm s |
|---|---|---:|---:|
${table}

Ratios (time; Portcullis/direct compares with the median of all direct pulls):
${ratios.map((r) => `- ${r}`).join("\n")}
${heads ? `\nManifest HEAD, warm: direct p50 ${heads.direct.p50.toFixed(2)} ms / ${heads.direct.rps.toFixed(0)} req/s; Portcullis p50 ${heads.proxy.p50.toFixed(2)} ms / ${heads.proxy.rps.toFixed(0)} req/s (overhead ${headRatios.overhead.toFixed(2)} ms at p50, ${headRatios.rps.toFixed(2)}× the requests/s, medians of ${HEAD_ROUNDS} rounds, ${heads.proxy.cpuUs!.toFixed(0)} µs CPU per request); bare relay p50 ${heads.bare.p50.toFixed(2)} ms / ${heads.bare.rps.toFixed(0)} req/s (${heads.bare.cpuUs!.toFixed(0)} µs CPU per request); no-auth upstream p50 ${heads.open.p50.toFixed(2)} ms; raw-socket Node relay overhead ${headRatios.rawOverhead.toFixed(2)} ms at p50, ${headRatios.rawRps.toFixed(2)}× the requests/s (${heads.raw.cpuUs!.toFixed(0)} µs CPU per request)${heads.haproxy ? `; HAProxy relay overhead ${headRatios.haproxyOverhead.toFixed(2)} ms at p50, ${headRatios.haproxyRps.toFixed(2)}× the requests/s (${heads.haproxy.cpuUs!.toFixed(0)} µs CPU per request)` : ""}.` : ""}
${concurrent.portcullis ? `${CONCURRENT} concurrent pulls of ${images.many.label}: Portcullis ${concurrent.portcullis.toFixed(1)} s, bare relay ${concurrent.bare!.toFixed(1)} s.` : ""}
License check CPU per request: Basic + cache hit ${cost.basic.toFixed(2)} µs, Bearer JWT verify + cache hit ${cost.bearer.toFixed(2)} µs.
Peak RSS: ${peakText}${distPeak ? `; Distribution proxy ${mib(distPeak)}` : ""}.
`;
  await fsp.appendFile(path.join(root, "BENCHMARKS.md"), section);
  console.log("[bench] appended to BENCHMARKS.md");
}

await setup.close();
