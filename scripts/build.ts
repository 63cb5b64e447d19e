/**
 * `npm run build`: everything production runs, with plain `node` and no TypeScript loader.
 *
 * - `next build` — the portal, with Next's standalone output (`<distDir>/standalone`: the server
 *   files and only the node_modules files they load), which the container image ships.
 * - esbuild bundles in dist/: `start.mjs` (the launcher behind `npm start`: configuration checks,
 *   migrations, then the portal), `portal-server.mjs` (the portal's front server),
 *   `portcullis.mjs` (the CLI, migration runner included), `proxy.mjs` (the registry proxy) and
 *   `healthcheck.mjs` (the container image's health check).
 * - dist/node_modules: the packages the bundles leave external (wasm, native addons, PGlite's
 *   data files) with their dependencies. Next itself is loaded from the standalone output (or
 *   the repository's node_modules).
 * - `<distDir>/standalone/.next/static`: the browser assets Next leaves out of the standalone
 *   folder.
 *
 * `npm run build -- --bundles` skips `next build`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { EXTERNAL_PACKAGES } from "./externals";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");
const nextDistDir = process.env.PORTCULLIS_NEXT_DIST_DIR || ".next";


const ENTRIES: Record<string, string> = {
  start: "scripts/start.ts",
  "portal-server": "scripts/portal-server.ts",
  portcullis: "cli/bin.ts",
  proxy: "proxy/main.ts",
  healthcheck: "scripts/healthcheck.ts",
};

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (r.status !== 0) {
    console.error(`${cmd} ${args.join(" ")} failed`);
    process.exit(r.status ?? 1);
  }
}

// dist/ is overwritten in place, never emptied first: a build in the same checkout for another
// PORTCULLIS_NEXT_DIST_DIR (parallel end-to-end runs) may be starting from it.
async function bundle() {
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(root, file)])),
    outdir: dist,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    splitting: false,
    external: EXTERNAL_PACKAGES.flatMap((p) => [p, `${p}/*`]),
    alias: { "server-only": path.join(root, "scripts", "server-only.ts") },
    // Bundled CommonJS packages call require() and read __dirname: give the ESM bundles both.
    banner: {
      js: [
        'import { createRequire as __createRequire } from "node:module";',
        'import { fileURLToPath as __fileURLToPath } from "node:url";',
        "const require = __createRequire(import.meta.url);",
        "const __filename = __fileURLToPath(import.meta.url);",
        'const __dirname = __filename.slice(0, __filename.lastIndexOf("/"));',
      ].join("\n"),
    },
    logLevel: "warning",
    legalComments: "none",
  });
}

/** A package's folder in the repository's node_modules, if it is installed there. */
function installed(name: string): string | undefined {
  const dir = path.join(root, "node_modules", name);
  return fs.existsSync(path.join(dir, "package.json")) ? dir : undefined;
}

/**
 * Copies the packages the bundles load at run time (all but Next, which the portal's standalone
 * output carries) with their installed dependencies into dist/node_modules.
 */
function copyExternals(): string[] {
  const queue = EXTERNAL_PACKAGES.filter((p) => p !== "next");
  const copied = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift()!;
    const dir = installed(name);
    if (copied.has(name) || !dir) continue;
    copied.add(name);
    fs.cpSync(dir, path.join(dist, "node_modules", name), { recursive: true, dereference: true });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    queue.push(...Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }));
  }
  return [...copied].sort();
}

/** Next's standalone folder leaves the browser assets out: they belong next to the server files. */
function completeStandalone() {
  const standalone = path.join(root, nextDistDir, "standalone");
  if (!fs.existsSync(standalone)) throw new Error(`${standalone} is missing: next.config.js must set output: "standalone"`);
  fs.cpSync(path.join(root, nextDistDir, "static"), path.join(standalone, nextDistDir, "static"), { recursive: true });
  if (fs.existsSync(path.join(root, "public"))) fs.cpSync(path.join(root, "public"), path.join(standalone, "public"), { recursive: true });
}

if (!process.argv.includes("--bundles")) {
  run(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"]);
  completeStandalone();
}
await bundle();
const packages = copyExternals();
console.log(`dist/: ${Object.keys(ENTRIES).map((n) => `${n}.mjs`).join(", ")}; dist/node_modules: ${packages.join(", ")}`);
