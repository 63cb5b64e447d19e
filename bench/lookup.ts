/**
 * Throughput of the portal's internal lookup API (`POST /api/internal/proxy/lookup`) on the
 * production build, as `npm start` runs it (not a test: no thresholds). Run after `npm run build`:
 *   npm run bench:lookup [-- --seconds 10] [-- --connections 10] [-- --runs 1] [-- --cpu-prof DIR] [-- --write]
 *
 * A throwaway database on PostgreSQL (127.0.0.1:5432, or TEST_POSTGRES_URL) with one team, one
 * registry with a stored password and the proxy cache on (so an allowed answer decrypts the
 * credentials and carries a signed store token), one license. `node dist/start.mjs` serves it;
 * `--connections` keep-alive clients in this process send lookups back to back for `--seconds`
 * after a warm-up, three ways:
 * - baseline: a bare `node:http` server in a process of its own answering the valid lookup's
 *   JSON (its body read, no checks): what Node and the loopback cost, so the ratio says what
 *   Next and the lookup add;
 * - valid: the license, its app and an image path (200, the full answer);
 * - invalid: a well-formed license ID that exists nowhere (401).
 * Printed: requests/s, latency p50/p99 under that load, and the portal's CPU per request.
 * `--cpu-prof DIR` writes V8 CPU profiles of the portal server (`node --cpu-prof`) into DIR.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { flag, numberArg } from "./support/args";
import { cpuSeconds, load, machine, percentile } from "./support/measure";
import { dropPostgresDatabase, migratedPostgresDatabase } from "@/test/support/db-templates";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { generateLicenseId } from "@/lib/licenses/license-id";
import { postgresUrlFor } from "@/test/support/test-db-config";

const SECONDS = numberArg("seconds", 10);
const CONNECTIONS = numberArg("connections", 10);
const RUNS = numberArg("runs", 1);
const WRITE = flag("write");
const profIndex = process.argv.indexOf("--cpu-prof");
const CPU_PROF_DIR = profIndex >= 0 ? path.resolve(process.argv[profIndex + 1] ?? "lookup-profiles") : undefined;
const root = path.resolve(import.meta.dirname, "..");
const LOOKUP_PATH = "/api/internal/proxy/lookup";
const PING_PATH = "/api/internal/proxy/ping";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU per request, µs. */
  cpuUs: number;
  status: number;
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function configure(databaseUrl: string, port: number): { serviceToken: string; env: NodeJS.ProcessEnv } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-lookup-"));
  const keyFile = path.join(dataDir, "registry-token-key.pem");
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  fs.writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  const serviceToken = crypto.randomBytes(32).toString("hex");
  const vars = {
    NODE_ENV: "production" as const,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: crypto.randomBytes(32).toString("base64"),
    TOKEN_HASH_KEYS: `h1:${crypto.randomBytes(32).toString("base64")}`,
    LOCAL_KMS_KEYS: `k1:${crypto.randomBytes(32).toString("base64")}`,
    PROXY_SERVICE_TOKEN: serviceToken,
    REGISTRY_EVENTS_TOKEN: crypto.randomBytes(32).toString("hex"),
    REGISTRY_URL: "https://registry.bench.example",
    REGISTRY_TOKEN_KEY_FILE: keyFile,
    PORTAL_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    BIND_ADDRESS: "127.0.0.1",
    PORTCULLIS_DATA_DIR: dataDir,
    // The portal is stopped and started again between measurements, with no balancer in front.
    PORTAL_DRAIN_DELAY_MS: "0",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  Object.assign(process.env, vars);
  return { serviceToken, env: { ...process.env, ...vars } };
}

/**
 * `npm start`: the launcher (configuration checks, migrations, then the portal server as its
 * child). With --cpu-prof, the portal server alone under `node --cpu-prof` (Node refuses the flag
 * in NODE_OPTIONS; the migrations are applied already).
 */
