import type { Db, Tx } from "@/lib/db/client";
import { defineOperation } from "@/lib/server/operation";
import type { CacheStats } from "./dto";
import { findCacheRegistry } from "./registry";
import { cacheStatsSchema } from "./schemas";

export type { CacheStats } from "./dto";

type Settings = { id: string; cacheEnabled: boolean; cacheMaxBytes: bigint | null; cacheMaxStaleSeconds: number };
type Totals = { hits: bigint; misses: bigint; stale: bigint; cacheBytes: bigint; upstreamBytes: bigint; since: Date } | undefined;
type Stored = { entries: number; bytes: bigint } | undefined;

function toStats(r: Settings, totals: Totals, stored: Stored): CacheStats {
  const hits = Number(totals?.hits ?? 0n);
  const misses = Number(totals?.misses ?? 0n);
  const stale = Number(totals?.stale ?? 0n);
  const requests = hits + misses + stale;
  const cacheBytes = Number(totals?.cacheBytes ?? 0n);
  return {
    enabled: r.cacheEnabled,
    maxBytes: r.cacheMaxBytes === null ? null : Number(r.cacheMaxBytes),
    maxStaleSeconds: r.cacheMaxStaleSeconds,
    entries: stored?.entries ?? 0,
    storedBytes: Number(stored?.bytes ?? 0n),
    hits,
    misses,
    stale,
    hitRatio: requests === 0 ? null : (hits + stale) / requests,
    cacheBytes,
    upstreamBytes: Number(totals?.upstreamBytes ?? 0n),
    egressSaved: cacheBytes,
    since: totals?.since ?? null,
  };
}

async function statsOf(db: Db | Tx, registries: Settings[]): Promise<Map<string, CacheStats>> {
  const ids = registries.map((r) => r.id);
  if (ids.length === 0) return new Map();
  const [totals, stored] = await Promise.all([
    db.registryCacheStats.findMany({ where: { registryId: { in: ids } } }),
    db.cacheEntry.groupBy({ by: ["registryId"], where: { registryId: { in: ids } }, _count: { _all: true }, _sum: { size: true } }),
  ]);
  const totalsOf = new Map(totals.map((t) => [t.registryId, t]));
  const storedOf = new Map(stored.map((s) => [s.registryId, { entries: s._count._all, bytes: s._sum.size ?? 0n }]));
  return new Map(registries.map((r) => [r.id, toStats(r, totalsOf.get(r.id), storedOf.get(r.id))]));
}

const settingsColumns = { id: true, cacheEnabled: true, cacheMaxBytes: true, cacheMaxStaleSeconds: true } as const;

/** One registry's cache settings, contents and traffic; not_found for another team's registry. */
export async function cacheStats(db: Db | Tx, teamId: string, registryId: string): Promise<CacheStats> {
  const registry = await findCacheRegistry(db, teamId, registryId);
  return (await statsOf(db, [registry])).get(registry.id)!;
}

/** Every registry of the team's cache, by registry id (the Images page's table). */
export async function cacheStatsForTeam(db: Db | Tx, teamId: string): Promise<Map<string, CacheStats>> {
  return statsOf(db, await db.registry.findMany({ where: { teamId }, select: settingsColumns }));
}

/** `GET /registries/{id}/cache`: the operation behind the REST API and the Images page. */
export const getCacheStats = defineOperation({
  name: "cache.stats", permission: "read", input: cacheStatsSchema,
  run: (ctx, input) => cacheStats(ctx.db, ctx.teamId, input.id),
});
