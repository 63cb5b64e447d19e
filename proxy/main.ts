/**
 * The registry proxy's entry point: `npm run proxy` (development) and `npm run start:proxy`
 * (production, `--production`); `npm run dev` starts it beside the portal (scripts/serve.ts).
 * A standalone Node HTTP server — no Next.js, no database. See ./server.ts.
 */
import { ConfigError } from "@/lib/config/env";
import { createLogger } from "@/lib/log/logger";
import { loadProxyConfig } from "./config";
import { missingNodeFlags } from "./node-flags";
import { createProxyServer } from "./server";

const PING_ATTEMPTS = 15;
const PING_INTERVAL_MS = 2000;

let config;
try {
  // The environment is read by config.ts alone; `--production` makes production the default.
  config = loadProxyConfig(undefined, { production: process.argv.includes("--production") });
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(e.message + "\n");
    process.exit(1);
  }
  throw e;
}

// The redacting logger of the portal and the CLI: JSON lines in production, readable lines otherwise.
const log = createLogger({ format: config.production ? "json" : "pretty" });

const proxy = createProxyServer({
  ...config.options,
  ...(config.accessLog && { log: (entry) => process.stdout.write(JSON.stringify(entry) + "\n") }),
});

try {
  const { url } = await proxy.listen(config.port, config.bind);
  log.info(`proxy on ${url} (portal API ${config.options.portalUrl}, license cache ${config.options.licenseTtlMs} ms)`);
  if (config.metrics) {
    const { port, bind } = config.metrics;
    const metrics = await proxy.listenMetrics(port, bind).catch((e: Error) => {
      log.error(`proxy: the metrics listener could not listen on ${bind}:${port}: ${e.message}`);
      process.exit(1);
    });
    log.info(`proxy: metrics on ${metrics.url}/metrics${config.options.metricsAccess ? " (bearer token required)" : ""}`);
  }
  if (config.options.metricsAccess) log.info("proxy: /metrics also on the public port, for requests with PROXY_METRICS_TOKEN as a bearer token");
  else if (!config.metrics) log.info("proxy: metrics not served (set PROXY_METRICS_PORT for a listener of their own, or PROXY_METRICS_TOKEN)");
  // Ask the portal now: the operator learns at start-up whether PORTAL_INTERNAL_URL and the
  // service token are right, and the first customer's pull doesn't pay for loading fetch. A portal
  // started beside the proxy (npm run dev, a pod) may still be starting: ask for up to 30 s
  // before warning.
  void (async () => {
    for (let attempt = 0; attempt < PING_ATTEMPTS; attempt++) {
      if (await proxy.portal.ping()) return log.info("proxy: the portal's internal API answers");
      await new Promise((resolve) => setTimeout(resolve, PING_INTERVAL_MS).unref());
    }
    log.warn(
      `proxy: the portal's internal API at ${config.options.portalUrl} still does not answer after ${(PING_ATTEMPTS * PING_INTERVAL_MS) / 1000} s (or refuses PROXY_SERVICE_TOKEN); pulls fail with 503 until it does`,
    );
  })();
  const missing = missingNodeFlags();
  if (missing.length > 0) log.warn(`proxy: started without node ${missing.join(" ")}; blob streaming costs up to 2x the CPU (see proxy/node-flags.ts)`);
} catch (e) {
  log.error(`proxy could not listen on ${config.bind}:${config.port}: ${(e as Error).message}`);
  process.exit(1);
}

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info(`proxy: ${signal}, finishing requests and flushing the pull log`);
  await proxy.close(10_000);
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