function startPortal(env: NodeJS.ProcessEnv): ChildProcess {
  const args = CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF_DIR}`, path.join(root, "dist/portal-server.mjs")] : [path.join(root, "dist/start.mjs")];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
  portalExited = false;
  child.once("exit", (code, signal) => {
    portalExited = true;
    if (!stopping) console.error(`[bench] the portal exited (${code ?? signal})`);
  });
  return child;
}
let stopping = false;
let portalExited = false;

/** The portal server's pid: the launcher's child. */
function portalServerPid(portal: ChildProcess): number {
  if (CPU_PROF_DIR) return portal.pid!;
  const pid = portal.pid!;
  const children = fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(/\s+/))
    .filter(Boolean);
  if (children.length !== 1) throw new Error(`the launcher has ${children.length} children`);
  return Number(children[0]);
}

/** A bare Node server answering every request with `json` once it has read the body. */
function startBaseline(json: string, status: number): Promise<{ child: ChildProcess; url: string }> {
  const source = `
    const http = require("node:http");
    const body = ${JSON.stringify(json)};
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        JSON.parse(Buffer.concat(chunks).toString("utf8"));
        res.writeHead(${status}, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 65000;
    server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));`;
  const child = spawn(process.execPath, ["-e", source], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve({ child, url: `http://127.0.0.1:${d.toString().trim()}` }));
    child.once("exit", (code) => reject(new Error(`the baseline server exited (${code})`)));
  });
}

interface Client {
  /** POST `body` to the lookup, or with `body` null GET the ping route (Next and the service token, no lookup). */
  post(body: string | null): Promise<{ status: number; text: string }>;
  close(): void;
}

function client(baseUrl: string, token: string): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const u = new URL(baseUrl);
  return {
    post: (body) =>
      new Promise((resolve, reject) => {
        const req = http.request(
          {
            host: u.hostname,
            port: u.port,
            path: body === null ? PING_PATH : LOOKUP_PATH,
            method: body === null ? "GET" : "POST",
            agent,
            headers: { authorization: `Bearer ${token}`, ...(body !== null && { "content-type": "application/json", "content-length": Buffer.byteLength(body) }) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          },
        );
        req.on("error", reject);
        req.end(body ?? undefined);
      }),
    close: () => agent.destroy(),
  };
}

/** `CONNECTIONS` clients back to back: a warm-up, then `SECONDS` of measured requests. */
async function hammer(name: string, baseUrl: string, token: string, body: string | null, expected: number, pid: number): Promise<Result> {
  const c = client(baseUrl, token);
  const loop = async (until: number, latencies?: number[]) => {
    while (performance.now() < until) {
      const started = performance.now();
      const r = await c.post(body);
      if (r.status !== expected) throw new Error(`${name}: HTTP ${r.status} (expected ${expected}): ${r.text.slice(0, 200)}`);
      latencies?.push(performance.now() - started);
    }
  };
  const warm = performance.now() + Math.min(3, SECONDS / 2) * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, () => loop(warm)));
  const latencies: number[] = [];
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, () => loop(started + SECONDS * 1000, latencies)));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  c.close();
  return { name, rps: latencies.length / elapsed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), cpuUs: (cpu / latencies.length) * 1e6, status: expected };
}

