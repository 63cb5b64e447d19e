import { ConfigError, envSchema } from "../lib/config/env";
import { generatedSecret } from "../lib/config/data-dir";
import { DEFAULT_LICENSE_TTL_MS } from "./license-cache";
import { DEFAULT_PULL_LOG_BUFFER } from "./pull-log";
import { DEFAULT_MAX_REFUSALS } from "./refusal-limit";
import { DEFAULT_CONNECTION_LIMITS, type ProxyOptions } from "./server";

/**
 * The proxy's configuration from the environment. The documented variables it reads
 * (docs/contracts.md, "Configuration"): PROXY_PORT, PROXY_SERVICE_TOKEN (required in production;
 * in development the value generated into the data directory, which the launcher also hands to
 * the portal), PORTAL_URL, DOCKER_HUB_REGISTRY, ALLOW_PRIVATE_REGISTRY_HOSTS, INSECURE_REGISTRIES. Proxy-only knobs, all optional:
 *
 * - PORTAL_INTERNAL_URL: where the internal API is reached when it is not PORTAL_URL (the
 *   launcher sets http://127.0.0.1:$PORT);
 * - PROXY_BIND: listen address, else BIND_ADDRESS (the portal's), else 0.0.0.0 in production
 *   and 127.0.0.1 otherwise;
 * - PROXY_LICENSE_CACHE_TTL_MS: lookup cache TTL = revocation bound, default 5000, at most 60000;
 * - PROXY_PULL_LOG_BUFFER: pull-log events kept during a portal outage, default 10000;
 * - PROXY_ACCESS_LOG: "false" turns the per-request log line off;
 * - PROXY_MAX_CONNECTIONS (default 1024), PROXY_MAX_CONNECTIONS_PER_ADDRESS (default 256; 0 =
 *   none, the default when PROXY_TRUSTED_HOPS > 0), PROXY_HEADERS_TIMEOUT_MS (default 10000);
 * - PROXY_METRICS_PORT, PROXY_METRICS_BIND (default 127.0.0.1): a listener of its own for
 *   /metrics; PROXY_METRICS_TOKEN: a bearer token /metrics asks for, and with which the public
 *   port serves it too. Neither set: no metrics are served (proxy/metrics-endpoint.ts).
 *
 * No database, KMS or AUTH_SECRET: the proxy gets everything from the portal.
 */
export interface ProxyConfig {
  port: number;
  bind: string;
  production: boolean;
  accessLog: boolean;
  /** The separate /metrics listener, when PROXY_METRICS_PORT is set. */
  metrics?: { port: number; bind: string };
  options: ProxyOptions;
}

const MIN_METRICS_TOKEN = 16;

const int = (name: string, value: string | undefined, fallback: number, min: number, max: number): number => {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`Invalid configuration: ${name} must be an integer from ${min} to ${max}`);
  return n;
};

export function loadProxyConfig(source: Record<string, string | undefined> = process.env): ProxyConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === "production";
  let token = env.PROXY_SERVICE_TOKEN;
  if (!token) {
    if (production) throw new ConfigError("Invalid configuration: PROXY_SERVICE_TOKEN is required when NODE_ENV=production");
    token = generatedSecret("proxy-service-token");
  }
  const portalUrl = source.PORTAL_INTERNAL_URL?.trim() || env.PORTAL_URL || `http://127.0.0.1:${env.PORT}`;
  try {
    new URL(portalUrl);
  } catch {
    throw new ConfigError("Invalid configuration: PORTAL_INTERNAL_URL must be a URL");
  }
  const trustedProxyHops = int("PROXY_TRUSTED_HOPS", source.PROXY_TRUSTED_HOPS, 0, 0, 10);
  const metricsToken = source.PROXY_METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && (metricsToken.length < MIN_METRICS_TOKEN || /\s/.test(metricsToken))) {
    throw new ConfigError(`Invalid configuration: PROXY_METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN} characters, without spaces`);
  }
  const metricsPort = source.PROXY_METRICS_PORT?.trim() ? int("PROXY_METRICS_PORT", source.PROXY_METRICS_PORT, 0, 1, 65535) : undefined;
  const headersTimeoutMs = int("PROXY_HEADERS_TIMEOUT_MS", source.PROXY_HEADERS_TIMEOUT_MS, DEFAULT_CONNECTION_LIMITS.headersTimeoutMs, 1_000, 120_000);
  return {
    port: env.PROXY_PORT,
    bind: source.PROXY_BIND?.trim() || source.BIND_ADDRESS?.trim() || (production ? "0.0.0.0" : "127.0.0.1"),
    production,
    accessLog: source.PROXY_ACCESS_LOG?.trim().toLowerCase() !== "false",
    ...(metricsPort !== undefined && { metrics: { port: metricsPort, bind: source.PROXY_METRICS_BIND?.trim() || "127.0.0.1" } }),
    options: {
      portalUrl,
      serviceToken: token,
      dockerHubRegistry: env.DOCKER_HUB_REGISTRY,
      allowPrivate: env.ALLOW_PRIVATE_REGISTRY_HOSTS,
      insecureRegistries: env.INSECURE_REGISTRIES,
      licenseTtlMs: int("PROXY_LICENSE_CACHE_TTL_MS", source.PROXY_LICENSE_CACHE_TTL_MS, DEFAULT_LICENSE_TTL_MS, 0, 60_000),
      trustedProxyHops,
      connections: {
        maxConnections: int("PROXY_MAX_CONNECTIONS", source.PROXY_MAX_CONNECTIONS, DEFAULT_CONNECTION_LIMITS.maxConnections, 1, 1_000_000),
        maxPerAddress: int("PROXY_MAX_CONNECTIONS_PER_ADDRESS", source.PROXY_MAX_CONNECTIONS_PER_ADDRESS, trustedProxyHops > 0 ? 0 : DEFAULT_CONNECTION_LIMITS.maxPerAddress, 0, 1_000_000),
        headersTimeoutMs,
        requestTimeoutMs: Math.max(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs, headersTimeoutMs),
      },
      ...(metricsToken && { metricsAccess: { token: metricsToken } }),
      refusalLimit: { maxRefusals: int("PROXY_MAX_LICENSE_FAILURES", source.PROXY_MAX_LICENSE_FAILURES, DEFAULT_MAX_REFUSALS, 0, 1_000_000) },
      pullLog: { maxBuffered: int("PROXY_PULL_LOG_BUFFER", source.PROXY_PULL_LOG_BUFFER, DEFAULT_PULL_LOG_BUFFER, 100, 1_000_000) },
    },
  };
}
