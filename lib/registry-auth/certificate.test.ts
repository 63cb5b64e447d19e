import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { selfSignedCertificate } from "./certificate";

describe("selfSignedCertificate", () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });

  it("is a valid self-signed X.509 certificate carrying the key", () => {
    const pem = selfSignedCertificate(privateKey, { commonName: "token signer" });
    const cert = new crypto.X509Certificate(pem);
    expect(cert.subject).toBe("CN=token signer");
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.publicKey.export({ type: "spki", format: "der" }).equals(publicKey.export({ type: "spki", format: "der" }))).toBe(true);
    expect(cert.verify(publicKey)).toBe(true);
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
    expect(BigInt(`0x${cert.serialNumber}`) > 0n).toBe(true);
  });

  it("covers the validity asked for, with GeneralizedTime past 2049", () => {
    const notBefore = new Date("2040-06-01T00:00:00Z");
    const cert = new crypto.X509Certificate(selfSignedCertificate(privateKey, { notBefore, validDays: 3650 }));
    expect(new Date(cert.validFrom).toISOString()).toBe("2040-06-01T00:00:00.000Z");
    expect(new Date(cert.validTo).toISOString()).toBe("2050-05-30T00:00:00.000Z");
    const now = new crypto.X509Certificate(selfSignedCertificate(privateKey));
    expect(new Date(now.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(now.validTo).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 86400_000);
  });

  it("refuses keys that are not P-256", () => {
    expect(() => selfSignedCertificate(crypto.generateKeyPairSync("ed25519").privateKey)).toThrow(/P-256/);
  });
});
