/**
 * The proxy's memory, A/B in one run (not a test: no thresholds). Run: npx tsx bench/proxy-memory.ts
 *   [--baseline-ref REF] [--size-mib 1024] [--layers 20] [--concurrent 30] [--flags "--max-semi-space-size=1 …"]
 *
 * Peak RSS (VmHWM, from /proc) of the bundled proxy — at idle, streaming the big image once
 * (`skopeo copy`, cold), and with `--concurrent` customers (one license each) pulling the
 * many-layer image at once — for the working tree's proxy/main.ts and, with `--baseline-ref`, the
 * same file at that git commit (bundled from `git archive`, with this checkout's node_modules),
 * next to bench/bare-relay.mjs doing the same. `--flags` adds a variant: the working tree's
 * bundle with other node flags than PROXY_NODE_FLAGS. Peak RSS hardly moves with the machine's
 * load, unlike times: that is what makes an A/B on a shared machine readable. Also the server's CPU
 * seconds per GiB of that stream (from /proc; load inflates them less than times).
 */
import crypto from "node:crypto";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";
import { argOf, numberArg } from "./support/args";
import { cpuSeconds, mib, peakRss } from "./support/measure";
import { bundleProxyAt, startBareRelay, startProxy, type RunningServer } from "./support/node-servers";
import { setUpBench, vendor, vendorCreds } from "./support/setup";
import { skopeoCopy } from "./support/skopeo-copy";
import { startStubPortal } from "./support/stub-portal";

const BASELINE_REF = argOf("baseline-ref");
const EXTRA_FLAGS = argOf("flags")?.split(/\s+/).filter(Boolean);
const CONCURRENT = numberArg("concurrent", 30);
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

/** Idle, then one 1 GiB stream, in one process; 30 concurrent pulls in a fresh one. */
async function measure(name: string, start: () => Promise<RunningServer>, path: (ref: string) => string, creds: () => string | undefined) {
  const a = await start();
  const atIdle = await idle(a);
  const cpuBefore = cpuSeconds(a.pid);
  await skopeoCopy(work, path(big), creds());
  const streaming = peakRss(a.pid);
  const cpuPerGiB = (cpuSeconds(a.pid) - cpuBefore) / (images.big.bytes / 2 ** 30);
  await a.stop();
  const b = await start();
  await Promise.all(Array.from({ length: CONCURRENT }, () => skopeoCopy(work, path(many), creds())));
  const concurrent = peakRss(b.pid);
  await b.stop();
  console.log(`  ${name.padEnd(40)} idle ${mib(atIdle)}   streaming ${images.big.label} ${mib(streaming)} (CPU ${cpuPerGiB.toFixed(2)} s/GiB)   ${CONCURRENT} concurrent pulls of ${images.many.label} ${mib(concurrent)}`);
}

const license = () => `LICENSE_ID:${crypto.randomBytes(20).toString("base64url")}`;
console.log(`\n[bench] peak RSS (VmHWM)`);
const proxyVariant = (b: string, flags?: readonly string[]) => () => startProxy({ bundle: b, portalUrl: portal.url, serviceToken, ...(flags && { nodeFlags: flags }) });
const viaProxy = (server: () => Promise<RunningServer>) => {
  let host = "";
  return {
    start: async () => {
      const s = await server();
      host = s.host;
      return s;
    },
    path: (ref: string) => `${host}/proxy/app/up/${ref}`,
  };
};
for (const [name, server] of [
  ["Portcullis (working tree)", proxyVariant(bundle)],
  ...(BASELINE_REF ? [[`Portcullis at ${BASELINE_REF}`, proxyVariant(await bundleProxyAt(work, BASELINE_REF))] as const] : []),
  ...(EXTRA_FLAGS ? [[`Portcullis, node ${EXTRA_FLAGS.join(" ")}`, proxyVariant(bundle, EXTRA_FLAGS)] as const] : []),
] as const) {
  const v = viaProxy(server);
  await measure(name, v.start, v.path, license);
}
const relay = viaProxy(() => startBareRelay(upstream.url, vendorCreds));
await measure(`bare Node relay (${PROXY_NODE_FLAGS.join(" ")})`, relay.start, relay.path, () => undefined);

await setup.close();
