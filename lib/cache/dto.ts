import { z } from "zod";

/**
 * One registry's proxy cache as the Images page and the REST API show it: its settings, what is
 * stored, and the traffic totals the proxies reported since `since`.
 */
export const cacheStatsDtoSchema = z.object({
  enabled: z.boolean(),
  /** Least recently used copies are evicted above this many bytes; null = no cap. */
  maxBytes: z.number().int().nullable(),
  /** How long a tag's last confirmed digest may be served while the upstream fails; 0 = never. */
  maxStaleSeconds: z.number().int(),
  /** Copies in the store. */
  entries: z.number().int(),
  storedBytes: z.number().int(),
  hits: z.number().int(),
  misses: z.number().int(),
  /** Tags served from their last confirmed digest while the upstream failed. */
  stale: z.number().int(),
  /** (hits + stale) / (hits + misses + stale); null before any cached request. */
  hitRatio: z.number().min(0).max(1).nullable(),
  /** Bytes sent to clients from the store. */
  cacheBytes: z.number().int(),
  /** Bytes fetched from the upstream. */
  upstreamBytes: z.number().int(),
  /** Upstream egress saved: the bytes the store served instead of the upstream (= cacheBytes). */
  egressSaved: z.number().int(),
  /** Since when the traffic totals count; null before the first report. */
  since: z.date().nullable(),
});
export type CacheStats = z.infer<typeof cacheStatsDtoSchema>;

/** What a purge removed. */
export const cachePurgeResultSchema = z.object({ entries: z.number().int(), tags: z.number().int(), bytes: z.number().int() });
export type CachePurgeResult = z.infer<typeof cachePurgeResultSchema>;
