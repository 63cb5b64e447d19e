/**
 * The registry proxy's entry point: `npm run proxy` (development) and `npm run start:proxy`
 * (production, `--production`); `npm run dev` starts it beside the portal (scripts/serve.ts).
 * A standalone Node HTTP server — no Next.js, no database. See ./server.ts.
 *
 * SIGTERM or SIGINT stops it gracefully (a rolling restart loses no request): /readyz answers 503
 * at once, PROXY_DRAIN_DELAY_MS later it stops accepting, the requests in flight get up to
 * PROXY_DRAIN_TIMEOUT_MS to finish, then the pull log is flushed — what the portal can't take is
 * written to PROXY_PULL_LOG_DIR and delivered by the next start — and it exits 0.
 */
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "@/lib/config/env-fields";
import { createLogger } from "@/lib/log/logger";
import { accessLogLines } from "./access-log";
import { loadProxyConfig, type ProxyConfig } from "./config";
import { missingNodeFlags } from "./node-flags";
import { waitForPortal } from "./readiness";
import { createProxyServer } from "./server";

let config: ProxyConfig;
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

const pullLogFile = config.options.pullLog?.spoolFile;
const pullLogDir = pullLogFile && path.dirname(pullLogFile);
// One write per turn of the event loop, the rest written at exit (process.exit included).
const accessLog = config.accessLog ? accessLogLines((text) => process.stdout.write(text)) : undefined;
if (accessLog) process.on("exit", accessLog.flush);
const proxy = createProxyServer({
  ...config.options,
  pullLog: {
    ...config.options.pullLog,
    onRestored: (n) => log.info(`proxy: ${n} pull-log event(s) a stopped proxy could not deliver read back from ${pullLogDir}`),
    onSpooled: (n) => log.warn(`proxy: ${n} pull-log event(s) the portal did not take written to ${pullLogDir}; the next proxy to start there (or one running there) delivers them`),
    onRejected: (n, e) => log.error(`proxy: the portal refused a pull-log batch of ${n} event(s) (${(e as Error).message}); dropped, later batches go on (is the portal older than this proxy? upgrade the portal first)`),
    onSpoolError: (e) => log.error(`proxy: the pull-log files in ${pullLogDir}: ${(e as Error).message} (set PROXY_PULL_LOG_DIR to a writable directory)`),
  },
  ...(accessLog && { log: accessLog.log }),
});

try {
  const { url } = await proxy.listen(config.port, config.bind);
  log.info(`proxy on ${url} (portal API ${config.options.portalUrl}, license cache ${config.options.licenseTtlMs} ms)`);
  const storeDir = config.options.cache?.storeDir;
  if (storeDir) {
    log.info(`proxy: the cache store's copies are read off its disk in ${storeDir}`);
    // Distribution's filesystem driver keeps everything under docker/registry/v2 of its root, from
    // its first write on: an empty root is a fresh store; anything else without it, a wrong root.
    if (!fs.existsSync(path.join(storeDir, "docker", "registry", "v2"))) {
      const empty = fs.readdirSync(storeDir).length === 0;
      const said = `proxy: PROXY_CACHE_STORE_DIR ${storeDir} holds no Distribution storage (docker/registry/v2)${empty ? " yet" : ""}: until it does, copies are read through the store's API`;
      if (empty) log.info(said);
      else log.warn(`${said}. Set it to the store's storage root (its filesystem driver's rootdirectory)`);
    }
  }
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
  // started beside the proxy may still be starting (Next compiles a development route on its first
  // request): waitForPortal asks quietly until it answers, and warns only after the patience.
  void waitForPortal({ ping: () => proxy.portal.ping(), portalUrl: config.options.portalUrl, log, patienceMs: config.production ? 30_000 : 120_000 });
  // The pull log's file is written at stop, when it is too late to fix the directory: check it now.
  if (pullLogDir) {
    const dir = pullLogDir;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (e) {
      log.warn(`proxy: PROXY_PULL_LOG_DIR ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pull events undelivered at stop would be lost`);
    }
  }
  const missing = missingNodeFlags();
  if (missing.length > 0) log.warn(`proxy: started without node ${missing.join(" ")}; blob streaming costs more CPU or memory (see proxy/node-flags.ts)`);
} catch (e) {
  log.error(`proxy could not listen on ${config.bind}:${config.port}: ${(e as Error).message}`);
  process.exit(1);
}

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  const { delayMs, timeoutMs } = config.drain;
  log.info(`proxy: ${signal}, draining: not ready now, no new connections in ${delayMs} ms, requests in flight get ${timeoutMs} ms more`);
  const finished = await proxy.close({ delayMs, timeoutMs });
  if (!finished) log.warn(`proxy: requests still in flight after ${timeoutMs} ms were cut`);
  log.info("proxy: stopped");
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
