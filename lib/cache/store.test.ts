import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/lib/config/env";
import type { RegistrySigningKey } from "@/lib/registry-auth/signing-key";
import { CACHE_TOKEN_REUSE_MS, CACHE_TOKEN_TTL_SECONDS, cacheStoreUrl, proxyCacheToken } from "./store";

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

  it("signs one store token per signing key and repository and reuses it for a few minutes, then signs a fresh one", async () => {
    const keyOf = (kid: string): RegistrySigningKey => ({ ...crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }), kid, source: "test" });
    const [k1, k2] = [keyOf(`k1-${crypto.randomUUID()}`), keyOf(`k2-${crypto.randomUUID()}`)];
    const at = (ms: number) => new Date(Date.UTC(2026, 11, 5, 10) + ms);
    const sign = (repository: string, key: RegistrySigningKey, ms: number) => proxyCacheToken(repository, { signingKey: async () => key, now: at(ms) });
    const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));

    const first = await sign("portcullis-cache/r1/org/app", k1, 0);
    expect(first.expiresAt).toEqual(at(CACHE_TOKEN_TTL_SECONDS * 1000));
    expect(claims(first.token).access).toEqual([{ type: "repository", name: "portcullis-cache/r1/org/app", actions: ["pull", "push", "delete"] }]);
    expect(await sign("portcullis-cache/r1/org/app", k1, CACHE_TOKEN_REUSE_MS - 1)).toEqual(first);
    // Another repository, another key: tokens of their own.
    const other = await sign("portcullis-cache/r1/org/other", k1, 1000);
    expect(claims(other.token).access[0].name).toBe("portcullis-cache/r1/org/other");
    const rotated = await sign("portcullis-cache/r1/org/app", k2, 1000);
    expect(rotated.token).not.toBe(first.token);
    expect(JSON.parse(Buffer.from(rotated.token.split(".")[0]!, "base64url").toString("utf8")).kid).toBe(k2.kid);
    // Once it is CACHE_TOKEN_REUSE_MS old, a fresh one that lives its whole TTL again.
    const fresh = await sign("portcullis-cache/r1/org/app", k1, CACHE_TOKEN_REUSE_MS);
    expect(fresh.token).not.toBe(first.token);
    expect(fresh.expiresAt).toEqual(at(CACHE_TOKEN_REUSE_MS + CACHE_TOKEN_TTL_SECONDS * 1000));
  });
});
