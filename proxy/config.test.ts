import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/config/env";
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

  it("names the variable that is wrong, in one line", () => {
    for (const [name, value] of [
      ["PROXY_MAX_LICENSE_FAILURES", "-1"],
      ["PROXY_MAX_LICENSE_FAILURES", "many"],
      ["PROXY_LICENSE_CACHE_TTL_MS", "600000"],
      ["PROXY_TRUSTED_HOPS", "11"],
      ["INSECURE_REGISTRIES", "https://mirror.example"],
    ]) {
      expect(() => loadProxyConfig({ ...base, [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadProxyConfig({ ...base, [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
    }
  });
});
