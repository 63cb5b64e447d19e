import type { Db, Tx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { cacheRepository } from "./naming";
import { cacheStoreClient, type CacheStore } from "./store";

/**
 * Removing copies from the proxy cache: first their links in the store (so no proxy can read them
 * any more), then their rows. Used by purges, by turning caching off, and by eviction.
 */

export interface CopyRef {
  id: string;
  registryId: string;
  repository: string;
  digest: string;
  size: bigint;
}

/** Deletes a copy's link in the store (404 counts as done; no store, nothing to delete). Throws CacheStoreError. */
export async function unlinkCopy(store: CacheStore | null, c: Omit<CopyRef, "id" | "size">): Promise<void> {
  const repository = cacheRepository(c.registryId, c.repository);
  if (store && repository) await store.deleteBlob(repository, c.digest);
}

/** Deletes each copy's link in the store. Throws CacheStoreError on the first failure. */
export async function unlinkCopies(store: CacheStore | null, copies: readonly CopyRef[]): Promise<void> {
  for (const c of copies) await unlinkCopy(store, c);
}

const copyColumns = { id: true, registryId: true, repository: true, digest: true, size: true } as const;

/** The copies of a registry, or of one of its upstream repositories. */
export const copiesOf = (db: Db | Tx, registryId: string, repository?: string): Promise<CopyRef[]> =>
  db.cacheEntry.findMany({ where: { registryId, ...(repository !== undefined && { repository }) }, select: copyColumns });

/**
 * Unlinks every copy of a registry (or of one upstream repository) in the store, before the
 * transaction that deletes their rows: a store that can't be reached changes nothing, and a retry
 * starts over. `what` completes the message ("the cache was not purged").
 */
export async function unlinkAll(db: Db, registryId: string, repository: string | undefined, what: string, store = cacheStoreClient()): Promise<CopyRef[]> {
  const copies = await copiesOf(db, registryId, repository);
  try {
    await unlinkCopies(store, copies);
  } catch (e) {
    throw new AppError("unavailable", `${(e as Error).message} ${what}. Try again once the cache store answers.`);
  }
  return copies;
}

/** Deletes the rows of unlinked copies and the scope's last confirmed tags; what was removed. */
export async function deleteCopyRows(tx: Tx, registryId: string, repository: string | undefined, copies: readonly CopyRef[]) {
  const gone = await tx.cacheEntry.findMany({ where: { id: { in: copies.map((c) => c.id) } }, select: { size: true } });
  await tx.cacheEntry.deleteMany({ where: { id: { in: copies.map((c) => c.id) } } });
  const tags = await tx.cacheTag.deleteMany({ where: { registryId, ...(repository !== undefined && { repository }) } });
  return { entries: gone.length, tags: tags.count, bytes: Number(gone.reduce((n, c) => n + c.size, 0n)) };
}
