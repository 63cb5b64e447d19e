import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, matchingStep, otpauthUri, stepAt, totp } from "./totp";

// RFC 6238 appendix B: the seeds are these ASCII strings, the codes 8 digits.
const seeds = {
  sha1: Buffer.from("12345678901234567890"),
  sha256: Buffer.from("12345678901234567890123456789012"),
  sha512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234"),
} as const;
const vectors: Array<[number, { sha1: string; sha256: string; sha512: string }]> = [
  [59, { sha1: "94287082", sha256: "46119246", sha512: "90693936" }],
  [1111111109, { sha1: "07081804", sha256: "68084774", sha512: "25091201" }],
  [1111111111, { sha1: "14050471", sha256: "67062674", sha512: "99943326" }],
  [1234567890, { sha1: "89005924", sha256: "91819424", sha512: "93441116" }],
  [2000000000, { sha1: "69279037", sha256: "90698825", sha512: "38618901" }],
  [20000000000, { sha1: "65353130", sha256: "77737706", sha512: "47863826" }],
];

describe("TOTP (RFC 6238)", () => {
  it("matches every test vector of the RFC, for SHA-1, SHA-256 and SHA-512", () => {
    for (const [seconds, codes] of vectors) {
      for (const algorithm of ["sha1", "sha256", "sha512"] as const) {
        expect(totp(seeds[algorithm], seconds * 1000, { digits: 8, algorithm }), `${algorithm} at ${seconds}`).toBe(codes[algorithm]);
      }
    }
  });

  it("matches RFC 4226's HOTP values (6 digits)", () => {
    const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
    expected.forEach((code, counter) => expect(hotp(seeds.sha1, BigInt(counter))).toBe(code));
  });

  it("accepts the current code and one step either side, nothing further, and says which step", () => {
    const secret = seeds.sha1;
    const now = 1_700_000_015_000;
    const step = stepAt(now);
    expect(matchingStep(secret, totp(secret, now), now)).toBe(step);
    expect(matchingStep(secret, totp(secret, now - 30_000), now)).toBe(step - 1n);
    expect(matchingStep(secret, totp(secret, now + 30_000), now)).toBe(step + 1n);
    expect(matchingStep(secret, totp(secret, now - 60_000), now)).toBeNull();
    expect(matchingStep(secret, totp(secret, now + 60_000), now)).toBeNull();
    expect(matchingStep(secret, "12345", now)).toBeNull();
    expect(matchingStep(secret, "abcdef", now)).toBeNull();
  });

  it("encodes secrets in RFC 4648 base32 and builds the otpauth URI", () => {
    expect(base32Encode(Buffer.from("foobar"))).toBe("MZXW6YTBOI");
    expect(base32Decode("MZXW6YTBOI").toString()).toBe("foobar");
    expect(base32Decode("mzxw 6ytb oi======").toString()).toBe("foobar");
    const uri = new URL(otpauthUri(seeds.sha1, "ann@example.test"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Portcullis:ann@example.test");
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", issuer: "Portcullis", algorithm: "SHA1", digits: "6", period: "30" });
  });
});
