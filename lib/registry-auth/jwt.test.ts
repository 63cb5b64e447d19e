import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeJwt, libtrustKeyId, signJwt, verifyJwt } from "./jwt";

const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });

/** An independent base32 (RFC 4648) over BigInt, to check the bit-shifting one. */
function base32BigInt(bytes: Buffer): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let n = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  for (let i = 0; i < (bytes.length * 8) / 5; i++) {
    out = alphabet[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

describe("libtrustKeyId", () => {
  it("is 12 groups of 4 base32 characters of the SPKI's SHA-256 (first 240 bits)", () => {
    const kid = libtrustKeyId(publicKey);
    expect(kid).toMatch(/^(?:[A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    const hash = crypto.createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest().subarray(0, 30);
    expect(kid.replaceAll(":", "")).toBe(base32BigInt(hash));
  });

  it("is the key's, not a JWK thumbprint, and the same from the private key's public half", () => {
    expect(libtrustKeyId(crypto.createPublicKey(privateKey))).toBe(libtrustKeyId(publicKey));
    const thumbprint = crypto.createHash("sha256").update(JSON.stringify({ crv: "P-256", kty: "EC", x: publicKey.export({ format: "jwk" }).x, y: publicKey.export({ format: "jwk" }).y })).digest("base64url");
    expect(libtrustKeyId(publicKey)).not.toBe(thumbprint);
    const other = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey;
    expect(libtrustKeyId(other)).not.toBe(libtrustKeyId(publicKey));
  });
});

describe("signJwt", () => {
  const claims = { iss: "portcullis", sub: "token:x", aud: "portcullis-registry", exp: 2, nbf: 1, iat: 1, jti: "j", access: [] };

  it("writes ES256 with kid, and a raw 64-byte r‖s signature (not DER)", () => {
    const token = signJwt(claims, privateKey, "KID");
    const decoded = decodeJwt(token)!;
    expect(decoded.header).toEqual({ typ: "JWT", alg: "ES256", kid: "KID" });
    expect(decoded.claims).toEqual(claims);
    expect(typeof decoded.claims.aud).toBe("string");
    expect(decoded.signature).toHaveLength(64);
    const signed = Buffer.from(token.slice(0, token.lastIndexOf(".")));
    expect(crypto.verify("sha256", signed, { key: publicKey, dsaEncoding: "ieee-p1363" }, decoded.signature)).toBe(true);
    expect(verifyJwt(token, publicKey)?.claims).toEqual(claims);
  });

  it("verifyJwt refuses a changed payload or another key", () => {
    const token = signJwt(claims, privateKey, "KID");
    const [h, , s] = token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url")}.${s}`;
    expect(verifyJwt(forged, publicKey)).toBeNull();
    expect(verifyJwt(token, crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey)).toBeNull();
    expect(decodeJwt("not.a.jwt")).toBeNull();
  });

  it("refuses keys that are not P-256", () => {
    const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const p384 = crypto.generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey;
    expect(() => signJwt(claims, rsa, "K")).toThrow(/P-256/);
    expect(() => signJwt(claims, p384, "K")).toThrow(/P-256/);
  });
});
