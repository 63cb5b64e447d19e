import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { restoreTestEnv, stubTestEnv } from "@/test/support/test-env";
import { libtrustKeyId } from "@/lib/registry-auth/jwt";
import { main } from "@/cli/main";

let dir: string;
const run = async (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["registry", "config", ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
};
const stub = stubTestEnv;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-cli-registry-"));
  stub({
    PORTCULLIS_DATA_DIR: path.join(dir, "data-dir"),
    LOCAL_KMS_KEYS: `k1:${crypto.randomBytes(32).toString("base64")}`,
    KMS_PROVIDER: "",
    LOCAL_KMS_KEY_FILE: "",
    LOCAL_KMS_ACTIVE_KEY: "",
    REGISTRY_TOKEN_KEY_FILE: "",
    REGISTRY_EVENTS_TOKEN: "",
    PORTAL_URL: "",
    PORT: "",
    REGISTRY_PORT: "",
    NODE_ENV: "test",
  });
});
afterEach(() => {
  restoreTestEnv();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("portcullis registry config", () => {
  it("writes the config into the storage directory by default, with development key and secret", async () => {
    const storage = path.join(dir, "images");
    const r = await run("--storage", storage);
    expect(r.code, r.err).toBe(0);
    const config = load(fs.readFileSync(path.join(storage, "config.yml"), "utf8")) as any;
    expect(config.http.addr).toBe("127.0.0.1:5000");
    expect(config.storage.filesystem.rootdirectory).toBe(storage);
    expect(config.auth.token.realm).toBe("http://127.0.0.1:3000/api/registry/token");
    const secret = fs.readFileSync(path.join(dir, "data-dir", "registry-events-token"), "utf8").trim();
    expect(config.notifications.endpoints[0].headers.Authorization).toEqual([`Bearer ${secret}`]);
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(storage, "token-bundle.pem")));
    expect(r.out).toContain(`token signing key ${libtrustKeyId(cert.publicKey)}`);
    expect(r.out).toContain(`env -i /usr/bin/docker-registry serve ${path.join(storage, "config.yml")}`);
  });

  it("production: the key file and events secret from the environment; without them a one-line error", async () => {
    stub({ NODE_ENV: "production", AUTH_SECRET: "a".repeat(32) });
    let r = await run("--storage", path.join(dir, "s"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^portcullis registry config: REGISTRY_EVENTS_TOKEN is not set/);

    stub({ REGISTRY_EVENTS_TOKEN: "e".repeat(32) });
    r = await run("--storage", path.join(dir, "s"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/REGISTRY_TOKEN_KEY_FILE is not set/);

    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const keyFile = path.join(dir, "token.key");
    fs.writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    stub({ REGISTRY_TOKEN_KEY_FILE: keyFile, PORTAL_URL: "https://portal.example.com" });
    const out = path.join(dir, "etc", "registry.yml");
    r = await run("--storage", path.join(dir, "s"), "--out", out, "--addr", ":5000", "--events-url", "http://portal.internal:3000/api/registry/events");
    expect(r.code, r.err).toBe(0);
    const config = load(fs.readFileSync(out, "utf8")) as any;
    expect(config.auth.token.realm).toBe("https://portal.example.com/api/registry/token");
    // Deleting an app deletes its manifests through the registry's API.
    expect(config.storage.delete).toEqual({ enabled: true });
    expect(r.out).toContain("deletes: enabled");
    expect(config.notifications.endpoints[0]).toMatchObject({ url: "http://portal.internal:3000/api/registry/events", headers: { Authorization: [`Bearer ${"e".repeat(32)}`] } });
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(dir, "etc", "token-bundle.pem")));
    expect(libtrustKeyId(cert.publicKey)).toBe(libtrustKeyId(publicKey));
    expect(fs.existsSync(path.join(dir, "data-dir", "registry-token-key.json"))).toBe(false);
  });

  it("bad usage exits 2", async () => {
    expect((await run()).code).toBe(2);
    expect((await run("--storage", dir, "--addr", "nope")).code).toBe(2);
    expect((await run("--storage", dir, "--portal-url", "ftp://x")).code).toBe(2);
    expect((await run("--storage", dir, "--what")).code).toBe(2);
  });
});
