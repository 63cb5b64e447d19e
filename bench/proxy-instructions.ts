/**
 * Instructions per manifest HEAD on the proxy's main thread, Portcullis against the bare relay
 * (not a test: no thresholds). Run: npx tsx bench/proxy-instructions.ts [--warm 6000]
 *   [--heads 2000] [--rounds 1] [--clients 4] [--baseline-ref REF] [--no-bare] [--keep DIR]
 *
 * CPU seconds per request move by ±15 % from one round to the next on a shared 2-core machine;
 * instruction counts by a few percent (the JIT's and the GC's timing). Each server runs under
 * valgrind's callgrind (`apt-get install valgrind`), one thread per profile
 * (`--separate-threads=yes`); after `--warm` HEADs from `--clients` keep-alive clients (with 1,
 * every request meets an idle process; the JIT settled: under valgrind that takes thousands),
 * the counters are zeroed (`callgrind_control -z`), `--heads` more are sent, and the main
 * thread's profile is dumped: its instructions divided by the requests. Background threads (V8's
 * compiler and GC helpers, libuv's pool) are left out. `--baseline-ref REF` counts the proxy at
 * a git commit too (an A/B of a change in one run); `--no-bare` leaves the bare relay out. With
 * `--keep DIR` the main-thread profiles are copied there for `callgrind_annotate` (self cost per
 * function: where the difference goes). Upstream: the benchmarks' Distribution with Basic auth;
 * lookups: the stub portal.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";
import { freePort } from "@/test/support/registry";
import { argOf, numberArg } from "./support/args";
import { cpuPerHead } from "./support/manifest-heads";
import { bundleProxyAt, root } from "./support/node-servers";
import { setUpBench, vendor, vendorCreds } from "./support/setup";
import { startStubPortal } from "./support/stub-portal";

const WARM = numberArg("warm", 6000);
const HEADS = numberArg("heads", 2000);
const ROUNDS = numberArg("rounds", 1);
const CLIENTS = numberArg("clients", 4);
const KEEP = argOf("keep");
const BASELINE_REF = argOf("baseline-ref");
const BARE = !process.argv.includes("--no-bare");

const setup = await setUpBench("instructions", { sizeMib: 4, layers: 2 });
const { bundle, upstream, images, work } = setup;
const serviceToken = "s".repeat(32);
const portal = await startStubPortal({ upstreamUrl: upstream.url, serviceToken, credentials: { kind: "basic", ...vendor } });
setup.onClose(() => portal.close());
const headPath = `/v2/proxy/app/up/${images.big.repository}/manifests/${images.big.tag}`;
const licenseAuth = `Basic ${Buffer.from(`LICENSE_ID:${"a".repeat(27)}`).toString("base64")}`;

/** `node ARGS` under callgrind: its main thread's instructions per HEAD. */
async function instructionsPerHead(name: string, args: string[], env: Record<string, string>, authorization: string): Promise<number> {
  const port = await freePort();
  const out = path.join(work, `${name}.callgrind`);
  const child = spawn("valgrind", ["--tool=callgrind", "--separate-threads=yes", `--callgrind-out-file=${out}`, process.execPath, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env, PORT: String(port), PROXY_PORT: String(port) } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr = (stderr + c).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ok = await new Promise<boolean>((resolve) => http.get(`${url}/healthz`, (r) => (r.resume(), resolve(r.statusCode === 200))).on("error", () => resolve(false)));
      if (ok) break;
      if (i > 600 || child.exitCode !== null) throw new Error(`${name} did not start under valgrind:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await cpuPerHead(url, headPath, authorization, child.pid!, { count: WARM, warm: 0, concurrency: CLIENTS });
    execFileSync("callgrind_control", ["-z", String(child.pid)], { stdio: "ignore" });
    await cpuPerHead(url, headPath, authorization, child.pid!, { count: HEADS, warm: 0, concurrency: CLIENTS });
    execFileSync("callgrind_control", ["-d", String(child.pid)], { stdio: "ignore" });
    // The dump is written by the process itself, a moment later: thread 1 is the main thread.
    const main = async () => fs.readdirSync(work).find((f) => f.startsWith(`${name}.callgrind.`) && f.endsWith("-01"));
    let file: string | undefined;
    for (let i = 0; i < 100 && !(file = await main()); i++) await new Promise((r) => setTimeout(r, 100));
    if (!file) throw new Error(`${name}: no callgrind dump`);
    await new Promise((r) => setTimeout(r, 500));
    const text = fs.readFileSync(path.join(work, file), "utf8");
    const total = Number(/^(?:totals|summary):\s+(\d+)/m.exec(text)?.[1]);
    if (KEEP) fs.copyFileSync(path.join(work, file), path.join(path.resolve(KEEP), `${name}.callgrind`));
    return total / HEADS;
  } finally {
    child.kill("SIGKILL");
  }
}

if (KEEP) fs.mkdirSync(path.resolve(KEEP), { recursive: true });
console.log(`[bench] main-thread instructions per manifest HEAD under callgrind (${HEADS} HEADs after ${WARM}, ${CLIENTS} keep-alive clients)`);
const proxyEnv = {
  NODE_ENV: "production",
  PROXY_BIND: "127.0.0.1",
  PROXY_SERVICE_TOKEN: serviceToken,
  PORTAL_INTERNAL_URL: portal.url,
  ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
  PROXY_ACCESS_LOG: "false",
};
const baseline = BASELINE_REF ? await bundleProxyAt(work, BASELINE_REF) : undefined;
const k = (n: number) => `${(n / 1000).toFixed(1)} k`;
for (let r = 0; r < ROUNDS; r++) {
  const portcullis = await instructionsPerHead(`portcullis-${r}`, [...PROXY_NODE_FLAGS, bundle], proxyEnv, licenseAuth);
  const parts = [`Portcullis ${k(portcullis)}`];
  if (baseline) {
    const before = await instructionsPerHead(`baseline-${r}`, [...PROXY_NODE_FLAGS, baseline], proxyEnv, licenseAuth);
    parts.push(`at ${BASELINE_REF} ${k(before)} (${(portcullis / before).toFixed(3)}×)`);
  }
  if (BARE) {
    const bare = await instructionsPerHead(`bare-${r}`, [...PROXY_NODE_FLAGS, path.join(root, "bench", "bare-relay.mjs")], { UPSTREAM_URL: upstream.url, UPSTREAM_CREDS: vendorCreds }, "");
    parts.push(`bare relay ${k(bare)} (${(portcullis / bare).toFixed(2)}×)`);
  }
  console.log(`  round ${r + 1}: ${parts.join(", ")}`);
}
await setup.close();
