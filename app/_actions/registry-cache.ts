"use server";

import { cacheSettingsFormSchema, formFieldOf, staleHours } from "@/components/images/cache-settings-form";
import type { CachePurgeResult, CacheStats } from "@/lib/cache/dto";
import { purgeCache } from "@/lib/cache/purge";
import { updateCacheSettings } from "@/lib/cache/settings";
import { AppError } from "@/lib/errors";
import { formatBytes } from "@/lib/oci/size";
import type { ActionState } from "@/lib/server/action-state";
import { runFormAction } from "@/lib/server/form-action";
import { defineOperation, invoke } from "@/lib/server/operation";

/**
 * The Images page's cache settings dialog: its form (a cap with a unit, the stale bound in hours)
 * becomes the settings operation's input (bytes, seconds); the operation's field messages come
 * back under the form's fields.
 */
const updateCacheSettingsForm = defineOperation({
  name: updateCacheSettings.name, permission: updateCacheSettings.permission, input: cacheSettingsFormSchema,
  async run(ctx, input) {
    try {
      return await invoke(updateCacheSettings, ctx, input);
    } catch (e) {
      if (!(e instanceof AppError) || !e.fields) throw e;
      const fields = Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [formFieldOf[k] ?? k, v]));
      throw new AppError(e.code, e.message, { fields });
    }
  },
});

const settingsMessage = (c: CacheStats) =>
  c.enabled
    ? `Cache on: ${c.maxBytes === null ? "no size cap" : `capped at ${formatBytes(c.maxBytes)}`}, stale tags served for up to ${staleHours(c.maxStaleSeconds)} h.`
    : "Cache off: pulls go to the upstream, and the copies were purged.";

export async function updateCacheSettingsAction(formData: FormData): Promise<ActionState<CacheStats>> {
  return runFormAction(updateCacheSettingsForm, formData, { revalidate: "/images", message: settingsMessage });
}

const copies = (n: number) => `${n} ${n === 1 ? "copy" : "copies"}`;

/** Purges the whole cache, or one upstream repository's copies with `repository`. */
export async function purgeCacheAction(_prev: ActionState<CachePurgeResult>, formData: FormData): Promise<ActionState<CachePurgeResult>> {
  return runFormAction(purgeCache, formData, {
    revalidate: "/images",
    message: (r) => `Purged ${copies(r.entries)} (${formatBytes(r.bytes)}) and ${r.tags} last confirmed ${r.tags === 1 ? "tag" : "tags"}.`,
  });
}
