import { z } from "zod";
import "@/lib/validations/zod-config";
import { isValidRepository } from "@/lib/oci/names";

/**
 * Inputs of the proxy cache's operations on one registry (lib/cache/settings.ts, purge.ts,
 * stats.ts), shared by the Images page and the vendor REST API. `id` is the registry's id (a
 * path parameter in the REST API).
 */

const registryId = z.uuid("Unknown registry.");

/** Smallest cap: below a mebibyte nothing but the smallest layers would ever stay. */
export const MIN_CACHE_MAX_BYTES = 1024 * 1024;
/** Longest stale bound: 30 days. */
export const MAX_CACHE_STALE_SECONDS = 30 * 86400;

/** Settings to change; what is absent stays as it is. `maxBytes: null` removes the cap. */
export const cacheSettingsSchema = z
  .object({
    id: registryId,
    enabled: z.boolean("Say whether the proxy keeps copies (true or false).").optional(),
    maxBytes: z
      .int("Give the cap in bytes, a whole number.")
      .min(MIN_CACHE_MAX_BYTES, "The cap must be at least 1 MiB (1048576 bytes).")
      .max(Number.MAX_SAFE_INTEGER, "The cap is too large.")
      .nullable()
      .optional(),
    maxStaleSeconds: z
      .int("Give the stale bound in seconds, a whole number.")
      .min(0, "The stale bound can't be negative (0 never serves a stale tag).")
      .max(MAX_CACHE_STALE_SECONDS, "The stale bound can be at most 30 days (2592000 seconds).")
      .optional(),
  })
  .strict()
  .refine((v) => v.enabled !== undefined || v.maxBytes !== undefined || v.maxStaleSeconds !== undefined, {
    message: "Give enabled, maxBytes or maxStaleSeconds to change.",
    path: ["enabled"],
  });
export type CacheSettingsInput = z.output<typeof cacheSettingsSchema>;

/** Purges the registry's whole cache, or only the copies of one upstream repository (`library/nginx`). */
export const cachePurgeSchema = z
  .object({
    id: registryId,
    repository: z
      .string("Give the upstream repository, e.g. library/nginx.")
      .trim()
      .max(255, "The repository name is longer than 255 characters.")
      .refine(isValidRepository, "That is not a repository name (e.g. library/nginx).")
      .optional(),
  })
  .strict();
export type CachePurgeInput = z.output<typeof cachePurgeSchema>;

export const cacheStatsSchema = z.object({ id: registryId }).strict();
