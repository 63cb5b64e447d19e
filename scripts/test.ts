/**
 * `npm test`: every tier, in order — type-check, lint, unit, integration (PGlite locally;
 * PostgreSQL 15 when CI=true), end-to-end (Playwright in Debian's Chromium against a production
 * build), containers (the container image built and run with podman). Runs them all even when
 * one fails, then prints `N passed, N failed` and exits non-zero on any failure. With CI=true a missing system dependency is a failure, never a skip.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const reports = path.join(root, "test-results");
fs.mkdirSync(reports, { recursive: true });
const only = process.argv.slice(2);

interface Tier {
  name: string;
  cmd: string[];
  env?: Record<string, string>;
  /** Reads passed/failed counts from a report; a tier without one counts as one check. */
  counts?: () => { passed: number; failed: number };
}

function vitestCounts(file: string) {
  return () => {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    return { passed: r.numPassedTests, failed: r.numFailedTests + (r.numTotalTestSuites > 0 && r.success === false && r.numFailedTests === 0 ? 1 : 0) };
  };
}

function playwrightCounts(file: string) {
  return () => {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    const s = r.stats ?? {};
    return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0) + (r.errors?.length ?? 0) };
  };
}

const tiers: Tier[] = [
  { name: "typecheck", cmd: ["npx", "tsc", "--noEmit"] },
  { name: "lint", cmd: ["npx", "eslint", ".", "--max-warnings=0"] },
  {
    name: "unit",
    cmd: ["npx", "vitest", "run", "--project", "unit", "--project", "component", "--reporter=default", "--reporter=json", `--outputFile.json=${reports}/unit.json`],
    counts: vitestCounts(`${reports}/unit.json`),
  },
  {
    name: "integration",
    cmd: ["npx", "vitest", "run", "--project", "integration", "--reporter=default", "--reporter=json", `--outputFile.json=${reports}/integration.json`],
    counts: vitestCounts(`${reports}/integration.json`),
  },
  {
    name: "e2e",
    cmd: ["npx", "playwright", "test", "--reporter=list,json"],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/e2e.json` },
    counts: playwrightCounts(`${reports}/e2e.json`),
  },
  {
    // The container image (Containerfile, `npm run build:images`) built and run with podman.
    name: "containers",
    cmd: ["npx", "vitest", "run", "--config", "test/containers/vitest.config.ts", "--reporter=default", "--reporter=json", `--outputFile.json=${reports}/containers.json`],
    counts: vitestCounts(`${reports}/containers.json`),
  },
];

let passed = 0;
let failed = 0;
const summary: string[] = [];
for (const tier of tiers) {
  if (only.length > 0 && !only.includes(tier.name)) continue;
  console.log(`\n=== ${tier.name}: ${tier.cmd.join(" ")}`);
  const started = Date.now();
  // A stale report from an earlier run must not stand in for this one.
  for (const f of fs.readdirSync(reports)) if (f === `${tier.name}.json`) fs.rmSync(path.join(reports, f));
  const r = spawnSync(tier.cmd[0]!, tier.cmd.slice(1), { cwd: root, stdio: "inherit", env: { ...process.env, ...tier.env } });
  let counts = { passed: r.status === 0 ? 1 : 0, failed: r.status === 0 ? 0 : 1 };
  if (tier.counts) {
    try {
      counts = tier.counts();
      // A runner that failed without reporting a failing test (crash, setup error) still fails.
      if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
    } catch {
      counts = { passed: 0, failed: 1 };
    }
  }
  passed += counts.passed;
  failed += counts.failed;
  summary.push(`${tier.name.padEnd(12)} ${r.status === 0 ? "ok  " : "FAIL"} ${counts.passed} passed, ${counts.failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

console.log("\n" + summary.join("\n"));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
