import crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { SecretAAD } from "./aad";
import { TtlCache } from "./cache";
import { decryptSecret, encryptSecret, parseSealed, type SealedSecret } from "./envelope";
import { DecryptionError } from "./errors";
import { LocalKeyProvider } from "./providers/local";

const k1 = { id: "k1", key: crypto.randomBytes(32) };
const k2 = { id: "k2", key: crypto.randomBytes(32) };
const v1 = () => new LocalKeyProvider([k1]);
const v2 = () => new LocalKeyProvider([k1, k2]); // k2 listed last: active
const aad: SecretAAD = { teamId: "team-a", recordId: "reg-1", field: "password", purpose: "registry-credential" };
const SECRET = "hunter2-correct-horse-battery-staple";

async function expectDecryptionError(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DecryptionError);
  // Never key material or plaintext in the message.
  expect((e as Error).message).not.toContain(SECRET);
  for (const k of [k1, k2]) expect((e as Error).message).not.toContain(k.key.toString("base64"));
  return e as DecryptionError;
}

function flipByte(b64: string, index: number): string {
  const bytes = Buffer.from(b64, "base64");
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString("base64");
}

describe("envelope encryption", () => {
  it("round-trips text and bytes, storing only ciphertext and a wrapped key", async () => {
    const provider = v1();
    const sealed = await encryptSecret(SECRET, aad, { provider });
    expect(sealed).toMatchObject({ formatVersion: 1, provider: "local", keyId: "k1", keyVersion: "k1" });
    expect(JSON.stringify(sealed)).not.toContain(SECRET);
    expect(JSON.stringify(sealed)).not.toContain(Buffer.from(SECRET).toString("base64"));
    expect((await decryptSecret(sealed, aad, { provider })).toString()).toBe(SECRET);

    const binary = crypto.randomBytes(1000);
    expect(await decryptSecret(await encryptSecret(binary, aad, { provider }), aad, { provider })).toEqual(binary);
    expect((await decryptSecret(await encryptSecret("", aad, { provider }), aad, { provider })).length).toBe(0);
  });

  it("uses a fresh data key and a unique IV for every one of 10,000 encryptions", async () => {
    const provider = v1();
    const ivs = new Set<string>();
    const wrapped = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const s = await encryptSecret("same plaintext", aad, { provider });
      ivs.add(s.iv);
      wrapped.add(s.wrappedKey);
    }
    expect(ivs.size).toBe(10_000);
    expect(wrapped.size).toBe(10_000);
  });

  it("fails with DecryptionError when any single byte of iv, ciphertext, tag or wrapped key is flipped", async () => {
    const provider = v1();
    const sealed = await encryptSecret(SECRET, aad, { provider });
    let attempts = 0;
    for (const field of ["iv", "ciphertext", "tag", "wrappedKey"] as const) {
      const length = Buffer.from(sealed[field], "base64").length;
      for (let i = 0; i < length; i++) {
        const tampered: SealedSecret = { ...sealed, [field]: flipByte(sealed[field], i) };
        await expectDecryptionError(decryptSecret(tampered, aad, { provider }));
        attempts++;
      }
    }
    expect(attempts).toBe(12 + SECRET.length + 16 + 61);
    // …and the untouched original still decrypts (the failures were about the flips).
    expect((await decryptSecret(sealed, aad, { provider })).toString()).toBe(SECRET);
  });

  it("refuses another team's, record's, field's or purpose's associated data", async () => {
    const provider = v1();
    const sealed = await encryptSecret(SECRET, aad, { provider });
    for (const other of [
      { ...aad, teamId: "team-b" },
      { ...aad, recordId: "reg-2" },
      { ...aad, field: "username" },
      { ...aad, purpose: "signing-key" },
    ]) {
      const e = await expectDecryptionError(decryptSecret(sealed, other, { provider }));
      expect(e.reason).toBe("integrity");
    }
  });

  it("keeps decrypting data written under k1 after k2 becomes active", async () => {
    const old = await encryptSecret(SECRET, aad, { provider: v1() });
    const rotated = v2();
    expect((await rotated.activeKey()).keyId).toBe("k2");
    const fresh = await encryptSecret("new", aad, { provider: rotated });
    expect(fresh.keyId).toBe("k2");
    expect((await decryptSecret(old, aad, { provider: rotated })).toString()).toBe(SECRET);
  });

  it("names a key that is gone as key-unavailable, without leaking anything", async () => {
    const sealed = await encryptSecret(SECRET, aad, { provider: v2() });
    const e = await expectDecryptionError(decryptSecret(sealed, aad, { provider: v1() }));
    expect(e.reason).toBe("key-unavailable");
    expect(e.message).toContain("local:k2");
  });

  it("rejects malformed sealed values and unknown format versions as DecryptionError", async () => {
    const provider = v1();
    const sealed = await encryptSecret(SECRET, aad, { provider });
    for (const bad of [
      null,
      "string",
      { ...sealed, formatVersion: 2 },
      { ...sealed, provider: "rot13" },
      { ...sealed, iv: "not base64!" },
      { ...sealed, iv: Buffer.alloc(16).toString("base64") },
      { ...sealed, tag: Buffer.alloc(8).toString("base64") },
      { ...sealed, wrappedKey: "" },
    ]) {
      expect(() => parseSealed(bad)).toThrow(DecryptionError);
      await expectDecryptionError(decryptSecret(bad as SealedSecret, aad, { provider }));
    }
  });

  it("serves repeated reads from the data-key cache without unwrapping again, still checking the AAD", async () => {
    const provider = v1();
    const dataKeyCache = new TtlCache<Buffer>({ ttlMs: 60_000, maxEntries: 10 });
    const sealed = await encryptSecret(SECRET, aad, { provider });
    const unwrap = vi.spyOn(provider, "unwrap");
    for (let i = 0; i < 5; i++) expect((await decryptSecret(sealed, aad, { provider, dataKeyCache })).toString()).toBe(SECRET);
    expect(unwrap).toHaveBeenCalledTimes(1);
    await expectDecryptionError(decryptSecret(sealed, { ...aad, teamId: "team-b" }, { provider, dataKeyCache }));
    await expectDecryptionError(decryptSecret({ ...sealed, tag: flipByte(sealed.tag, 0) }, aad, { provider, dataKeyCache }));
  });
});
