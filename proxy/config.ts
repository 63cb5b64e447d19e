import path from "node:path";
import { z } from "zod";
import { allowPrivateHosts, ConfigError, envSchema, withModeDefaults } from "@/lib/config/env";
import { generatedSecret } from "@/lib/config/data-dir";
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
 * - PROXY_PULL_LOG_DIR: where those are written (pull-events-<port>.json, mode 600) and read back
 *   at the next start: default <PORTCULLIS_DATA_DIR>/proxy in development,
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

/** Trimmed; empty (or only spaces) counts as unset. */
const trimmed = () => z.preprocess((v) => (typeof v === "string" ? v.trim() || undefined : v), z.string().optional());

/** An integer in [min, max], or unset. */
const optionalInteger = (min: number, max: number) =>
  trimmed()
    .refine((v) => v === undefined || (Number.isInteger(Number(v)) && Number(v) >= min && Number(v) <= max), `must be an integer from ${min} to ${max}`)
    .transform((v) => (v === undefined ? undefined : Number(v)));

/** An integer in [min, max]; unset gives `fallback`. */
const integer = (min: number, max: number, fallback: number) => optionalInteger(min, max).transform((v) => v ?? fallback);

/** Every variable the proxy reads, the portal's shared ones (lib/config/env.ts) included. */
const proxyEnvSchema = envSchema
  .extend({
    PORTAL_INTERNAL_URL: trimmed().refine((v) => v === undefined || URL.canParse(v), "must be a URL"),
    PROXY_BIND: trimmed(),
    BIND_ADDRESS: trimmed(),
    PROXY_TRUSTED_HOPS: integer(0, 10, 0),
    PROXY_LICENSE_CACHE_TTL_MS: integer(0, 60_000, DEFAULT_LICENSE_TTL_MS),
    PROXY_PULL_LOG_BUFFER: integer(100, 1_000_000, DEFAULT_PULL_LOG_BUFFER),
    PROXY_PULL_LOG_DIR: trimmed(),
    PROXY_DRAIN_DELAY_MS: integer(0, 600_000, DEFAULT_DRAIN_DELAY_MS),
    PROXY_DRAIN_TIMEOUT_MS: integer(0, 3_600_000, DEFAULT_DRAIN_TIMEOUT_MS),
    PROXY_MAX_LICENSE_FAILURES: integer(0, 1_000_000, DEFAULT_MAX_REFUSALS),
    PROXY_ACCESS_LOG: z.string().optional().transform((v) => v?.trim().toLowerCase() !== "false"),
    PROXY_CACHE: z.string().optional().transform((v) => v?.trim().toLowerCase() !== "false"),
    PROXY_CACHE_DIR: trimmed(),
    PROXY_CACHE_TAG_TTL_MS: integer(0, 3_600_000, DEFAULT_TAG_TTL_MS),
    PROXY_MAX_CONNECTIONS: integer(1, 1_000_000, DEFAULT_CONNECTION_LIMITS.maxConnections),
    /** Default: 256, or 0 (no per-address limit) behind trusted proxies. */
    PROXY_MAX_CONNECTIONS_PER_ADDRESS: optionalInteger(0, 1_000_000),
    PROXY_HEADERS_TIMEOUT_MS: integer(1_000, 120_000, DEFAULT_CONNECTION_LIMITS.headersTimeoutMs),
    PROXY_METRICS_PORT: optionalInteger(1, 65535),
    PROXY_METRICS_BIND: trimmed(),
    PROXY_METRICS_TOKEN: trimmed().refine(
      (v) => v === undefined || (v.length >= MIN_METRICS_TOKEN && !/\s/.test(v)),
      `must be at least ${MIN_METRICS_TOKEN} characters, without spaces`,
    ),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.PROXY_SERVICE_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["PROXY_SERVICE_TOKEN"], message: "is required when NODE_ENV=production" });
    }
  });

/**
 * `production`: started as the production proxy (`--production`), so NODE_ENV defaults to
 * production. Throws ConfigError with a one-line message naming the variable.
 */
export function loadProxyConfig(source: Record<string, string | undefined> = process.env, opts: { production?: boolean } = {}): ProxyConfig {
  const parsed = proxyEnvSchema.safeParse(withModeDefaults(opts.production ? { ...source, NODE_ENV: source.NODE_ENV ?? "production" } : source));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === "production";
  const headersTimeoutMs = env.PROXY_HEADERS_TIMEOUT_MS;
  const pullLogDir = path.resolve(env.PROXY_PULL_LOG_DIR ?? (production ? PRODUCTION_PULL_LOG_DIR : path.join(env.PORTCULLIS_DATA_DIR, "proxy")));
  return {
    port: env.PROXY_PORT,
    drain: { delayMs: env.PROXY_DRAIN_DELAY_MS, timeoutMs: env.PROXY_DRAIN_TIMEOUT_MS },
    bind: env.PROXY_BIND ?? env.BIND_ADDRESS ?? (production ? "0.0.0.0" : "127.0.0.1"),
    production,
    accessLog: env.PROXY_ACCESS_LOG,
    ...(env.PROXY_METRICS_PORT !== undefined && { metrics: { port: env.PROXY_METRICS_PORT, bind: env.PROXY_METRICS_BIND ?? "127.0.0.1" } }),
    options: {
      portalUrl: env.PORTAL_INTERNAL_URL ?? env.PORTAL_URL ?? `http://127.0.0.1:${env.PORT}`,
      serviceToken: env.PROXY_SERVICE_TOKEN ?? generatedSecret("proxy-service-token"),
      dockerHubRegistry: env.DOCKER_HUB_REGISTRY,
      allowPrivate: allowPrivateHosts(env),
      insecureRegistries: env.INSECURE_REGISTRIES,
      licenseTtlMs: env.PROXY_LICENSE_CACHE_TTL_MS,
      trustedProxyHops: env.PROXY_TRUSTED_HOPS,
      connections: {
        maxConnections: env.PROXY_MAX_CONNECTIONS,
        maxPerAddress: env.PROXY_MAX_CONNECTIONS_PER_ADDRESS ?? (env.PROXY_TRUSTED_HOPS > 0 ? 0 : DEFAULT_CONNECTION_LIMITS.maxPerAddress),
        headersTimeoutMs,
        requestTimeoutMs: Math.max(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs, headersTimeoutMs),
      },
      ...(env.PROXY_METRICS_TOKEN && { metricsAccess: { token: env.PROXY_METRICS_TOKEN } }),
      refusalLimit: { maxRefusals: env.PROXY_MAX_LICENSE_FAILURES },
      pullLog: { maxBuffered: env.PROXY_PULL_LOG_BUFFER, spoolFile: path.join(pullLogDir, spoolFileName(env.PROXY_PORT)) },
      cache: { enabled: env.PROXY_CACHE, tagTtlMs: env.PROXY_CACHE_TAG_TTL_MS, ...(env.PROXY_CACHE_DIR && { spoolDir: env.PROXY_CACHE_DIR }) },
    },
  };
}
