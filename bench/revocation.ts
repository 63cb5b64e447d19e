/**
 * Revocation latency benchmark (not a test: no thresholds). Run: npm run bench:revocation
 *   [-- --trials 20] [-- --ttl-ms 5000] [-- --write]   (--write appends a section to BENCHMARKS.md)
 *
 * One machine, one run, on PostgreSQL (127.0.0.1:5432, or TEST_POSTGRES_URL): two portals (the
 * internal API's route handlers, each with its own listening connection) on one database, and four
 * proxies: two with the change stream, one per portal, and two without it (the TTL bound alone,
 * PROXY_LICENSE_CACHE_TTL_MS). Each trial issues a license, has every proxy cache its answer
 * (`GET /v2/`, the license check alone), waits a random part of the TTL (answers are cached at
 * any moment in real use), then revokes it through the operation a vendor's click runs, and polls
 * every proxy (every 5 ms) until it refuses the license. The latency is from the revocation's
 * commit to the first refusal.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ChangeHub } from "@/lib/internal/changes-hub";
import { revokeLicense } from "@/lib/licenses/operations";
import { invoke } from "@/lib/server/operation";
import { createProxyServer, type ProxyServer } from "@/proxy/server";
import { dropPostgresDatabase, migratedPostgresDatabase } from "@/test/support/db-templates";
import { createLicense, createTenant, memberContext } from "@/test/support/factories";
import { servePortalRoutes, type PortalRoutes } from "@/test/support/portal-routes";
import { postgresUrlFor } from "@/test/support/test-db-config";
import { licenseAuth, rawRequest } from "@/test/support/proxy";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const TRIALS = arg("trials", 20);
const TTL_MS = arg("ttl-ms", 5_000);
const WRITE = process.argv.includes("--write");
const root = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Variant {
  name: string;
  proxy: ProxyServer;
  url: string;
  latencies: number[];
}

function configure(databaseUrl: string): string {
  const serviceToken = crypto.randomBytes(24).toString("base64url");
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    LOCAL_KMS_KEYS: `bench:${crypto.randomBytes(32).toString("base64")}`,
    PORTCULLIS_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-revocation-")),
    PROXY_SERVICE_TOKEN: serviceToken,
    ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
  });
  return serviceToken;
}

/** Polls `GET /v2/` with the license until the proxy refuses it; the time of the refusal. */
async function refusedAt(url: string, licenseId: string): Promise<number> {
  for (;;) {
    const r = await rawRequest(`${url}/v2/`, { headers: { authorization: licenseAuth(licenseId) } });
    if (r.status === 401) return performance.now();
    if (r.status !== 200) throw new Error(`unexpected ${r.status} from ${url}`);
    await sleep(5);
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main() {
  const dbName = await migratedPostgresDatabase();
  const url = postgresUrlFor(dbName);
  const serviceToken = configure(url);
  const hubs = [new ChangeHub(async () => url), new ChangeHub(async () => url)];
  const portals: PortalRoutes[] = [];
  const variants: Variant[] = [];
  const { getDb, disconnectDb } = await import("@/lib/db/client");
  try {
    for (const changes of hubs) portals.push(await servePortalRoutes({ prefix: "/api/internal/proxy", deps: { changes: () => changes } }));
    const start = async (name: string, portal: PortalRoutes, changeFeed: boolean) => {
      const proxy = createProxyServer({ portalUrl: portal.url, serviceToken, dockerHubRegistry: "registry-1.docker.io", allowPrivate: true, licenseTtlMs: TTL_MS, changeFeed });
      const { url: proxyUrl } = await proxy.listen(0);
      variants.push({ name, proxy, url: proxyUrl, latencies: [] });
    };
    await start("change stream, proxy 1 (portal A)", portals[0]!, true);
    await start("change stream, proxy 2 (portal B)", portals[1]!, true);
    await start("TTL only, proxy 3 (portal A)", portals[0]!, false);
    await start("TTL only, proxy 4 (portal B)", portals[1]!, false);
    for (let waited = 0; variants.some((v) => v.proxy.changes && !v.proxy.changes.connected); waited += 20) {
      if (waited > 20_000) throw new Error("the proxies' change streams did not connect");
      await sleep(20);
    }

    const db = await getDb();
    const tenant = await createTenant(db, { slug: "bench-revocation" });
    const admin = await memberContext(db, { role: "admin", teamId: tenant.teamId });
    for (let trial = 1; trial <= TRIALS; trial++) {
      const license = await createLicense(db, tenant);
      for (const v of variants) {
        const r = await rawRequest(`${v.url}/v2/`, { headers: { authorization: licenseAuth(license.licenseId) } });
        if (r.status !== 200) throw new Error(`${v.name}: the new license was refused (${r.status})`);
      }
      await sleep(Math.random() * TTL_MS);
      await invoke(revokeLicense, admin, { id: license.id });
      const committed = performance.now();
      const refused = await Promise.all(variants.map((v) => refusedAt(v.url, license.licenseId)));
      refused.forEach((at, i) => variants[i]!.latencies.push(at - committed));
      console.log(`[bench] trial ${trial}/${TRIALS}: ${refused.map((at) => `${(at - committed).toFixed(0)} ms`).join(", ")}`);
    }
  } finally {
    await Promise.all(variants.map((v) => v.proxy.close(1000)));
    await Promise.all(portals.map((p) => p.close()));
    await Promise.all(hubs.map((h) => h.close()));
    await disconnectDb();
    await dropPostgresDatabase(dbName);
  }

  const rows = variants.map((v) => `| ${v.name} | ${percentile(v.latencies, 50).toFixed(1)} ms | ${Math.max(...v.latencies).toFixed(1)} ms |`);
  const table = ["| proxy | p50 | max |", "|---|---|---|", ...rows].join("\n");
  console.log(`\n${table}\n`);
  if (!WRITE) return;
  const section = `
### Latest results: revocation latency (${new Date().toISOString().slice(0, 10)})

\`npm run bench:revocation -- --write\`: ${TRIALS} trials, PROXY_LICENSE_CACHE_TTL_MS ${TTL_MS}, PostgreSQL on
127.0.0.1, ${os.cpus().length} cores (load ${os.loadavg()[0]!.toFixed(1)}). From the revocation's commit to
the first refusal, each proxy polled every 5 ms:

${table}
`;
  const file = path.join(root, "BENCHMARKS.md");
  const text = await fsp.readFile(file, "utf8");
  const heading = "## Revocation latency";
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`BENCHMARKS.md has no "${heading}" section`);
  const next = text.indexOf("\n## ", start + heading.length);
  const insertAt = next < 0 ? text.length : next + 1;
  await fsp.writeFile(file, text.slice(0, insertAt).replace(/\n*$/, "\n") + section + (next < 0 ? "" : "\n" + text.slice(insertAt)));
  console.log("[bench] written to BENCHMARKS.md");
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
