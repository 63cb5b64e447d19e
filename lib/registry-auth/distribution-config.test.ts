import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { afterEach, describe, expect, it } from "vitest";
import { distributionConfig, writeDistributionConfig } from "./distribution-config";
import { libtrustKeyId } from "./jwt";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function signingKey() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { privateKey, publicKey, kid: libtrustKeyId(publicKey), source: "test" };
}

describe("Distribution config", () => {
  it("points token auth at the portal and notifications at its events route", () => {
    const c = distributionConfig({ storageDir: "/srv/reg", addr: "127.0.0.1:5000", portalUrl: "https://portal.example/", eventsToken: "SECRET", bundlePath: "/etc/reg/bundle.pem" }) as any;
    expect(c.auth.token).toEqual({ realm: "https://portal.example/api/registry/token", service: "portcullis-registry", issuer: "portcullis", rootcertbundle: "/etc/reg/bundle.pem" });
    expect(c.http.addr).toBe("127.0.0.1:5000");
    expect(c.storage.filesystem.rootdirectory).toBe("/srv/reg");
    // Deleting an app deletes its manifests through the registry's API.
    expect(c.storage.delete).toEqual({ enabled: true });
    expect(c.notifications.events).toEqual({ includereferences: true });
    expect(c.notifications.endpoints[0]).toMatchObject({ url: "https://portal.example/api/registry/events", headers: { Authorization: ["Bearer SECRET"] } });
    // At info level Distribution logs the endpoint's headers, the secret included.
    expect(c.log.level).toBe("warn");
  });

  it("writes YAML (mode 0600) and a bundle whose certificate carries the signing key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-regcfg-"));
    dirs.push(dir);
    const key = signingKey();
    const written = writeDistributionConfig({ configPath: path.join(dir, "cfg", "config.yml"), storageDir: path.join(dir, "data"), addr: "127.0.0.1:5001", portalUrl: "http://127.0.0.1:3000", eventsUrl: "http://10.0.0.2:3000/api/registry/events", eventsToken: "T".repeat(32), key });
    expect(written.bundlePath).toBe(path.join(dir, "cfg", "token-bundle.pem"));
    expect(fs.statSync(written.configPath).mode & 0o777).toBe(0o600);
    const parsed = load(fs.readFileSync(written.configPath, "utf8")) as any;
    expect(parsed.auth.token.rootcertbundle).toBe(written.bundlePath);
    expect(parsed.notifications.endpoints[0].url).toBe("http://10.0.0.2:3000/api/registry/events");
    const cert = new crypto.X509Certificate(fs.readFileSync(written.bundlePath, "utf8"));
    expect(libtrustKeyId(cert.publicKey)).toBe(key.kid);
    expect(fs.existsSync(path.join(dir, "data"))).toBe(true);
  });
});
