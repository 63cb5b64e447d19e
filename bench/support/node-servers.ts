import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { build } from "esbuild";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";
import { freePort } from "@/test/support/registry";

/** The Node servers the benchmarks measure: the proxy as production runs it, and the bare relay baseline. */

export const root = path.resolve(import.meta.dirname, "..", "..");

export interface RunningServer {
  host: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** proxy/main.ts bundled with esbuild into `work`, as `npm run build:proxy` does; bare imports resolve from the repository's node_modules. */
export async function buildProxyBundle(work: string): Promise<string> {
  const bundle = path.join(work, "proxy-main.mjs");
  await build({ entryPoints: [path.join(root, "proxy", "main.ts")], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile: bundle, logLevel: "error" });
  await fsp.symlink(path.join(root, "node_modules"), path.join(work, "node_modules")).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e;
  });
  return bundle;
}

/** proxy/main.ts at git commit `ref`, bundled into `work` as the working tree's is (from `git archive`, with this checkout's node_modules). */
export async function bundleProxyAt(work: string, ref: string): Promise<string> {
  const name = ref.replace(/[^A-Za-z0-9]/g, "_");
  const dir = path.join(work, `baseline-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git -C "${root}" archive "${ref}" | tar -x -C "${dir}"`]);
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  const out = path.join(work, `proxy-at-${name}.mjs`); // never the working tree's proxy-main.mjs (ref "main")
  await build({ entryPoints: [path.join(dir, "proxy", "main.ts")], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile: out, logLevel: "error", absWorkingDir: dir });
  return out;
}

export interface ProxyProcessOptions {
  bundle: string;
  portalUrl: string;
  serviceToken: string;
  /** Default: PROXY_NODE_FLAGS, as `npm run start:proxy`. */
  nodeFlags?: readonly string[];
  env?: Record<string, string>;
  /** Receives what the process writes to stdout (its access log); default: discarded. */
  stdout?: (text: string) => void;
}

export function startProxy(opts: ProxyProcessOptions): Promise<RunningServer> {
  return startNodeServer([...(opts.nodeFlags ?? PROXY_NODE_FLAGS), opts.bundle], (port) => ({
    NODE_ENV: "production",
    PROXY_PORT: String(port),
    PROXY_BIND: "127.0.0.1",
    PROXY_SERVICE_TOKEN: opts.serviceToken,
    PORTAL_INTERNAL_URL: opts.portalUrl,
    ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
    PROXY_ACCESS_LOG: "false",
    ...opts.env,
  }), opts.stdout);
}

/** The baseline: bench/bare-relay.mjs, a bare pipeline(upstream, response), with the proxy's node flags; `hash`: it also hashes every blob. */
export function startBareRelay(upstreamUrl: string, creds: string, extraFlags: readonly string[] = [], opts: { hash?: boolean } = {}): Promise<RunningServer> {
  return startNodeServer([...PROXY_NODE_FLAGS, ...extraFlags, path.join(root, "bench", "bare-relay.mjs")], (port) => ({
    PORT: String(port),
    UPSTREAM_URL: upstreamUrl,
    UPSTREAM_CREDS: creds,
    ...(opts.hash && { BARE_RELAY_HASH: "1" }),
  }));
}

/** bench/raw-relay.mjs: the bare relay's manifest HEADs on raw `net` sockets, without node:http. */
export function startRawRelay(upstreamUrl: string, creds: string, extraFlags: readonly string[] = []): Promise<RunningServer> {
  return startNodeServer([...PROXY_NODE_FLAGS, ...extraFlags, path.join(root, "bench", "raw-relay.mjs")], (port) => ({
    PORT: String(port),
    UPSTREAM_URL: upstreamUrl,
    UPSTREAM_CREDS: creds,
  }));
}

/** Starts `node ARGS` with only PATH and `envFor(port)` in its environment; ready when GET /healthz answers 200. */
export async function startNodeServer(args: string[], envFor: (port: number) => Record<string, string>, stdout?: (text: string) => void): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, ...envFor(port) } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", stdout ? "pipe" : "ignore", "inherit"],
  });
  if (stdout) child.stdout!.setEncoding("utf8").on("data", stdout);
  return whenHealthy(child, port, args.at(-1)!);
}

/** A started server process on 127.0.0.1:`port`, once GET /healthz answers 200; stopped with SIGTERM. */
export async function whenHealthy(child: ChildProcess, port: number, name: string): Promise<RunningServer> {
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => http.get(`${url}/healthz`, (r) => (r.resume(), resolve(r.statusCode === 200))).on("error", () => resolve(false)));
    if (ok) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`${name} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
