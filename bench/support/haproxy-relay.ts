import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@/test/support/registry";
import { whenHealthy, type RunningServer } from "./node-servers";

/**
 * A relay written in C, as a floor under every Node variant: HAProxy (one thread) doing the bare
 * relay's job — `/v2/proxy/app/up/<image>/…` → `/v2/<image>/…` on the upstream with fixed Basic
 * credentials, keep-alive connections reused on both sides. What it costs over direct is what any
 * relay in front of the upstream costs on this machine: one more hop through the kernel and one
 * more process for the scheduler. Not part of the product; the bench skips it where HAProxy isn't
 * installed.
 */
export function haproxyInstalled(): boolean {
  return ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"].some((p) => fs.existsSync(p));
}

export async function startHaproxyRelay(upstreamUrl: string, creds: string): Promise<RunningServer> {
  const upstream = new URL(upstreamUrl);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-haproxy-"));
  const config = path.join(dir, "haproxy.cfg");
  const authorization = `Basic ${Buffer.from(creds).toString("base64")}`;
  fs.writeFileSync(
    config,
    [
      "global",
      "  nbthread 1",
      "  maxconn 2000",
      "defaults",
      "  mode http",
      "  option http-keep-alive",
      "  http-reuse always",
      "  timeout connect 5s",
      "  timeout client 60s",
      "  timeout server 60s",
      "frontend relay",
      `  bind 127.0.0.1:${port}`,
      '  http-request return status 200 content-type application/json string "{}" if { path /healthz } || { path /v2/ }',
      "  http-request replace-path ^/v2/proxy/app/up/(.*) /v2/\\1",
      `  http-request set-header Authorization "${authorization}"`,
      "  default_backend upstream",
      "backend upstream",
      `  server upstream ${upstream.hostname}:${upstream.port}`,
      "",
    ].join("\n"),
  );
  const child = spawn("haproxy", ["-db", "-f", config], { stdio: ["ignore", "ignore", "inherit"] });
  const server = await whenHealthy(child, port, "haproxy");
  return { ...server, stop: () => server.stop().then(() => fs.rmSync(dir, { recursive: true, force: true })) };
}
