import { displayHost } from "@/lib/registries/connection";
import { defineTeamChange } from "@/lib/server/team-change";
import { deleteCopyRows, unlinkAll } from "./copies";
import type { CachePurgeResult } from "./dto";
import { findCacheRegistry } from "./registry";
import { cachePurgeSchema } from "./schemas";

/**
 * Purges a registry's proxy cache, or the copies of one upstream repository: their links in the
 * store first (nothing changes when the store can't be reached), then, in one transaction with
 * the audit event, their rows and the last confirmed tags (so no stale tag is served from them).
 * Copies stored while the purge ran stay. The traffic totals are kept.
 */
export const purgeCache = defineTeamChange({
  name: "cache.purge", permission: "write", input: cachePurgeSchema,
  async prepare(ctx, input) {
    const registry = await findCacheRegistry(ctx.db, ctx.teamId, input.id);
    const copies = await unlinkAll(ctx.db, registry.id, input.repository, "The cache was not purged");
    return { registry, copies };
  },
  async change(tx, ctx, input, { registry, copies }) {
    await findCacheRegistry(tx, ctx.teamId, registry.id);
    const result: CachePurgeResult = await deleteCopyRows(tx, registry.id, input.repository, copies);
    return {
      result,
      audit: {
        action: "registry.cache_purge",
        targetType: "registry",
        targetId: registry.id,
        targetLabel: displayHost(registry.endpoint),
        metadata: { ...(input.repository !== undefined && { repository: input.repository }), ...result },
      },
    };
  },
});
