import fs from "node:fs";
import path from "node:path";
import {
  allowPrivateHosts,
  ConfigError,
  readBoolean,
  readChoice,
  readInsecureRegistries,
  readInteger,
  readSecret,
  readString,
  readUrl,
  withModeDefaults,
  type EnvSource,
} from "@/lib/config/env-fields";
import { generatedSecretIn } from "@/lib/config/generated-secret";
import { DEFAULT_LICENSE_TTL_MS } from "./license-cache";
import { DEFAULT_PULL_LOG_BUFFER } from "./pull-log";
import { spoolFileName } from "./pull-log-spool";
import { DEFAULT_MAX_REFUSALS } from "./refusal-limit";
import { DEFAULT_CONNECTION_LIMITS, DEFAULT_TAG_TTL_MS, type ProxyOptions } from "./server";

/**
 * The proxy's configuration from the environment — the one place in proxy/ that reads it. The
 * documented variables it reads (docs/contracts.md, "Configuration"): PROXY_PORT,
 * PROXY_SERVICE_TOKEN (required in production; in development the value generated into the data
 * directory, which the launcher also hands to the portal), PORTAL_URL, DOCKER_HUB_REGISTRY,
 * ALLOW_PRIVATE_HOSTS (or its older name ALLOW_PRIVATE_REGISTRY_HOSTS), INSECURE_REGISTRIES. Proxy-only knobs, all optional:
 *
 * - PORTAL_INTERNAL_URL: where the internal API is reached when it is not PORTAL_URL (the
 *   launcher sets http://127.0.0.1:$PORT);
 * - PROXY_BIND: listen address, else BIND_ADDRESS (the portal's), else 0.0.0.0 in production
 *   and 127.0.0.1 otherwise;
 * - PROXY_LICENSE_CACHE_TTL_MS: lookup cache TTL = revocation bound, default 5000, at most 60000;
 * - PROXY_PULL_LOG_BUFFER: pull-log events kept during a portal outage, default 10000, and at
 *   most that many written to disk when the proxy stops before delivering them;
 * - PROXY_PULL_LOG_DIR: where those are written (a file per stopped process, mode 600) and
 *   delivered by any proxy that shares the directory (proxy/pull-log-spool.ts): default <PORTCULLIS_DATA_DIR>/proxy in development,
 *   /var/lib/portcullis/proxy in production;
 * - PROXY_DRAIN_DELAY_MS (default 5000): on SIGTERM/SIGINT, how long /readyz answers 503 before
 *   the proxy stops accepting (a load balancer's time to take it out);
 * - PROXY_DRAIN_TIMEOUT_MS (default 30000): how long requests in flight then have to finish;
 * - PROXY_ACCESS_LOG: "false" turns the per-request log line off;
 * - PROXY_MAX_CONNECTIONS (default 1024), PROXY_MAX_CONNECTIONS_PER_ADDRESS (default 256; 0 =
 *   none, the default when PROXY_TRUSTED_HOPS > 0), PROXY_HEADERS_TIMEOUT_MS (default 10000);
 * - PROXY_METRICS_PORT, PROXY_METRICS_BIND (default 127.0.0.1): a listener of its own for
 *   /metrics; PROXY_METRICS_TOKEN: a bearer token /metrics asks for, and with which the public
 *   port serves it too. Neither set: no metrics are served (proxy/metrics-endpoint.ts).
 * - PROXY_CACHE: "false" relays everything uncached, whatever the registries' settings;
 * - PROXY_CACHE_DIR: where blobs on their way from an upstream are spooled (default
 *   <tmpdir>/portcullis-proxy-cache; each file is removed once the blob is in the store);
 * - PROXY_CACHE_STORE_DIR: the cache store's filesystem root (its Distribution's
 *   storage.filesystem.rootdirectory), when this proxy can read it: whole copies are read off the
 *   disk instead of through the store's HTTP API; must be a readable directory;
 * - PROXY_CACHE_TAG_TTL_MS: how long a tag the upstream confirmed is believed before the next
 *   manifest HEAD, default 30000, at most 3600000 (docs/proxy-cache.md).
 *
 * No database, KMS or AUTH_SECRET: the proxy gets everything from the portal.
 */
export interface ProxyConfig {
  port: number;
  /** The graceful stop (ProxyServer.close). */
  drain: { delayMs: number; timeoutMs: number };
  bind: string;
  production: boolean;
  accessLog: boolean;
  /** The separate /metrics listener, when PROXY_METRICS_PORT is set. */
  metrics?: { port: number; bind: string };
  options: ProxyOptions;
}

const MIN_METRICS_TOKEN = 16;
export const DEFAULT_DRAIN_DELAY_MS = 5_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** PROXY_PULL_LOG_DIR in production. */
export const PRODUCTION_PULL_LOG_DIR = "/var/lib/portcullis/proxy";

/** "false" (any case, spaces around) turns it off; anything else, or unset, leaves it on. */
const onUnlessFalse = (source: EnvSource, name: string) => source[name]?.trim().toLowerCase() !== "false";

/** PORTAL_INTERNAL_URL, PORTAL_URL and PORT, in that order: where the portal's internal API is. */
function portalUrl(env: EnvSource): string {
  const internal = readUrl(env, "PORTAL_INTERNAL_URL");
  const external = readUrl(env, "PORTAL_URL");
  return internal ?? external ?? `http://127.0.0.1:${readInteger(env, "PORT", 0, 65535, 3000)}`;
}

