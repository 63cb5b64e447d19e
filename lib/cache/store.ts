import { env as processEnv, type Env } from "@/lib/config/env";
import { hostedRegistryUrl } from "@/lib/registry-auth/hosted-images";
import { signPortalToken, type PortalToken } from "@/lib/registry-auth/portal-token";
import { registrySigningKey, type RegistrySigningKey } from "@/lib/registry-auth/signing-key";
import { LruMap } from "@/lib/lru-map";
import { StoreClient, StoreError } from "@/lib/oci/blob-store";

/**
 * The proxy cache's store: a CNCF Distribution (CACHE_REGISTRY_URL, else the hosted registry)
 * holding each registry's copies under `portcullis-cache/<registry id>/<upstream repository>`
 * (./naming.ts). The portal signs the tokens for it: the proxies' (in lookup answers) and its own,
 * for deleting the links of evicted and purged copies. Distribution's garbage collection reclaims
 * the space of blobs no repository links any more.
 */

/** The store's API base URL, or undefined when there is neither CACHE_REGISTRY_URL nor a hosted registry (no cache). */
export function cacheStoreUrl(e: Env = processEnv()): string | undefined {
  return e.CACHE_REGISTRY_URL?.replace(/\/+$/, "") ?? hostedRegistryUrl(e);
}

/** How long a proxy's store token lasts (the proxy asks again through its lookups). */
export const CACHE_TOKEN_TTL_SECONDS = 30 * 60;

/**
 * A store token is signed again once it is this old: every lookup answer that names a cache
 * carries one, and an ES256 signature per lookup is the portal's largest cost in answering it. A
 * reused token still has more than CACHE_TOKEN_TTL_SECONDS minus this to live (25 minutes).
 */
export const CACHE_TOKEN_REUSE_MS = 5 * 60_000;
const reusableTokens = new LruMap<string, PortalToken & { issuedAt: number }>(10_000);

/**
 * The proxies' token for one store repository: read, write and delete copies there, nothing else.
 * One per signing key and repository is reused for CACHE_TOKEN_REUSE_MS.
 */
export async function proxyCacheToken(repository: string, opts: { signingKey?: () => Promise<RegistrySigningKey>; now?: Date } = {}): Promise<PortalToken> {
  const key = await (opts.signingKey ?? registrySigningKey)();
  const now = (opts.now ?? new Date()).getTime();
  const memoKey = `${key.kid}|${repository}`;
  const reused = reusableTokens.get(memoKey);
  if (reused && now >= reused.issuedAt && now - reused.issuedAt < CACHE_TOKEN_REUSE_MS) return { token: reused.token, expiresAt: reused.expiresAt };
  const signed = await signPortalToken({
    subject: "proxy-cache",
    access: [{ type: "repository", name: repository, actions: ["pull", "push", "delete"] }],
    ttlSeconds: CACHE_TOKEN_TTL_SECONDS,
    signingKey: async () => key,
    ...(opts.now && { now: opts.now }),
  });
  reusableTokens.set(memoKey, { ...signed, issuedAt: now });
  return signed;
}

/** The store could not be reached or refused a delete; `message` is safe to show. */
export class CacheStoreError extends Error {
  override name = "CacheStoreError";
}

export interface CacheStoreDeps {
  url: string;
  signingKey?: () => Promise<RegistrySigningKey>;
  timeoutMs?: number;
}

export function cacheStore(deps: CacheStoreDeps) {
  const base = deps.url.replace(/\/+$/, "");
  const timeoutMs = deps.timeoutMs ?? 15_000;

  return {
    url: base,
    /** Removes the repository's link to a blob; a link already gone counts as removed. */
    async deleteBlob(repository: string, digest: string): Promise<void> {
      let token: string;
      try {
        token = (await signPortalToken({ subject: "portal:proxy-cache", access: [{ type: "repository", name: repository, actions: ["delete"] }], ttlSeconds: 120, signingKey: deps.signingKey })).token;
      } catch (e) {
        throw new CacheStoreError(`The cache store's signing key is not available (${(e as Error).message}).`);
      }
      try {
        await new StoreClient({ url: base, repository, token }, { timeoutMs }).remove(digest);
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        throw new CacheStoreError(deleteFailure(base, repository, digest, e));
      }
    },
  };
}

/** What the portal says when a delete failed: the store's configuration to fix, when that is the reason. */
function deleteFailure(base: string, repository: string, digest: string, e: StoreError): string {
  if (e.status === undefined) return `The cache store at ${base} can't be reached (${e.unreachable ?? e.message}).`;
  if (e.status === 405) return `The cache store at ${base} does not allow deletes: set storage.delete.enabled: true in its config and restart it.`;
  if (e.status === 401 || e.status === 403) return `The cache store at ${base} refused the portal's token (HTTP ${e.status}): its config must trust this portal's signing key.`;
  return `The cache store at ${base} answered HTTP ${e.status} while deleting ${repository}@${digest}.`;
}

export type CacheStore = ReturnType<typeof cacheStore>;

/** The configured store's client, or null when there is none. */
export function cacheStoreClient(e: Env = processEnv()): CacheStore | null {
  const url = cacheStoreUrl(e);
  return url ? cacheStore({ url }) : null;
}
