import type { Db } from "@/lib/db/client";
import type { CacheTagRequest, CacheTagResponse } from "@/lib/internal/contract";

/** The last digest any proxy confirmed upstream for a tag (stale-if-error), or null when none has. */
export async function lastConfirmedTag(db: Db, req: CacheTagRequest): Promise<CacheTagResponse | null> {
  const row = await db.cacheTag.findUnique({ where: { registryId_repository_tag: { registryId: req.registryId, repository: req.repository, tag: req.tag } } });
  return row && { digest: row.digest, mediaType: row.mediaType, seenAt: row.seenAt.toISOString() };
}