async function waitForPortal(url: string, token: string, body: string): Promise<{ status: number; text: string }> {
  const c = client(url, token);
  try {
    for (let waited = 0; ; waited += 200) {
      try {
        return await c.post(body);
      } catch (e) {
        if (waited > 60_000 || portalExited) throw e;
        await sleep(200);
      }
    }
  } finally {
    c.close();
  }
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

async function main() {
  if (!fs.existsSync(path.join(root, "dist/start.mjs")) || !fs.existsSync(path.join(root, ".next/BUILD_ID"))) {
    throw new Error("No production build: run `npm run build` first.");
  }
  const dbName = await migratedPostgresDatabase();
  const port = await freePort();
  const { serviceToken, env } = configure(postgresUrlFor(dbName), port);
  const { getDb, disconnectDb } = await import("@/lib/db/client");
  let portal: ChildProcess | undefined;
  let baseline: { child: ChildProcess; url: string } | undefined;
  const results: Result[][] = [];
  try {
    const db = await getDb();
    const tenant = await createTenant(db, { slug: "bench-lookup" });
    await addRegistry(db, tenant.teamId, { name: "up", endpoint: "https://registry.vendor.example", username: "vendor", secret: "upstream-password" });
    const license = await createLicense(db, tenant);
    const valid = JSON.stringify({ licenseId: license.licenseId, appSlug: tenant.appSlug, image: ["up", "acme", "app"] });
    const invalid = JSON.stringify({ licenseId: generateLicenseId(), appSlug: tenant.appSlug, image: ["up", "acme", "app"] });
    const portalUrl = `http://127.0.0.1:${port}`;
    /** A portal with that lookup cache TTL, once both lookups answer as they should. */
    const startChecked = async (ttl: number) => {
      const started = startPortal({ ...env, PORTAL_LOOKUP_CACHE_TTL_MS: String(ttl) });
      portal = started;
      const first = await waitForPortal(portalUrl, serviceToken, valid);
      if (first.status !== 200) throw new Error(`the valid lookup answered HTTP ${first.status}: ${first.text.slice(0, 300)}`);
      const answer = JSON.parse(first.text) as { registry?: { cache?: unknown; credentials?: { kind: string } } };
      if (!answer.registry?.cache || answer.registry.credentials?.kind !== "basic") throw new Error("the valid lookup's answer has no store token or no credentials");
      const checked = await waitForPortal(portalUrl, serviceToken, invalid);
      if (checked.status !== 401) throw new Error(`the invalid lookup answered HTTP ${checked.status}`);
      return started;
    };
    /** The valid lookup's answer, for the baseline server to send. */
    const validAnswerText = async () => {
      const started = await startChecked(0);
      const { text } = await waitForPortal(portalUrl, serviceToken, valid);
      stopping = true;
      await stop(started);
      portal = undefined;
      stopping = false;
      return text;
    };

    baseline = await startBaseline(await validAnswerText(), 200);
    console.log(`[bench] ${machine()}, load ${load()}; ${CONNECTIONS} connections, ${SECONDS} s per measurement, ${RUNS} run(s)`);
    for (let run = 1; run <= RUNS; run++) {
      const row = [await hammer("baseline: bare node:http, same JSON", baseline.url, serviceToken, valid, 200, baseline.child.pid!)];
      for (const ttl of [0, 5_000]) {
        const what = ttl ? `portal cache ${ttl / 1000} s` : "no portal cache";
        portal = await startChecked(ttl);
        const pid = portalServerPid(portal);
        if (!ttl) row.push(await hammer("Next route without a lookup: GET ping", portalUrl, serviceToken, null, 200, pid));
        row.push(await hammer(`valid license (200), ${what}`, portalUrl, serviceToken, valid, 200, pid));
        row.push(await hammer(`invalid license (401), ${what}`, portalUrl, serviceToken, invalid, 401, pid));
        stopping = true;
        await stop(portal);
        portal = undefined;
        stopping = false;
      }
      results.push(row);
      for (const r of row) console.log(`[bench] run ${run}: ${r.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.cpuUs.toFixed(0)} µs CPU/request`);
    }
  } finally {
    stopping = true;
    if (baseline) await stop(baseline.child);
    if (portal) await stop(portal);
    await disconnectDb();
    await dropPostgresDatabase(dbName);
  }

  const lines = results.flatMap((row, i) =>
    row.map((r) => `| ${RUNS > 1 ? `${i + 1} | ` : ""}${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuUs.toFixed(0)} | ${(r.rps / row[0]!.rps).toFixed(2)}× |`),
  );
  const header = `| ${RUNS > 1 ? "run | " : ""}lookup | req/s | p50 ms | p99 ms | server CPU µs/req | req/s vs baseline |`;
  const table = [header, header.replace(/[^|]+/g, (c) => (/^\s*(req|p\d|server)/.test(c) ? "---:" : "---")), ...lines].join("\n");
  console.log(`\n${table}\n`);
  if (CPU_PROF_DIR) console.log(`[bench] CPU profiles in ${CPU_PROF_DIR}`);
  if (!WRITE) return;
  const section = `
### Run of ${new Date().toISOString().slice(0, 10)}

\`npm run bench:lookup -- --seconds ${SECONDS} --connections ${CONNECTIONS} --runs ${RUNS}\`, ${machine()}, load ${load()} at the end:

${table}
`;
  await fsp.appendFile(path.join(root, "BENCHMARKS.md"), section);
}

await main();
