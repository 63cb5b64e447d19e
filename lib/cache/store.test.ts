import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/lib/config/env";
import { cacheStoreUrl } from "./store";

describe("the proxy cache's store", () => {
  it("is CACHE_REGISTRY_URL, else the hosted registry the portal reaches, else none", () => {
    const hosted = { REGISTRY_URL: "https://registry.example.com", REGISTRY_INTERNAL_URL: "http://registry.internal:5000" };
    expect(cacheStoreUrl(parseEnv({ ...hosted, CACHE_REGISTRY_URL: "http://cache.internal:5000/" }))).toBe("http://cache.internal:5000");
    expect(cacheStoreUrl(parseEnv(hosted))).toBe("http://registry.internal:5000");
    expect(cacheStoreUrl(parseEnv({ REGISTRY_URL: "https://registry.example.com" }))).toBe("https://registry.example.com");
    expect(cacheStoreUrl(parseEnv({ CACHE_REGISTRY_URL: "" }))).toBeUndefined();
  });

  it("refuses a CACHE_REGISTRY_URL that is not a URL, naming it", () => {
    expect(() => parseEnv({ CACHE_REGISTRY_URL: "registry.internal" })).toThrow(ConfigError);
    expect(() => parseEnv({ CACHE_REGISTRY_URL: "registry.internal" })).toThrow(/CACHE_REGISTRY_URL/);
  });
});