function metricsToken(env: EnvSource): string | undefined {
  const token = readString(env, "PROXY_METRICS_TOKEN");
  if (token !== undefined && (token.length < MIN_METRICS_TOKEN || /\s/.test(token))) {
    throw new ConfigError(`Invalid configuration: PROXY_METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN} characters, without spaces`);
  }
  return token;
}

/**
 * `production`: started as the production proxy (`--production`), so NODE_ENV defaults to
 * production. Throws ConfigError with a one-line message naming the variable.
 */
export function loadProxyConfig(source: EnvSource = process.env, opts: { production?: boolean } = {}): ProxyConfig {
  const env = withModeDefaults(opts.production ? { ...source, NODE_ENV: source.NODE_ENV ?? "production" } : source);
  const production = readChoice(env, "NODE_ENV", ["development", "production", "test"], "development") === "production";
  const port = readInteger(env, "PROXY_PORT", 0, 65535, 5050);
  const dataDir = path.resolve(readString(env, "PORTCULLIS_DATA_DIR") ?? "./.data");
  const serviceToken = readSecret(env, "PROXY_SERVICE_TOKEN", 24);
  if (production && !serviceToken) throw new ConfigError("Invalid configuration: PROXY_SERVICE_TOKEN is required when NODE_ENV=production");
  const trustedProxyHops = readInteger(env, "PROXY_TRUSTED_HOPS", 0, 10, 0);
  const headersTimeoutMs = readInteger(env, "PROXY_HEADERS_TIMEOUT_MS", 1_000, 120_000, DEFAULT_CONNECTION_LIMITS.headersTimeoutMs);
  const pullLogDir = path.resolve(readString(env, "PROXY_PULL_LOG_DIR") ?? (production ? PRODUCTION_PULL_LOG_DIR : path.join(dataDir, "proxy")));
  const metricsPort = readInteger(env, "PROXY_METRICS_PORT", 1, 65535);
  const token = metricsToken(env);
  const cacheDir = readString(env, "PROXY_CACHE_DIR");
  const storeDir = readString(env, "PROXY_CACHE_STORE_DIR");
  if (storeDir !== undefined && !isReadableDirectory(storeDir)) throw new ConfigError(`Invalid configuration: PROXY_CACHE_STORE_DIR: ${storeDir} is not a directory this proxy can read`);
  return {
    port,
    drain: { delayMs: readInteger(env, "PROXY_DRAIN_DELAY_MS", 0, 600_000, DEFAULT_DRAIN_DELAY_MS), timeoutMs: readInteger(env, "PROXY_DRAIN_TIMEOUT_MS", 0, 3_600_000, DEFAULT_DRAIN_TIMEOUT_MS) },
    bind: readString(env, "PROXY_BIND") ?? readString(env, "BIND_ADDRESS") ?? (production ? "0.0.0.0" : "127.0.0.1"),
    production,
    accessLog: onUnlessFalse(env, "PROXY_ACCESS_LOG"),
    ...(metricsPort !== undefined && { metrics: { port: metricsPort, bind: readString(env, "PROXY_METRICS_BIND") ?? "127.0.0.1" } }),
    options: {
      portalUrl: portalUrl(env),
      serviceToken: serviceToken ?? generatedSecretIn(dataDir, "proxy-service-token"),
      dockerHubRegistry: readString(env, "DOCKER_HUB_REGISTRY") ?? "registry-1.docker.io",
      allowPrivate: allowPrivateHosts({ ALLOW_PRIVATE_HOSTS: readBoolean(env, "ALLOW_PRIVATE_HOSTS"), ALLOW_PRIVATE_REGISTRY_HOSTS: readBoolean(env, "ALLOW_PRIVATE_REGISTRY_HOSTS") ?? false }),
      insecureRegistries: readInsecureRegistries(env),
      licenseTtlMs: readInteger(env, "PROXY_LICENSE_CACHE_TTL_MS", 0, 60_000, DEFAULT_LICENSE_TTL_MS),
      trustedProxyHops,
      connections: {
        maxConnections: readInteger(env, "PROXY_MAX_CONNECTIONS", 1, 1_000_000, DEFAULT_CONNECTION_LIMITS.maxConnections),
        // Default: 256, or 0 (no per-address limit) behind trusted proxies.
        maxPerAddress: readInteger(env, "PROXY_MAX_CONNECTIONS_PER_ADDRESS", 0, 1_000_000) ?? (trustedProxyHops > 0 ? 0 : DEFAULT_CONNECTION_LIMITS.maxPerAddress),
        headersTimeoutMs,
        requestTimeoutMs: Math.max(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs, headersTimeoutMs),
      },
      ...(token && { metricsAccess: { token } }),
      refusalLimit: { maxRefusals: readInteger(env, "PROXY_MAX_LICENSE_FAILURES", 0, 1_000_000, DEFAULT_MAX_REFUSALS) },
      pullLog: { maxBuffered: readInteger(env, "PROXY_PULL_LOG_BUFFER", 100, 1_000_000, DEFAULT_PULL_LOG_BUFFER), spoolFile: path.join(pullLogDir, spoolFileName(port)) },
      cache: { enabled: onUnlessFalse(env, "PROXY_CACHE"), tagTtlMs: readInteger(env, "PROXY_CACHE_TAG_TTL_MS", 0, 3_600_000, DEFAULT_TAG_TTL_MS), ...(cacheDir && { spoolDir: cacheDir }), ...(storeDir && { storeDir: path.resolve(storeDir) }) },
    },
  };
}

/** Whether `dir` is a directory this process can list and read (PROXY_CACHE_STORE_DIR's check at start). */
function isReadableDirectory(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
