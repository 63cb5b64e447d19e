/**
 * `npm run bench:lighthouse`: Lighthouse (desktop and mobile) on the portal's main pages, served by
 * a production build (`npm run build`, then `npm start`) on a throw-away embedded database, in
 * Debian's Chromium. The baseline, measured in the same run and browser: a static page of the same
 * size class served by a bare Node server — the best score this machine gives at all, so a page's
 * performance score reads against what is reachable here.
 *
 *   npm run bench:lighthouse [-- --no-build] [-- --pages /apps,/images] [-- --runs 3] [-- --save dir]
 *
 * Each page and form factor is audited `--runs` times (default 3): scores vary between runs, so
 * its line reports the run with the median performance score — Lighthouse's own advice for
 * variability — and lists every run's score beside it, e.g. `93 (91, 93, 96)`. One line per page
 * and form factor (accessibility, best practices, performance, LCP, TBT), the lowest of each
 * category at the end. `--save dir` also writes every run's full report (JSON) there, for its
 * diagnostics: where the main thread's time went (`bootup-time`, `mainthread-work-breakdown`,
 * `long-tasks`), the DOM's size.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "@playwright/test";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { freePort } from "@/test/support/registry";
import { load, machine } from "./support/measure";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const noBuild = args.includes("--no-build");
// `--pages=/a,/b` or `--pages /a,/b`; without it, the main pages.
const option = (name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const pagesArg = option("pages");
const RUNS = Number(option("runs") ?? 3);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs must be a whole number ≥ 1");
const SAVE = option("save");
const PAGES = (pagesArg || "/sign-in,/,/apps,/images,/customers,/audit,/settings,/tokens,/api-reference,/api-reference/registries,/api-reference/schemas,/tutorials/ecr").split(",");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface Scores {
  accessibility: number;
  bestPractices: number;
  performance: number;
  lcpMs: number;
  tbtMs: number;
}

/** The run with the median performance score, and every run's score in the order they ran. */
interface Measured extends Scores {
  runs: number[];
}

async function waitFor(url: string, child: ChildProcess, what: string) {
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => http.get(url, (r) => (r.resume(), resolve((r.statusCode ?? 500) < 500))).on("error", () => resolve(false)));
    if (ok) return;
    if (child.exitCode !== null || i > 1200) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function startPortal(work: string) {
  if (!noBuild) {
    console.log("[bench] npm run build …");
    const b = spawnSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (b.status !== 0) throw new Error("npm run build failed");
  }
  const port = await freePort();
  const child = spawn("npm", ["start"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: String(port),
      BIND_ADDRESS: "127.0.0.1",
      PORTCULLIS_DATA_DIR: path.join(work, "data"),
      PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION: "true",
      AUTH_SECRET: "bench-only-secret-0123456789abcdefghijklmnop",
      TOKEN_HASH_KEYS: "bench:bench-only-hash-key-0123456789abcdefghijklmnop",
      LOCAL_KMS_KEYS: "bench:" + Buffer.alloc(32, 9).toString("base64"),
      PROXY_SERVICE_TOKEN: "bench-proxy-service-token-0123456789abcdef",
      // No balancer in front: stop without a drain delay.
      PORTAL_DRAIN_DELAY_MS: "0",
      NEXT_TELEMETRY_DISABLED: "1",
    } as NodeJS.ProcessEnv,
    detached: true,
  });
  const url = `http://localhost:${port}`;
  await waitFor(`${url}/sign-in`, child, "the portal");
  return { url, stop: () => void (child.pid && process.kill(-child.pid, "SIGTERM")) };
}

