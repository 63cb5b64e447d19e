import { describe, expect, it } from "vitest";
import { ConfigError, allowPrivateHosts, assertEmbeddedDatabaseAllowed, parseEnv } from "./env";

describe("parseEnv", () => {
  it("applies the documented defaults (docs/contracts.md, \"Configuration\")", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "development",
      PORTCULLIS_DATA_DIR: "./.data",
      KMS_PROVIDER: "local",
      DOCKER_HUB_REGISTRY: "registry-1.docker.io",
      ALLOW_PRIVATE_HOSTS: true,
      PORT: 3000,
      PROXY_PORT: 5050,
      REGISTRY_PORT: 5000,
      PORTAL_TRUSTED_HOPS: 0,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("refuses production without AUTH_SECRET with a one-line message naming it", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(ConfigError);
    try {
      parseEnv({ NODE_ENV: "production", AUTH_SECRET: "" });
    } catch (e) {
      expect((e as Error).message).toBe("Invalid configuration: AUTH_SECRET is required when NODE_ENV=production");
      expect((e as Error).message).not.toContain("\n");
    }
  });

  it("names the variable that is malformed", () => {
    expect(() => parseEnv({ PORT: "http" })).toThrow(/PORT/);
    expect(() => parseEnv({ KMS_PROVIDER: "rot13" })).toThrow(/KMS_PROVIDER/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL must be a postgresql:\/\/ URL/);
    expect(() => parseEnv({ ALLOW_PRIVATE_REGISTRY_HOSTS: "yes" })).toThrow(/ALLOW_PRIVATE_REGISTRY_HOSTS/);
    expect(() => parseEnv({ PORTAL_TRUSTED_HOPS: "11" })).toThrow(/PORTAL_TRUSTED_HOPS/);
    expect(parseEnv({ PORTAL_TRUSTED_HOPS: "2" }).PORTAL_TRUSTED_HOPS).toBe(2);
  });

  it("reads INSECURE_REGISTRIES as a list of host[:port]", () => {
    expect(parseEnv({}).INSECURE_REGISTRIES).toEqual([]);
    expect(parseEnv({ INSECURE_REGISTRIES: " Registry.Internal.example:5000, mirror.example ," }).INSECURE_REGISTRIES).toEqual(["registry.internal.example:5000", "mirror.example"]);
    expect(() => parseEnv({ INSECURE_REGISTRIES: "http://registry.example" })).toThrow(/INSECURE_REGISTRIES must list host\[:port\] entries/);
    expect(() => parseEnv({ INSECURE_REGISTRIES: "registry.example/path" })).toThrow(/INSECURE_REGISTRIES/);
    expect(() => parseEnv({ INSECURE_REGISTRIES: "registry.example:99999" })).toThrow(/INSECURE_REGISTRIES has a port above 65535/);
  });

  it("allows registries on private addresses by default in development only", () => {
    expect(allowPrivateHosts(parseEnv({}))).toBe(true);
    expect(allowPrivateHosts(parseEnv({ ALLOW_PRIVATE_REGISTRY_HOSTS: "false" }))).toBe(false);
    expect(allowPrivateHosts(parseEnv({ ALLOW_PRIVATE_HOSTS: "false" }))).toBe(false);
    expect(allowPrivateHosts(parseEnv({ NODE_ENV: "test" }))).toBe(false);
    expect(allowPrivateHosts(parseEnv({ NODE_ENV: "production", AUTH_SECRET: "a".repeat(32) }))).toBe(false);
  });

  it("treats empty strings as unset and parses booleans", () => {
    expect(parseEnv({ PORT: "", ALLOW_PRIVATE_REGISTRY_HOSTS: "true" })).toMatchObject({ PORT: 3000, ALLOW_PRIVATE_REGISTRY_HOSTS: true });
  });

  it("ALLOW_PRIVATE_HOSTS wins; unset, its older name ALLOW_PRIVATE_REGISTRY_HOSTS decides", () => {
    const test = { NODE_ENV: "test" };
    expect(allowPrivateHosts(parseEnv(test))).toBe(false);
    expect(allowPrivateHosts(parseEnv({ ...test, ALLOW_PRIVATE_REGISTRY_HOSTS: "true" }))).toBe(true);
    expect(allowPrivateHosts(parseEnv({ ...test, ALLOW_PRIVATE_HOSTS: "true" }))).toBe(true);
    expect(allowPrivateHosts(parseEnv({ ...test, ALLOW_PRIVATE_HOSTS: "false", ALLOW_PRIVATE_REGISTRY_HOSTS: "true" }))).toBe(false);
    expect(() => parseEnv({ ALLOW_PRIVATE_HOSTS: "yes" })).toThrow(/ALLOW_PRIVATE_HOSTS/);
  });

  it("PORTAL_DRAIN_DELAY_MS: 5000 in production and tests, 0 in development, unless set; a whole number of ms", () => {
    const production = { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) };
    expect(parseEnv(production).PORTAL_DRAIN_DELAY_MS).toBe(5000);
    expect(parseEnv({ NODE_ENV: "test" }).PORTAL_DRAIN_DELAY_MS).toBe(5000);
    expect(parseEnv({}).PORTAL_DRAIN_DELAY_MS).toBe(0);
    expect(parseEnv({ PORTAL_DRAIN_DELAY_MS: "2500" }).PORTAL_DRAIN_DELAY_MS).toBe(2500);
    expect(parseEnv({ ...production, PORTAL_DRAIN_DELAY_MS: "0" }).PORTAL_DRAIN_DELAY_MS).toBe(0);
    expect(parseEnv({ ...production, PORTAL_DRAIN_DELAY_MS: " " }).PORTAL_DRAIN_DELAY_MS).toBe(5000);
    // The other development default still applies beside it.
    expect(parseEnv({ PORTAL_DRAIN_DELAY_MS: "100" }).ALLOW_PRIVATE_HOSTS).toBe(true);
    for (const bad of ["soon", "-1", "1.5", "600001"]) expect(() => parseEnv({ ...production, PORTAL_DRAIN_DELAY_MS: bad })).toThrow(/^Invalid configuration: PORTAL_DRAIN_DELAY_MS /);
  });

  it("reads DNS_RESOLVER as host:port", () => {
    expect(parseEnv({}).DNS_RESOLVER).toBeUndefined();
    expect(parseEnv({ DNS_RESOLVER: "127.0.0.1:5353" }).DNS_RESOLVER).toBe("127.0.0.1:5353");
    expect(parseEnv({ DNS_RESOLVER: "[::1]:53" }).DNS_RESOLVER).toBe("[::1]:53");
    expect(() => parseEnv({ DNS_RESOLVER: "dns://1.1.1.1" })).toThrow(/DNS_RESOLVER must be host:port/);
  });

  it("refuses the embedded database in production unless opted in, in one line naming both variables", () => {
    const production = { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) };
    expect(() => assertEmbeddedDatabaseAllowed(parseEnv(production))).toThrow(
      "Invalid configuration: DATABASE_URL is required when NODE_ENV=production (or set PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION=true to use the embedded database)",
    );
    expect(() => assertEmbeddedDatabaseAllowed(parseEnv({ ...production, PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION: "true" }))).not.toThrow();
    expect(() => assertEmbeddedDatabaseAllowed(parseEnv({ ...production, DATABASE_URL: "postgresql://db/x" }))).not.toThrow();
    expect(() => assertEmbeddedDatabaseAllowed(parseEnv({}))).not.toThrow();
  });
});
