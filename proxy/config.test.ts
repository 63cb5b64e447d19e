import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/config/env-fields";
import { loadProxyConfig } from "./config";

const base = { NODE_ENV: "production", PROXY_SERVICE_TOKEN: "t".repeat(32), PORTAL_INTERNAL_URL: "http://portal.internal:3000" };

describe("loadProxyConfig", () => {
  it("reads the proxy's knobs, with their defaults", () => {
    const c = loadProxyConfig(base);
    expect(c).toMatchObject({ port: 5050, bind: "0.0.0.0", production: true, accessLog: true });
    expect(c.options).toMatchObject({ portalUrl: "http://portal.internal:3000", licenseTtlMs: 5000, insecureRegistries: [], refusalLimit: { maxRefusals: 30 }, trustedProxyHops: 0 });

    const tuned = loadProxyConfig({ ...base, PROXY_MAX_LICENSE_FAILURES: "0", INSECURE_REGISTRIES: "mirror.example:5000", PROXY_ACCESS_LOG: "false", PROXY_BIND: "127.0.0.1", PROXY_TRUSTED_HOPS: "1" });
    expect(tuned).toMatchObject({ bind: "127.0.0.1", accessLog: false });
    expect(tuned.options).toMatchObject({ insecureRegistries: ["mirror.example:5000"], refusalLimit: { maxRefusals: 0 }, trustedProxyHops: 1 });
  });

  it("bounds connections and slow clients; per-address limits only when the socket's peer is the client", () => {
    expect(loadProxyConfig(base).options.connections).toEqual({ maxConnections: 1024, maxPerAddress: 256, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(loadProxyConfig({ ...base, PROXY_TRUSTED_HOPS: "1" }).options.connections?.maxPerAddress).toBe(0);
    const tuned = loadProxyConfig({ ...base, PROXY_MAX_CONNECTIONS: "50", PROXY_MAX_CONNECTIONS_PER_ADDRESS: "5", PROXY_HEADERS_TIMEOUT_MS: "60000" });
    expect(tuned.options.connections).toEqual({ maxConnections: 50, maxPerAddress: 5, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 });
  });

  it("serves metrics nowhere by default; on a listener of its own and/or with a token when configured", () => {
    const none = loadProxyConfig(base);
    expect(none.metrics).toBeUndefined();
    expect(none.options.metricsAccess).toBeUndefined();
    const own = loadProxyConfig({ ...base, PROXY_METRICS_PORT: "9464" });
    expect(own.metrics).toEqual({ port: 9464, bind: "127.0.0.1" });
    const token = loadProxyConfig({ ...base, PROXY_METRICS_TOKEN: "m".repeat(20), PROXY_METRICS_BIND: "10.0.0.5", PROXY_METRICS_PORT: "9464" });
    expect(token.options.metricsAccess).toEqual({ token: "m".repeat(20) });
    expect(token.metrics).toEqual({ port: 9464, bind: "10.0.0.5" });
  });

  it("drains for 5 s then 30 s by default; keeps undelivered pull events in a documented directory, per port", () => {
    const c = loadProxyConfig(base);
    expect(c.drain).toEqual({ delayMs: 5_000, timeoutMs: 30_000 });
    expect(c.options.pullLog?.spoolFile).toBe("/var/lib/portcullis/proxy/pull-events-5050.json");
    const dev = loadProxyConfig({ NODE_ENV: "development", PROXY_SERVICE_TOKEN: "t".repeat(32), PORTCULLIS_DATA_DIR: "/srv/data", PROXY_PORT: "6000" });
    expect(dev.options.pullLog?.spoolFile).toBe("/srv/data/proxy/pull-events-6000.json");
    const tuned = loadProxyConfig({ ...base, PROXY_DRAIN_DELAY_MS: "0", PROXY_DRAIN_TIMEOUT_MS: "120000", PROXY_PULL_LOG_DIR: "/data/pull-log", PROXY_PULL_LOG_BUFFER: "500" });
    expect(tuned.drain).toEqual({ delayMs: 0, timeoutMs: 120_000 });
    expect(tuned.options.pullLog).toEqual({ maxBuffered: 500, spoolFile: "/data/pull-log/pull-events-5050.json" });
    expect(() => loadProxyConfig({ ...base, PROXY_DRAIN_DELAY_MS: "soon" })).toThrow("Invalid configuration: PROXY_DRAIN_DELAY_MS must be an integer from 0 to 600000");
  });

  it("reads the cache store's copies off its disk only when given a directory it can read", () => {
    expect(loadProxyConfig(base).options.cache?.storeDir).toBeUndefined();
    expect(loadProxyConfig({ ...base, PROXY_CACHE_STORE_DIR: os.tmpdir() }).options.cache?.storeDir).toBe(os.tmpdir());
    const missing = path.join(os.tmpdir(), `no-store-${process.pid}`);
    expect(() => loadProxyConfig({ ...base, PROXY_CACHE_STORE_DIR: missing })).toThrow(`Invalid configuration: PROXY_CACHE_STORE_DIR: ${missing} is not a directory this proxy can read`);
    const file = path.join(os.tmpdir(), `store-file-${process.pid}`);
    fs.writeFileSync(file, "");
    try {
      expect(() => loadProxyConfig({ ...base, PROXY_CACHE_STORE_DIR: file })).toThrow(`PROXY_CACHE_STORE_DIR: ${file} is not a directory`);
    } finally {
      fs.rmSync(file);
    }
  });

  it("names the variable that is wrong, in one line", () => {
    const cases: Array<[string, string]> = [
      ["PROXY_MAX_LICENSE_FAILURES", "-1"],
      ["PROXY_MAX_LICENSE_FAILURES", "many"],
      ["PROXY_LICENSE_CACHE_TTL_MS", "600000"],
      ["PROXY_TRUSTED_HOPS", "11"],
      ["INSECURE_REGISTRIES", "https://mirror.example"],
      ["PROXY_MAX_CONNECTIONS", "0"],
      ["PROXY_MAX_CONNECTIONS_PER_ADDRESS", "-1"],
      ["PROXY_HEADERS_TIMEOUT_MS", "100"],
      ["PROXY_METRICS_PORT", "70000"],
      ["PROXY_METRICS_TOKEN", "short"],
    ];
    for (const [name, value] of cases) {
      expect(() => loadProxyConfig({ ...base, [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadProxyConfig({ ...base, [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
    }
  });

  it("--production makes production the default: bind 0.0.0.0, and the service token is required", () => {
    const { NODE_ENV: _unset, ...rest } = base;
    expect(loadProxyConfig(rest, { production: true })).toMatchObject({ production: true, bind: "0.0.0.0" });
    const { PROXY_SERVICE_TOKEN: _none, ...noToken } = rest;
    expect(() => loadProxyConfig(noToken, { production: true })).toThrow(/^Invalid configuration: PROXY_SERVICE_TOKEN is required when NODE_ENV=production$/);
    expect(loadProxyConfig({ ...rest, NODE_ENV: "development", PORTCULLIS_DATA_DIR: "/tmp/portcullis-proxy-config-test" }, { production: true }).production).toBe(false);
  });

  it("empty values count as unset", () => {
    const c = loadProxyConfig({ ...base, PROXY_LICENSE_CACHE_TTL_MS: " ", PROXY_METRICS_PORT: "", PROXY_METRICS_TOKEN: "  ", PROXY_BIND: "", PORTAL_INTERNAL_URL: "" , PORTAL_URL: "https://portal.example" });
    expect(c).toMatchObject({ bind: "0.0.0.0", options: { licenseTtlMs: 5000, portalUrl: "https://portal.example" } });
    expect(c.metrics).toBeUndefined();
    expect(c.options.metricsAccess).toBeUndefined();
  });
});
