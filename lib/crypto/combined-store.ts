import type { KeyUsage, SecretRow, SecretStore } from "./rewrap";
import { status } from "./rewrap";

/**
 * Several stores of sealed secrets as one, for `kms status` and `kms rewrap`: the team secrets of
 * `EncryptedSecret` and the people's TOTP secrets live in different tables but move to a new key
 * together. Ids are prefixed with the part's name (`<name>:<id>`), in the order the parts are
 * given, so a resumed rewrap (`--after`) continues where it stopped, in whichever part that was.
 */
export function combinedSecretStore(parts: ReadonlyArray<{ name: string; store: SecretStore }>): SecretStore {
  const split = (id: string) => {
    const at = id.indexOf(":");
    const index = parts.findIndex((p) => p.name === id.slice(0, at));
    return { index, inner: id.slice(at + 1) };
  };
  const anyOrphans = parts.some((p) => p.store.countOrphans);
  return {
    async listBatch(afterId, limit) {
      const start = afterId === null ? { index: 0, inner: null } : split(afterId);
      if (start.index < 0) return [];
      const rows: SecretRow[] = [];
      for (let i = start.index; i < parts.length && rows.length < limit; i++) {
        const part = parts[i]!;
        const batch = await part.store.listBatch(i === start.index ? start.inner : null, limit - rows.length);
        for (const row of batch) rows.push({ ...row, id: `${part.name}:${row.id}` });
      }
      return rows;
    },
    async update(id, expected, next) {
      const { index, inner } = split(id);
      return index >= 0 && parts[index]!.store.update(inner, expected, next);
    },
    async countByKey() {
      const merged = new Map<string, KeyUsage>();
      for (const { store } of parts) {
        for (const k of (await status(store)).keys) {
          const key = JSON.stringify([k.provider, k.keyId, k.keyVersion]);
          const entry = merged.get(key) ?? { provider: k.provider, keyId: k.keyId, keyVersion: k.keyVersion, count: 0 };
          entry.count += k.count;
          merged.set(key, entry);
        }
      }
      return [...merged.values()];
    },
    ...(anyOrphans && {
      async countOrphans() {
        let n = 0;
        for (const { store } of parts) n += (await store.countOrphans?.()) ?? 0;
        return n;
      },
    }),
  };
}
