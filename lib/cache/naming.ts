import { isValidRepository } from "@/lib/oci/names";

/**
 * Where the proxy cache keeps one registry's copies of one upstream repository in the store (a
 * CNCF Distribution): `portcullis-cache/<registry id>/<upstream repository>`. The registry id
 * partitions the cache by team and registry — two teams with the same upstream image have two
 * repositories, and Distribution serves a blob only through a repository that links it. The
 * prefix is reserved: no app can take it as its slug, so no hosted-registry grant reaches it.
 */
export const CACHE_REPOSITORY_PREFIX = "portcullis-cache";

/** The store repository, or null when the name would be too long for a registry (255 characters): such a repository is relayed uncached. */
export function cacheRepository(registryId: string, upstreamRepository: string): string | null {
  const name = `${CACHE_REPOSITORY_PREFIX}/${registryId.toLowerCase()}/${upstreamRepository}`;
  return name.length <= 255 && isValidRepository(name) ? name : null;
}

export const isCacheRepository = (name: string): boolean => name.startsWith(`${CACHE_REPOSITORY_PREFIX}/`);
