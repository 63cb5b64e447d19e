import type { Db } from "@/lib/db/client";
import { logger } from "@/lib/log/log";
import { unlinkCopy, type CopyRef } from "./copies";
import type { CacheStore } from "./store";

/**
 * Keeps a registry's copies under its cap (Registry.cacheMaxBytes): while the sum of their sizes
 * is above it, the least recently used copies go — their links in the store first, then their
 * rows. A copy used in the last two minutes is never evicted: a proxy reading one repeats `used`
 * every 30 s, so a copy being read is always that recent.
 *
 * Two portals may evict the same registry at once: each round holds a PostgreSQL advisory lock
 * for the registry for its transaction, so the second one waits and then sees the first one's
 * result (no copy evicted twice, no more evicted than needed), and the rows it evicts are locked
 * (`FOR UPDATE`) so a `used` arriving meanwhile waits for the eviction and then finds no row.
 */

/** Copies used more recently than this are never evicted. */
export const EVICTION_GRACE_MS = 2 * 60 * 1000;
/** Copies evicted per transaction (their store deletes run inside it). */
const ROUND = 100;

export interface Evicted {
  registryId: string;
  repository: string;
  digest: string;
}

type Candidate = CopyRef & { lastUsedAt: Date };

/** Evicts until the registry is under its cap or only recently used copies are left; what it evicted. */
export async function enforceCap(db: Db, store: CacheStore | null, registryId: string, now = new Date()): Promise<Evicted[]> {
  const evicted: Evicted[] = [];
  for (;;) {
    const round = await db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext('portcullis-cache-eviction'), hashtext(${registryId}))::text`;
        const registry = await tx.registry.findUnique({ where: { id: registryId }, select: { cacheMaxBytes: true } });
        if (!registry || registry.cacheMaxBytes === null) return { copies: [], more: false };
        const stored = await tx.cacheEntry.aggregate({ where: { registryId }, _sum: { size: true } });
        let excess = (stored._sum.size ?? 0n) - registry.cacheMaxBytes;
        if (excess <= 0n) return { copies: [], more: false };
        const cutoff = new Date(now.getTime() - EVICTION_GRACE_MS);
        const candidates = await tx.$queryRaw<Candidate[]>`
          SELECT "id", "registryId"::text AS "registryId", "repository", "digest", "size", "lastUsedAt"
          FROM "CacheEntry"
          WHERE "registryId" = ${registryId}::uuid AND "lastUsedAt" < ${cutoff.toISOString()}::timestamp
          ORDER BY "lastUsedAt", "id"
          LIMIT ${ROUND}
          FOR UPDATE`;
        const copies: Candidate[] = [];
        for (const c of candidates) {
          if (excess <= 0n) break;
          copies.push(c);
          excess -= BigInt(c.size);
        }
        const unlinked: Candidate[] = [];
        for (const c of copies) {
          try {
            await unlinkCopy(store, c);
          } catch (e) {
            // The rows of what was unlinked go; the rest waits for the next batch of events.
            logger().warn("proxy cache: eviction stopped, the store refused a delete", { error: e, registryId });
            break;
          }
          unlinked.push(c);
        }
        await tx.cacheEntry.deleteMany({ where: { id: { in: unlinked.map((c) => c.id) } } });
        return { copies: unlinked, more: excess > 0n && unlinked.length === copies.length && candidates.length === ROUND };
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
    evicted.push(...round.copies.map((c) => ({ registryId: c.registryId, repository: c.repository, digest: c.digest })));
    if (!round.more) return evicted;
  }
}
