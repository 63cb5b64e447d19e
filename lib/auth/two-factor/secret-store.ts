import type { Db } from "@/lib/db/client";
import type { SealedSecret } from "@/lib/crypto";
import type { KeyUsage, SecretRow, SecretStore } from "@/lib/crypto/rewrap";
import { totpSecretAAD } from "./secret";

/**
 * The TOTP secrets as a store for key rotation (lib/crypto/rewrap.ts): they live on `TwoFactor`
 * rows (a person's, not a team's), so `kms rewrap` and `kms status` need this store beside the
 * `EncryptedSecret` one. Updates are compare-and-swap on the whole sealed value, so a person
 * setting up again while a rewrap runs wins.
 */
export function twoFactorSecretStore(db: Pick<Db, "twoFactor">): SecretStore {
  return {
    async listBatch(afterId, limit) {
      const rows = await db.twoFactor.findMany({
        where: afterId ? { userId: { gt: afterId } } : {},
        orderBy: { userId: "asc" },
        take: limit,
        select: { userId: true, sealedSecret: true },
      });
      return rows.map((r): SecretRow => ({ id: r.userId, sealed: r.sealedSecret as unknown as SealedSecret, aad: totpSecretAAD(r.userId) }));
    },
    async update(id, expected, next) {
      const { count } = await db.twoFactor.updateMany({ where: { userId: id, sealedSecret: { equals: expected as object } }, data: { sealedSecret: next as object } });
      return count === 1;
    },
    async countByKey() {
      const rows = await db.twoFactor.findMany({ select: { sealedSecret: true } });
      const usage = new Map<string, KeyUsage>();
      for (const { sealedSecret } of rows) {
        const s = sealedSecret as unknown as SealedSecret;
        const key = `${s.provider}\0${s.keyId}\0${s.keyVersion}`;
        const entry = usage.get(key) ?? { provider: s.provider, keyId: s.keyId, keyVersion: s.keyVersion, count: 0 };
        entry.count++;
        usage.set(key, entry);
      }
      return [...usage.values()];
    },
  };
}
