import { displayHost } from "@/lib/registries/connection";
import { defineTeamChange } from "@/lib/server/team-change";
import { deleteCopyRows, unlinkAll } from "./copies";
import { findCacheRegistry } from "./registry";
import { cacheSettingsSchema } from "./schemas";
import { cacheStats } from "./stats";

/**
 * Changes a registry's proxy cache settings: caching on or off, the size cap, the stale bound.
 * Turning caching off purges the registry's copies and last confirmed tags (their links in the
 * store first: nothing changes when the store can't be reached). A lower cap takes effect with
 * the proxies' next cache events (lib/cache/events.ts evicts). Answers the cache's new state.
 */
export const updateCacheSettings = defineTeamChange({
  name: "cache.update_settings", permission: "write", input: cacheSettingsSchema,
  async prepare(ctx, input) {
    const registry = await findCacheRegistry(ctx.db, ctx.teamId, input.id);
    const copies = input.enabled === false ? await unlinkAll(ctx.db, registry.id, undefined, "Caching was not turned off") : null;
    return { registry, copies };
  },
  async change(tx, ctx, input, { registry: before, copies }) {
    const registry = await findCacheRegistry(tx, ctx.teamId, before.id);
    const next = {
      cacheEnabled: input.enabled ?? registry.cacheEnabled,
      cacheMaxBytes: input.maxBytes === undefined ? registry.cacheMaxBytes : input.maxBytes === null ? null : BigInt(input.maxBytes),
      cacheMaxStaleSeconds: input.maxStaleSeconds ?? registry.cacheMaxStaleSeconds,
    };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (next.cacheEnabled !== registry.cacheEnabled) changes.enabled = { from: registry.cacheEnabled, to: next.cacheEnabled };
    if (next.cacheMaxBytes !== registry.cacheMaxBytes) changes.maxBytes = { from: bytes(registry.cacheMaxBytes), to: bytes(next.cacheMaxBytes) };
    if (next.cacheMaxStaleSeconds !== registry.cacheMaxStaleSeconds) changes.maxStaleSeconds = { from: registry.cacheMaxStaleSeconds, to: next.cacheMaxStaleSeconds };
    const purged = copies ? await deleteCopyRows(tx, registry.id, undefined, copies) : null;
    if (Object.keys(changes).length === 0 && !purged?.entries && !purged?.tags) return { result: await cacheStats(tx, ctx.teamId, registry.id) };
    await tx.registry.update({ where: { id: registry.id }, data: next });
    return {
      result: await cacheStats(tx, ctx.teamId, registry.id),
      audit: {
        action: "registry.cache_settings",
        targetType: "registry",
        targetId: registry.id,
        targetLabel: displayHost(registry.endpoint),
        metadata: { ...changes, ...(purged && { purged }) },
      },
    };
  },
});

const bytes = (v: bigint | null) => (v === null ? null : Number(v));
