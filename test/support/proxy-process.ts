import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import type { AccessLogEntry } from "@/proxy/server";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";

/**
 * The real proxy (proxy/main.ts, run by node with tsx) in a process of its own, configured by the
 * environment as an operator would: for tests that signal it, restart it or put it behind a load
 * balancer. Its access log (JSON lines on stdout) is kept.
 */
const root = path.resolve(import.meta.dirname, "../..");

export interface ProxyProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything it wrote, stdout and stderr. */
  output(): string;
  /** Its access-log lines so far. */
  accessLog(): AccessLogEntry[];
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ProxyProcessOptions {
  port: number;
  portalUrl: string;
  serviceToken: string;
  dataDir: string;
  env?: Record<string, string>;
  /**
   * Wait (up to 15 s) for its change stream to the portal to be open before returning, so that
   * the stream's first `ready` — which drops every cached lookup — can't land between the test's
   * first requests. Default true; a portal that can't be reached just ends the wait.
   */
  waitForChangeStream?: boolean;
}

export async function startProxyProcess(opts: ProxyProcessOptions): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [...PROXY_NODE_FLAGS, "--import", "tsx", path.join(root, "proxy", "main.ts")], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: os.tmpdir(),
      NODE_ENV: "development",
      PROXY_PORT: String(opts.port),
      PROXY_SERVICE_TOKEN: opts.serviceToken,
      PORTAL_INTERNAL_URL: opts.portalUrl,
      PORTCULLIS_DATA_DIR: opts.dataDir,
      ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
      ...opts.env,
    } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  for (let waited = 0; !out.includes("[portcullis] proxy on ") && child.exitCode === null && waited < 60_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  if (child.exitCode !== null || !out.includes("[portcullis] proxy on ")) {
    child.kill("SIGKILL");
    throw new Error(`the proxy did not start: ${out}`);
  }
  if (opts.waitForChangeStream !== false) {
    for (let waited = 0; waited < 15_000; waited += 50) {
      const text = await fetch(`http://127.0.0.1:${opts.port}/readyz`).then((r) => r.text(), () => "");
      if (text.includes("change stream: connected")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    child,
    port: opts.port,
    url: `http://127.0.0.1:${opts.port}`,
    output: () => out,
    accessLog: () =>
      out
        .slice(0, out.lastIndexOf("\n") + 1)
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as AccessLogEntry),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
