/**
 * The proxy's memory, A/B in one run (not a test: no thresholds). Run: npx tsx bench/proxy-memory.ts
 *   [--baseline-ref REF[,REF…]] [--size-mib 1024] [--layers 20] [--concurrent 30]
 *   [--flags "--max-semi-space-size=1 …[;other flags…]"] [--rounds 1] [--no-concurrent]
 *
 * Peak RSS (VmHWM, from /proc) of the bundled proxy — at idle, streaming the big image once
 * (`skopeo copy`, cold), and with `--concurrent` customers (one license each) pulling the
 * many-layer image at once — for the working tree's proxy/main.ts and, with `--baseline-ref`, the
 * same file at that git commit (bundled from `git archive`, with this checkout's node_modules),
 * next to bench/bare-relay.mjs doing the same. `--flags` adds a variant per `;`-separated set: the
 * working tree's bundle with other node flags than PROXY_NODE_FLAGS (`none`: no flags at all). Peak
 * RSS hardly moves with the machine's load, unlike times: that is what makes an A/B on a shared
 * machine readable. Also the server's CPU seconds per GiB of that stream (from /proc; load
 * inflates them less than times). `--rounds N` streams the big image N times per variant, the
 * variants taking turns (CPU: median; RSS: highest), and `--no-concurrent` skips the concurrent pulls.
 */
import crypto from "node:crypto";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";
import { argOf, flag, numberArg } from "./support/args";
import { cpuSeconds, median, mib, minorFaults, peakRss } from "./support/measure";
import { bundleProxyAt, startBareRelay, startProxy, type RunningServer } from "./support/node-servers";
import { setUpBench, vendor, vendorCreds } from "./support/setup";
import { skopeoCopy } from "./support/skopeo-copy";
import { startStubPortal } from "./support/stub-portal";

const BASELINE_REFS = argOf("baseline-ref")?.split(",").filter(Boolean) ?? [];
const FLAG_SETS = (argOf("flags")?.split(";") ?? []).map((set) => (set.trim() === "none" ? [] : set.split(/\s+/).filter(Boolean)));
const CONCURRENT = numberArg("concurrent", 30);
const ROUNDS = numberArg("rounds", 1);
const WITH_CONCURRENT = !flag("no-concurrent");
const serviceToken = crypto.randomBytes(24).toString("base64url");

const setup = await setUpBench("proxy-memory", { sizeMib: numberArg("size-mib", 1024), layers: numberArg("layers", 20) });
const { work, bundle, upstream, images } = setup;
const portal = await startStubPortal({ upstreamUrl: upstream.url, serviceToken, credentials: { kind: "basic", ...vendor } });
setup.onClose(() => portal.close());

const big = `${images.big.repository}:${images.big.tag}`;
const many = `${images.many.repository}:${images.many.tag}`;
const idle = async (server: RunningServer) => {
  await new Promise((r) => setTimeout(r, 1000));
  return peakRss(server.pid);
};

interface Variant {
  name: string;
  start: () => Promise<RunningServer>;
  path: (ref: string) => string;
  creds: () => string | undefined;
  idle: number[];
  streaming: number[];
  cpuPerGiB: number[];
  faultsPerGiB: number[];
  concurrent?: number;
}

/** Idle, then one stream of the big image, in a fresh process. */
async function streamOnce(v: Variant) {
  const a = await v.start();
  v.idle.push(await idle(a));
  const cpuBefore = cpuSeconds(a.pid);
  const faultsBefore = minorFaults(a.pid);
  await skopeoCopy(work, v.path(big), v.creds());
  v.streaming.push(peakRss(a.pid));
  v.cpuPerGiB.push((cpuSeconds(a.pid) - cpuBefore) / (images.big.bytes / 2 ** 30));
  v.faultsPerGiB.push((minorFaults(a.pid) - faultsBefore) / (images.big.bytes / 2 ** 30));
  await a.stop();
}

/** `CONCURRENT` pulls of the many-layer image at once, in a fresh process. */
async function concurrentPulls(v: Variant) {
  const b = await v.start();
  await Promise.all(Array.from({ length: CONCURRENT }, () => skopeoCopy(work, v.path(many), v.creds())));
  v.concurrent = peakRss(b.pid);
  await b.stop();
}

const license = () => `LICENSE_ID:${crypto.randomBytes(20).toString("base64url")}`;
const proxyVariant = (b: string, flags?: readonly string[]) => () => startProxy({ bundle: b, portalUrl: portal.url, serviceToken, ...(flags && { nodeFlags: flags }) });
const variant = (name: string, server: () => Promise<RunningServer>, creds: () => string | undefined): Variant => {
  let host = "";
  return {
    name,
    start: async () => {
      const s = await server();
      host = s.host;
      return s;
    },
    path: (ref: string) => `${host}/proxy/app/up/${ref}`,
    creds,
    idle: [],
    streaming: [],
    cpuPerGiB: [],
    faultsPerGiB: [],
  };
};
const variants: Variant[] = [variant("Portcullis (working tree)", proxyVariant(bundle), license)];
for (const ref of BASELINE_REFS) variants.push(variant(`Portcullis at ${ref}`, proxyVariant(await bundleProxyAt(work, ref)), license));
for (const flags of FLAG_SETS) variants.push(variant(`Portcullis, node ${flags.join(" ") || "(no flags)"}`, proxyVariant(bundle, flags), license));
variants.push(variant(`bare Node relay (${PROXY_NODE_FLAGS.join(" ")})`, () => startBareRelay(upstream.url, vendorCreds), () => undefined));

for (let r = 0; r < ROUNDS; r++) {
  // Each round in another order: no variant always follows the same one.
  for (let i = 0; i < variants.length; i++) await streamOnce(variants[(i + r) % variants.length]!);
}
if (WITH_CONCURRENT) for (const v of variants) await concurrentPulls(v);

console.log(`\n[bench] peak RSS (VmHWM)${ROUNDS > 1 ? `: the highest of ${ROUNDS} rounds; CPU per GiB: each round, and the median` : ""}`);
for (const v of variants) {
  const cpu = ROUNDS > 1 ? `${v.cpuPerGiB.map((c) => c.toFixed(2)).join(", ")}; median ${median(v.cpuPerGiB).toFixed(2)}` : v.cpuPerGiB[0]!.toFixed(2);
  console.log(
    `  ${v.name.padEnd(40)} idle ${mib(Math.max(...v.idle))}   streaming ${images.big.label} ${mib(Math.max(...v.streaming))} (CPU ${cpu} s/GiB; ${(median(v.faultsPerGiB) / 1000).toFixed(1)} k minor page faults/GiB)` +
      (v.concurrent !== undefined ? `   ${CONCURRENT} concurrent pulls of ${images.many.label} ${mib(v.concurrent)}` : ""),
  );
}

await setup.close();
