import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { findBinary, freePort, requireBinaries } from "@/test/support/registry";
import { rawRequest } from "@/test/support/proxy";

/**
 * A real HAProxy (Debian's /usr/sbin/haproxy) in front of several proxies on 127.0.0.1, set up as
 * an operator would for rolling restarts: round robin, a health check on /readyz every 250 ms (two
 * failures take a proxy out — half a second, well within PROXY_DRAIN_DELAY_MS —, one success
 * brings it back; a check may take up to 5 s), a failed connection or an empty answer
 * retried up to 3 times on another proxy (`option redispatch`), X-Forwarded-For added
 * (PROXY_TRUSTED_HOPS=1 behind it). Started in the foreground; stopped with the test.
 */
export interface Haproxy {
  port: number;
  url: string;
  /** `127.0.0.1:<port>`: the registry host in image references. */
  host: string;
  config: string;
  output(): string;
  stop(): Promise<void>;
}

const haproxyBinary = () => findBinary("haproxy") ?? findBinary("/usr/sbin/haproxy");

/** True when HAProxy is installed; under CI=true a missing one is a failure (as requireBinaries). */
export function requireHaproxy(): boolean {
  return haproxyBinary() !== undefined || requireBinaries("haproxy");
}

export function haproxyConfig(port: number, backends: readonly number[]): string {
  return [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  option forwardfor",
    "  timeout connect 2s",
    "  timeout client 600s",
    "  timeout server 600s",
    "  timeout http-request 30s",
    "  timeout check 5s",
    "  retries 3",
    "  option redispatch 1",
    "  retry-on conn-failure empty-response",
    "frontend registry",
    `  bind 127.0.0.1:${port}`,
    "  default_backend proxies",
    "backend proxies",
    "  balance roundrobin",
    "  option httpchk GET /readyz",
    "  http-check expect status 200",
    "  default-server inter 250ms fall 2 rise 1",
    ...backends.map((p, i) => `  server proxy${i + 1} 127.0.0.1:${p} check`),
    "",
  ].join("\n");
}

export async function startHaproxy(backends: readonly number[]): Promise<Haproxy> {
  const exe = haproxyBinary();
  if (!exe) throw new Error("Missing system dependency: haproxy (apt-get install -y haproxy)");
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "portcullis-haproxy-"));
  const port = await freePort();
  const config = haproxyConfig(port, backends);
  const file = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(file, config);
  const child: ChildProcess = spawn(exe, ["-db", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  let listening = false;
  for (let i = 0; i < 100 && !listening && child.exitCode === null; i++) {
    listening = await rawRequest(`${url}/healthz`).then(
      () => true,
      () => false,
    );
    if (!listening) await new Promise((r) => setTimeout(r, 50));
  }
  if (!listening) {
    child.kill("SIGKILL");
    throw new Error(`haproxy did not start: ${out}`);
  }
  return {
    port,
    url,
    host: `127.0.0.1:${port}`,
    config,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
