import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { load } from "js-yaml";
import { canonicalJson, keyIdOf, signLicense, verifyLicenseFile, type LicenseClaims } from "./license-file";

const claims: LicenseClaims = {
  licenseId: "abcdefghijklmnopqrstuvwxyz0",
  licenseType: "paid",
  appSlug: "acme",
  appName: "Acme: \"Analytics\" ünïcode",
  customerId: "c1",
  customerName: "Globex #1 — yes",
  customerEmail: null,
  vendorTeamId: "t1",
  vendorName: "Vendor",
  licenseRef: "l1",
  issuedAt: "2025-01-01T00:00:00.000Z",
  expiresAt: "2099-01-01T00:00:00.000Z",
  proxyUrl: null,
  registryUrl: "https://registry.example.test",
};

function keyPair() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
  return { privateKey, keyId: keyIdOf(publicKey), pem: publicKey.export({ format: "pem", type: "spki" }).toString() };
}

describe("license files", () => {
  it("canonical JSON sorts keys at every level and drops nothing else", () => {
    expect(canonicalJson({ b: 1, a: { d: null, c: "x" }, e: [{ z: 1, y: 2 }] })).toBe('{"a":{"c":"x","d":null},"b":1,"e":[{"y":2,"z":1}]}');
  });

  it("signs a YAML file that verifies offline with the public key and round-trips the claims", () => {
    const k = keyPair();
    const yaml = signLicense(claims, k);
    expect(yaml).toMatch(/^# Portcullis license/);
    const doc = load(yaml) as { spec: LicenseClaims; signature: { keyId: string } };
    expect(doc.spec).toEqual(claims);
    expect(doc.signature.keyId).toBe(k.keyId);
    const v = verifyLicenseFile(yaml, k.pem);
    expect(v).toMatchObject({ ok: true, keyId: k.keyId, expired: false, claims });
  });

  it("refuses a changed term, another key and garbage", () => {
    const k = keyPair();
    const yaml = signLicense(claims, k);
    expect(verifyLicenseFile(yaml.replace("licenseType: paid", "licenseType: dev"), k.pem)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyLicenseFile(yaml.replace("2099-01-01", "2199-01-01"), k.pem)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyLicenseFile(yaml, keyPair().pem)).toEqual({ ok: false, reason: "wrong_key" });
    expect(verifyLicenseFile("not: [valid", k.pem)).toEqual({ ok: false, reason: "malformed" });
    expect(verifyLicenseFile("kind: License", k.pem)).toEqual({ ok: false, reason: "malformed" });
  });

  it("reports an expired license as valid but expired", () => {
    const k = keyPair();
    const yaml = signLicense({ ...claims, expiresAt: "2001-01-01T00:00:00.000Z" }, k);
    expect(verifyLicenseFile(yaml, k.pem)).toMatchObject({ ok: true, expired: true });
  });

  it("verifies with jq and openssl alone, as the file's comment documents", () => {
    const k = keyPair();
    const yaml = signLicense(claims, k);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "license-"));
    try {
      const doc = load(yaml) as { apiVersion: string; kind: string; spec: unknown; signature: { value: string } };
      // What `yq -jcS '{apiVersion, kind, spec}'` does: YAML → JSON, then jq sorts keys and compacts.
      fs.writeFileSync(path.join(dir, "doc.json"), JSON.stringify({ spec: doc.spec, kind: doc.kind, apiVersion: doc.apiVersion }, null, 2));
      fs.writeFileSync(path.join(dir, "payload.json"), execFileSync("jq", ["-jcS", ".", path.join(dir, "doc.json")]));
      fs.writeFileSync(path.join(dir, "sig.bin"), Buffer.from(doc.signature.value, "base64"));
      fs.writeFileSync(path.join(dir, "key.pem"), k.pem);
      const verify = (payload: string) =>
        execFileSync("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", payload, "-sigfile", "sig.bin"], { cwd: dir }).toString();
      expect(verify("payload.json")).toMatch(/Signature Verified Successfully/);
      fs.writeFileSync(path.join(dir, "tampered.json"), fs.readFileSync(path.join(dir, "payload.json"), "utf8").replace('"paid"', '"dev"'));
      expect(() => verify("tampered.json")).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