/** A static page with a heading, a paragraph and a small table: what a fast page here scores. */
async function startBaseline() {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Baseline</title><link rel="icon" href="data:,"><meta name="description" content="baseline"></head><body><main><h1>Baseline</h1><p>A static page.</p><table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${Array.from({ length: 20 }, (_, i) => `<tr><td>row ${i}</td><td>${i}</td></tr>`).join("")}</tbody></table></main></body></html>`;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, stop: () => server.close() };
}

/** Signs a new vendor up and in, in the browser Lighthouse will use (its cookies are the session). */
async function signIn(context: BrowserContext, portal: string) {
  const page = await context.newPage();
  const email = `bench-${Date.now()}@example.test`;
  const password = "a long bench password";
  await page.goto(`${portal}/sign-up`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Team name").fill("Bench Corp");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/sign-in/, { timeout: 60_000 });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"), { timeout: 60_000 });
  await page.close();
}

async function audit(url: string, port: number, form: "desktop" | "mobile"): Promise<Scores> {
  const result = await lighthouse(
    url,
    { port, output: "json", logLevel: "error", onlyCategories: ["performance", "accessibility", "best-practices"], disableStorageReset: true },
    form === "desktop" ? desktopConfig : undefined,
  );
  if (!result) throw new Error(`lighthouse gave no result for ${url}`);
  if (SAVE) {
    const name = `${new URL(url).pathname.replace(/[^a-z0-9]+/gi, "_")}-${form}-${Date.now()}.json`;
    await fsp.mkdir(SAVE, { recursive: true });
    await fsp.writeFile(path.join(SAVE, name), JSON.stringify(result.lhr));
  }
  const { categories, audits } = result.lhr;
  const score = (k: string) => Math.round((categories[k]?.score ?? 0) * 100);
  return {
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    performance: score("performance"),
    lcpMs: Math.round(audits["largest-contentful-paint"]?.numericValue ?? 0),
    tbtMs: Math.round(audits["total-blocking-time"]?.numericValue ?? 0),
  };
}

async function measure(url: string, port: number, form: "desktop" | "mobile"): Promise<Measured> {
  const runs: Scores[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await audit(url, port, form));
  const sorted = [...runs].sort((a, b) => a.performance - b.performance);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, runs: runs.map((r) => r.performance) };
}

async function main() {
  console.log(`[bench] ${machine()}, load ${load()}, ${RUNS} run${RUNS === 1 ? "" : "s"} per page and form factor`);
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), "bench-lighthouse-"));
  process.on("exit", () => void fs.rmSync(work, { recursive: true, force: true }));
  const portal = await startPortal(work);
  const baseline = await startBaseline();
  const debugPort = await freePort();
  // A persistent context is the browser's default context, which Lighthouse's tabs share.
  const context = await chromium.launchPersistentContext(path.join(work, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [`--remote-debugging-port=${debugPort}`, "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const rows: Array<{ page: string; form: string } & Measured> = [];
    for (const form of ["desktop", "mobile"] as const) {
      rows.push({ page: "baseline (static page)", form, ...(await measure(baseline.url, debugPort, form)) });
    }
    for (const form of ["desktop", "mobile"] as const) {
      for (const p of PAGES.filter((p) => p === "/sign-in")) rows.push({ page: p, form, ...(await measure(portal.url + p, debugPort, form)) });
    }
    await signIn(context, portal.url);
    for (const form of ["desktop", "mobile"] as const) {
      for (const p of PAGES.filter((p) => p !== "/sign-in")) rows.push({ page: p, form, ...(await measure(portal.url + p, debugPort, form)) });
    }
    const base = Object.fromEntries(rows.filter((r) => r.page.startsWith("baseline")).map((r) => [r.form, r.performance]));
    const perf = (r: Measured) => (r.runs.length > 1 ? `${r.performance} (${r.runs.join(", ")})` : String(r.performance));
    const perfWidth = Math.max(5, ...rows.map((r) => perf(r).length));
    console.log(`\npage                     form     a11y  best-pr ${"perf".padStart(perfWidth)}  perf/baseline   LCP ms  TBT ms`);
    for (const r of rows) {
      const ratio = (r.performance / (base[r.form] || 100)).toFixed(2);
      console.log(`${r.page.padEnd(24)} ${r.form.padEnd(8)} ${String(r.accessibility).padStart(4)} ${String(r.bestPractices).padStart(8)} ${perf(r).padStart(perfWidth)} ${ratio.padStart(14)} ${String(r.lcpMs).padStart(8)} ${String(r.tbtMs).padStart(7)}`);
    }
    const pages = rows.filter((r) => !r.page.startsWith("baseline"));
    const min = (k: keyof Scores) => Math.min(...pages.map((r) => r[k] as number));
    console.log(`\n[bench] lowest over ${pages.length} pages and form factors (medians of ${RUNS}): accessibility ${min("accessibility")}, best practices ${min("bestPractices")}, performance ${min("performance")} (targets 100, 100, ≥ 95); load ${load()}`);
  } finally {
    await context.close();
    baseline.stop();
    portal.stop();
  }
}

await main();
