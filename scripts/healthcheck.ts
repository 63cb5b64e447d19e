/**
 * The container image's HEALTHCHECK (dist/healthcheck.mjs): asks whichever server the container
 * runs — found from the command line of its first process — whether it answers. Portal: its
 * front server's /healthz (scripts/portal-server.ts: it listens once Next is prepared); proxy: /healthz; hosted registry: Distribution's /v2/ (401 without a token is an
 * answer). One-shot commands (migrate, portcullis) are healthy while they run. Exit 0 healthy,
 * 1 not.
 */
import fs from "node:fs";

type Probe = { port: string; path: string; ok: (status: number) => boolean };

function probeFor(cmdline: string): Probe | undefined {
  if (cmdline.includes("proxy.mjs")) return { port: process.env.PROXY_PORT || "5050", path: "/healthz", ok: (s) => s === 200 };
  if (cmdline.includes("start.mjs") || cmdline.includes("portal-server.mjs")) return { port: process.env.PORT || "3000", path: "/healthz", ok: (s) => s === 200 };
  if (cmdline.includes("docker-registry")) return { port: process.env.REGISTRY_PORT || "5000", path: "/v2/", ok: (s) => s === 200 || s === 401 };
  return undefined;
}

function host(): string {
  const bind = process.env.BIND_ADDRESS;
  if (!bind || bind === "0.0.0.0" || bind === "::") return "127.0.0.1";
  return bind.includes(":") ? `[${bind}]` : bind;
}

const cmdline = fs.readFileSync("/proc/1/cmdline", "utf8").split("\0").join(" ");
const probe = probeFor(cmdline);
if (!probe) process.exit(0);
const url = `http://${host()}:${probe.port}${probe.path}`;
try {
  const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(4000) });
  if (probe.ok(res.status)) process.exit(0);
  console.error(`${url}: ${res.status}`);
} catch (e) {
  console.error(`${url}: ${(e as Error).message}`);
}
process.exit(1);
