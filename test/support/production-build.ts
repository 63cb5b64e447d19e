import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * The production build (`npm run build`: Next's output in .next, the bundles in dist/) for tests
 * that run what `npm start` runs. An existing build is used when it is newer than every source it
 * is made from; otherwise it is built here (a minute or two on 2 cores). The end-to-end tier's web
 * server does the same through scripts/ensure-build.ts.
 */
const root = path.resolve(import.meta.dirname, "../..");

/** What `npm start` runs: the launcher, which starts the portal's front server. */
export const START_BUNDLE = path.join(root, "dist", "start.mjs");
const OUTPUTS = [START_BUNDLE, path.join(root, "dist", "portal-server.mjs"), path.join(root, ".next", "BUILD_ID")];
const SOURCES = ["app", "components", "lib", "scripts", "proxy", "cli", "prisma", "next.config.js", "package-lock.json", "postcss.config.mjs"];

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** True when every output exists and is newer than every source. */
export function productionBuildIsFresh(): boolean {
  const built = Math.min(...OUTPUTS.map((f) => fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  return built > Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
}

/** Builds unless a fresh build is there; throws with the build's output when it fails. */
export function ensureProductionBuild(): void {
  if (productionBuildIsFresh()) return;
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts", "build.ts")], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PORTCULLIS_NEXT_DIST_DIR: "" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status}):\n${(r.stdout + r.stderr).slice(-4000)}`);
}
