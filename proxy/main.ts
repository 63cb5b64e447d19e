/**
 * The registry proxy's entry point: `npm run proxy` (development) and `npm run start:proxy`
 * (production, `--production`); `npm run dev` starts it beside the portal (scripts/serve.ts).
 * A standalone Node HTTP server — no Next.js, no database. See ./server.ts.
 */
import { ConfigError } from "../lib/config/env";
import { loadProxyConfig } from "./config";
import { createProxyServer } from "./server";

if (process.argv.includes("--production")) (process.env as Record<string, string>).NODE_ENV ??= "production";

let config;
try {
  config = loadProxyConfig(process.env);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const proxy = createProxyServer({
  ...config.options,
  ...(config.accessLog && { log: (entry) => process.stdout.write(JSON.stringify(entry) + "\n") }),
});

try {
  const { url } = await proxy.listen(config.port, config.bind);
  console.log(`[portcullis] proxy on ${url} (portal API ${config.options.portalUrl}, license cache ${config.options.licenseTtlMs} ms)`);
} catch (e) {
  console.error(`[portcullis] proxy could not listen on ${config.bind}:${config.port}: ${(e as Error).message}`);
  process.exit(1);
}

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[portcullis] proxy: ${signal}, finishing requests and flushing the pull log`);
  await proxy.close(10_000);
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
