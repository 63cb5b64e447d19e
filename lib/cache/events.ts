import type { Db } from "@/lib/db/client";
import type { CacheEventBatch, CacheEventInput, CacheTrafficInput } from "@/lib/internal/contract";
import { logger } from "@/lib/log/log";
import { unlinkCopy } from "./copies";
import { enforceCap, type Evicted } from "./evict";
import type { CacheStore } from "./store";

/**
 * The proxies' cache events (lib/internal/contract.ts `cacheEventBatchSchema`), turned into the
 * one account of the cache every proxy and the Images page share:
 * - stored: the copy's row (a retried batch stores it once; its last use only moves forward);
 * - used: its last use moves forward, never back (events arrive late and out of order);
 * - corrupt: its row and its link in the store go (the next request fetches it from the upstream);
 * - tag: the last confirmed digest of a tag, kept only when newer than the one stored;
 * - traffic: added to the registry's running totals, atomically.
 * Events of registries that no longer exist are counted (`unknownRegistry`) and dropped. A copy stored for a
 * registry that no longer caches is unlinked at once and answered as evicted. Then every
 * registry the batch touched is brought under its cap (./evict.ts).
 */

export interface CacheEventsResult {
  accepted: number;
  unknownRegistry: number;
  evicted: Evicted[];
}

type Registry = { id: string; cacheEnabled: boolean };

/** The registry was deleted while the batch was being stored: Prisma's P2003, or PostgreSQL's 23503 through a raw query. */
function isRegistryGone(e: unknown): boolean {
  const err = e as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } };
  return err.code === "P2003" || err.meta?.driverAdapterError?.cause?.originalCode === "23503";
}

async function applyEvent(db: Db, store: CacheStore | null, registry: Registry, e: CacheEventInput, evicted: Evicted[]): Promise<void> {
  const at = new Date(e.at);
  const key = { registryId: e.registryId, repository: e.repository, digest: e.digest };
  switch (e.kind) {
    case "stored":
      if (!registry.cacheEnabled) {
        await unlinkCopy(store, key).catch((err: unknown) => logger().warn("proxy cache: could not unlink a copy of a registry that no longer caches", { error: err, registryId: e.registryId }));
        evicted.push(key);
        return;
      }
      await db.$executeRaw`
        INSERT INTO "CacheEntry" ("id", "registryId", "repository", "digest", "size", "storedAt", "lastUsedAt")
        VALUES (gen_random_uuid(), ${e.registryId}::uuid, ${e.repository}, ${e.digest}, ${e.size}, ${e.at}::timestamp, ${e.at}::timestamp)
        ON CONFLICT ("registryId", "repository", "digest")
        DO UPDATE SET "size" = EXCLUDED."size", "lastUsedAt" = GREATEST("CacheEntry"."lastUsedAt", EXCLUDED."lastUsedAt")`;
      return;
    case "used":
      await db.cacheEntry.updateMany({ where: { ...key, lastUsedAt: { lt: at } }, data: { lastUsedAt: at } });
      return;
    case "corrupt":
      await db.cacheEntry.deleteMany({ where: key });
      await unlinkCopy(store, key).catch((err: unknown) => logger().warn("proxy cache: could not unlink a corrupt copy", { error: err, registryId: e.registryId }));
      return;
    case "tag":
      if (!registry.cacheEnabled) return;
      await db.$executeRaw`
        INSERT INTO "CacheTag" ("id", "registryId", "repository", "tag", "digest", "mediaType", "seenAt")
        VALUES (gen_random_uuid(), ${e.registryId}::uuid, ${e.repository}, ${e.tag}, ${e.digest}, ${e.mediaType}, ${e.at}::timestamp)
        ON CONFLICT ("registryId", "repository", "tag")
        DO UPDATE SET "digest" = EXCLUDED."digest", "mediaType" = EXCLUDED."mediaType", "seenAt" = EXCLUDED."seenAt"
        WHERE "CacheTag"."seenAt" < EXCLUDED."seenAt"`;
      return;
  }
}

const addTraffic = (db: Db, t: CacheTrafficInput) => {
  const counts = { hits: BigInt(t.hits), misses: BigInt(t.misses), stale: BigInt(t.stale), cacheBytes: BigInt(t.cacheBytes), upstreamBytes: BigInt(t.upstreamBytes) };
  const increments = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, { increment: v }]));
  return db.registryCacheStats.upsert({ where: { registryId: t.registryId }, create: { registryId: t.registryId, ...counts }, update: increments });
};

export async function ingestCacheEvents(db: Db, batch: CacheEventBatch, opts: { store: CacheStore | null; now?: Date }): Promise<CacheEventsResult> {
  const ids = [...new Set([...batch.events.map((e) => e.registryId), ...batch.traffic.map((t) => t.registryId)])];
  const registries = await db.registry.findMany({ where: { id: { in: ids } }, select: { id: true, cacheEnabled: true } });
  const byId = new Map(registries.map((r) => [r.id, r]));
  const touched = new Set<string>();
  const evicted: Evicted[] = [];
  let accepted = 0;

  const apply = async (registryId: string, write: (r: Registry) => Promise<unknown>) => {
    const registry = byId.get(registryId);
    if (!registry) return;
    try {
      await write(registry);
    } catch (e) {
      if (!isRegistryGone(e)) throw e;
      byId.delete(registryId);
      return;
    }
    accepted++;
    touched.add(registryId);
  };

  for (const e of batch.events) await apply(e.registryId, (r) => applyEvent(db, opts.store, r, e, evicted));
  for (const t of batch.traffic) await apply(t.registryId, () => addTraffic(db, t));
  for (const registryId of touched) {
    if (!byId.has(registryId)) continue;
    try {
      evicted.push(...(await enforceCap(db, opts.store, registryId, opts.now)));
    } catch (e) {
      // The events are stored; the cap is enforced again with the registry's next batch.
      logger().error("proxy cache: eviction failed", { error: e, registryId });
    }
  }
  return { accepted, unknownRegistry: batch.events.length + batch.traffic.length - accepted, evicted };
}
