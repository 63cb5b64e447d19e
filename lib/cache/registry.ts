import type { Db, Tx } from "@/lib/db/client";
import { findOr404 } from "@/lib/server/find-or-404";

/** The caller's team's registry with its cache settings (not_found for any other team's id). */
export const findCacheRegistry = (db: Db | Tx, teamId: string, id: string) =>
  findOr404(
    db.registry.findFirst({ where: { id, teamId }, select: { id: true, teamId: true, endpoint: true, cacheEnabled: true, cacheMaxBytes: true, cacheMaxStaleSeconds: true } }),
    "That registry does not exist.",
  );

export type CacheRegistry = Awaited<ReturnType<typeof findCacheRegistry>>;
