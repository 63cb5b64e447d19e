import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "@/lib/crypto/providers/local";
import { decryptSecret, encryptSecret, type SealedSecret } from "@/lib/crypto/envelope";
import { rewrapSecrets, status } from "@/lib/crypto/rewrap";
import { totpSecretAAD } from "@/lib/auth/two-factor/secret";
import { twoFactorSecretStore } from "@/lib/auth/two-factor/secret-store";
import { setupTestDatabase } from "@/test/support/db";
import { memberContext } from "@/test/support/factories";

/** TOTP secrets follow a KMS key rotation like every other secret. */
const t = setupTestDatabase();

describe("rotating the KMS key", () => {
  it("rewraps every TOTP secret to the new key, same plaintext; status counts them per key", async () => {
    const k1 = { id: "k1", key: crypto.randomBytes(32) };
    const k2 = { id: "k2", key: crypto.randomBytes(32) };
    const v1 = new LocalKeyProvider([k1]);
    const v2 = new LocalKeyProvider([k1, k2]);
    const secrets = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) {
      const { userId } = await memberContext(t.db);
      const secret = crypto.randomBytes(20);
      secrets.set(userId, secret);
      const sealed = await encryptSecret(secret, totpSecretAAD(userId), { provider: v1 });
      await t.db.twoFactor.create({ data: { userId, sealedSecret: sealed as object, enabledAt: new Date() } });
    }
    const store = twoFactorSecretStore(t.db);
    expect((await status(store)).keys.map((k) => [k.keyId, k.count])).toEqual([["k1", 3]]);
    const report = await rewrapSecrets(store, { provider: v2 });
    expect(report.rewrapped).toBe(3);
    expect((await status(store)).keys.map((k) => [k.keyId, k.count])).toEqual([["k2", 3]]);
    for (const [userId, secret] of secrets) {
      const row = await t.db.twoFactor.findUniqueOrThrow({ where: { userId } });
      const plain = await decryptSecret(row.sealedSecret as unknown as SealedSecret, totpSecretAAD(userId), { provider: new LocalKeyProvider([k2]) });
      expect(plain.equals(secret)).toBe(true);
    }
  });
});
