import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { binary } from "./binaries";
import { cleanEnv, freePort, run } from "./process";

/**
 * A real CNCF Distribution (`docker-registry serve CONFIG`) on 127.0.0.1 for tests: its own temp
 * directory, config and port; a clean environment (no REGISTRY_* leaking in as config); bcrypt
 * htpasswd users (passwords of at most 256 characters); ready when it answers GET /v2/.
 */

export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate(s) of the token signing key(s), or a path to such a file. */
  rootCertBundle: string;
}

export interface DistributionOptions {
  auth?: "none" | "htpasswd" | { token: TokenAuthConfig };
  /** htpasswd users (user → password); required for auth "htpasswd". */
  users?: Record<string, string>;
  /** Extra top-level config sections merged in (proxy, notifications, …). */
  config?: Record<string, unknown>;
  /** Reuse a storage directory (e.g. to restart a registry with its content); not deleted on stop. */
  storageDir?: string;
  logLevel?: "error" | "warn" | "info" | "debug";
  readyTimeoutMs?: number;
  /** Listen on this port (a server started earlier was told it) instead of a free one. */
  port?: number;
  /**
   * Writes the whole config file itself (e.g. with `portcullis registry config`) for the chosen
   * port and returns its path; `auth`, `users` and `config` are then ignored.
   */
  configure?: (ctx: { port: number; dir: string; storageDir: string }) => Promise<string>;
}

export interface Distribution {
  port: number;
  /** "127.0.0.1:PORT" — what image references and skopeo use. */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  dir: string;
  storageDir: string;
  /** The registry's log so far (bounded), for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const LOG_LIMIT = 256 * 1024;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export async function startDistribution(opts: DistributionOptions = {}): Promise<Distribution> {
  const exe = binary("docker-registry");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "portcullis-registry-"));
  const storageDir = opts.storageDir ?? path.join(dir, "data");
  await fs.mkdir(storageDir, { recursive: true });
  const auth = opts.configure ? undefined : await authSection(opts, dir);

  // The free port may be taken between our probe and the registry's bind: retry a few times.
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = opts.port ?? (await freePort());
    const config = {
      version: 0.1,
      log: { level: opts.logLevel ?? "info", accesslog: { disabled: true }, formatter: "text" },
      storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
      http: { addr: `127.0.0.1:${port}`, secret: crypto.randomBytes(16).toString("hex") },
      ...(auth && { auth }),
      ...opts.config,
    };
    // JSON is YAML: Distribution's YAML parser reads it as is.
    let configPath = path.join(dir, "config.yml");
    if (opts.configure) configPath = await opts.configure({ port, dir, storageDir });
    else await fs.writeFile(configPath, JSON.stringify(config, null, 2));
    try {
      return await launch(exe, configPath, port, dir, storageDir, opts);
    } catch (e) {
      lastError = e;
      if (opts.port !== undefined || !/address already in use/i.test(String((e as Error).message))) break;
    }
  }
  await fs.rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function authSection(opts: DistributionOptions, dir: string): Promise<Record<string, unknown> | undefined> {
  const auth = opts.auth ?? (opts.users ? "htpasswd" : "none");
  if (auth === "none") return undefined;
  if (auth === "htpasswd") {
    const users = opts.users ?? {};
    if (Object.keys(users).length === 0) throw new Error("startDistribution: auth htpasswd needs at least one user");
    const htpasswd = binary("htpasswd");
    const lines: string[] = [];
    for (const [user, password] of Object.entries(users)) {
      // bcrypt is the only hash Distribution accepts; cost 4 keeps each authenticated request fast.
      lines.push((await run(htpasswd, ["-nbB", "-C", "4", user, password], { env: cleanEnv(dir) })).stdout.trim());
    }
    const file = path.join(dir, "htpasswd");
    await fs.writeFile(file, lines.join("\n") + "\n", { mode: 0o600 });
    return { htpasswd: { realm: "portcullis-test-registry", path: file } };
  }
  const t = auth.token;
  let bundle = t.rootCertBundle;
  if (bundle.includes("-----BEGIN")) {
    bundle = path.join(dir, "token-bundle.pem");
    await fs.writeFile(bundle, t.rootCertBundle);
  }
  return { token: { realm: t.realm, service: t.service, issuer: t.issuer, rootcertbundle: bundle } };
}

async function launch(exe: string, configPath: string, port: number, dir: string, storageDir: string, opts: DistributionOptions): Promise<Distribution> {
  const child = spawn(exe, ["serve", configPath], { env: cleanEnv(dir), stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  installExitHook();
  let log = "";
  const append = (d: Buffer) => {
    log += d.toString();
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => (running.delete(child), resolve(code))));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await fs.rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
  let dead = false;
  void exited.then(() => (dead = true));
  while (!(await answers(port))) {
    if (dead) {
      await stop();
      throw new Error(`docker-registry exited before it was ready:\n${log.slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on 127.0.0.1:${port} within ${opts.readyTimeoutMs ?? 15_000} ms:\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    dir,
    storageDir,
    logs: () => log,
    stop,
  };
}

/** Any HTTP answer to GET /v2/ (200 open, 401 with auth) means it is serving. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/v2/", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 401);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => (req.destroy(), resolve(false)));
  });
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed test must not leave registries running: kill what is left when this process exits.
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}
