import type { Db } from "@/lib/db/client";
import { checkLicense } from "@/lib/licenses/verify";
import { resolveProxyImage, type ProxyUpstream } from "@/lib/oci/proxy-path";
import { matchRegistry } from "@/lib/apps/images/registry-match";
import { checkImageEntitlement } from "@/lib/apps/images/entitlement";
import { hostsFromEnv } from "@/lib/apps/images/pull-references";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { loadRegistryCredentials } from "@/lib/registries/secret";
import type { RegistryProviderName } from "@/lib/registries/providers";
import type { ProviderSettings } from "@/lib/registries/providers/types";
import { logger } from "@/lib/log/log";
import { cacheRepository } from "@/lib/cache/naming";
import { proxyCacheToken } from "@/lib/cache/store";
import type { RegistrySigningKey } from "@/lib/registry-auth/signing-key";
import { lookupStatus, type CacheAccess, type LookupCode, type LookupRequest, type LookupResponse } from "./contract";

/**
 * The proxy's one question to the portal: may this license pull this app's image, from which
 * registry and upstream repository, and with which credentials? Answers (status → code):
 * - 401 unknown_license / revoked (or its customer archived) / expired — the license itself is
 *   no good (lib/licenses/verify.ts checkLicense);
 * - 403 wrong_app — a valid license for another app;
 * - 403 unknown_registry — the app's team has no registry for that upstream;
 * - 403 registry_not_in_app / not_in_app — the registry is scoped to other apps, or the app lists
 *   its images and this is not one of them (lib/apps/images/entitlement.ts);
 * - 200 ok — with the license's ids and, when an image path was asked for, the matching registry,
 *   the repository to ask it for, and its decrypted credentials (this answer goes only to the
 *   authenticated proxy); when the registry caches and there is a store, where the proxy keeps
 *   its copies, with a store token for exactly that repository (docs/proxy-cache.md).
 *
 * The image path is read with lib/oci/proxy-path.ts `resolveProxyImage`, the same reading the
 * Images page's instructions follow; registries are matched within the license's team only, by
 * lib/apps/images/registry-match.ts (host, registry name, or Docker Hub).
 */

export interface LookupOptions {
  dockerHubRegistry: string;
  /** AWS's region and ECR endpoint, for ECR registries' credentials (default: the process's configuration). */
  providerSettings?: ProviderSettings;
  now?: Date;
  /** The proxy cache's store (lib/cache/store.ts `cacheStoreUrl`); absent: no cache access in answers. */
  cacheStoreUrl?: string;
  /** Signs the store tokens (default: the registry signing key). */
  signingKey?: () => Promise<RegistrySigningKey>;
}

export interface LookupResult {
  status: 200 | 401 | 403;
  body: LookupResponse;
}

const REASONS: Record<Exclude<LookupCode, "ok" | "not_in_app" | "registry_not_in_app">, string> = {
  unknown_license: "The license ID is not valid.",
  revoked: "The license has been revoked.",
  expired: "The license has expired.",
  wrong_app: "The license does not cover this application.",
  unknown_registry: "This application's images are not available from that registry.",
};

const refuse = (code: keyof typeof REASONS, license?: LookupResponse["license"]): LookupResult => ({
  status: lookupStatus[code],
  body: { allowed: false, code, reason: REASONS[code], ...(license && { license }) },
});

type RegistryRow = {
  id: string;
  teamId: string;
  name: string | null;
  endpoint: string;
  provider: RegistryProviderName;
  username: string;
  credentialsVersion: number;
  allowedRealmHosts: string[];
  cacheEnabled: boolean;
  cacheMaxStaleSeconds: number;
  allApps: boolean;
  appIds: string[];
};

/** Where the proxy keeps this registry's copies of `upstreamRepository`, when caching is on for it and there is a store. */
async function cacheAccess(registry: RegistryRow, upstreamRepository: string, opts: LookupOptions): Promise<CacheAccess | undefined> {
  const repository = cacheRepository(registry.id, upstreamRepository);
  if (!registry.cacheEnabled || !opts.cacheStoreUrl || !repository) return undefined;
  let signed;
  try {
    signed = await proxyCacheToken(repository, { signingKey: opts.signingKey, now: opts.now });
  } catch (e) {
    // Without a token the proxy relays uncached: a pull must not fail for want of a cache.
    logger().error("proxy cache: could not sign a store token", { error: e });
    return undefined;
  }
  const { token, expiresAt } = signed;
  return { url: opts.cacheStoreUrl, repository, token, tokenExpiresAt: expiresAt.toISOString(), maxStaleSeconds: registry.cacheMaxStaleSeconds };
}

export async function lookupProxyAccess(db: Db, req: LookupRequest, opts: LookupOptions): Promise<LookupResult> {
  const check = await checkLicense(db, req.licenseId, { appSlug: req.appSlug, ...(opts.now && { now: opts.now }) });
  if (check.status === "invalid") return refuse("unknown_license");
  const row = check.license;
  const license = { id: row.id, customerId: row.customerId, teamId: row.teamId, appId: row.appId, expiresAt: row.expiresAt?.toISOString() ?? null };
  // Named in the refusal too: the proxy records the attempt under its license (and drops the cached refusal when the license changes).
  if (check.status === "revoked" || check.status === "expired") return refuse(check.status, license);
  if (check.status === "wrong_app") return refuse("wrong_app", license);
  if (!req.image || !req.appSlug) return { status: 200, body: { allowed: true, code: "ok", reason: "The license is valid.", license } };

  const registries = await db.registry.findMany({
    where: { teamId: row.teamId },
    select: { id: true, teamId: true, name: true, endpoint: true, provider: true, username: true, credentialsVersion: true, allowedRealmHosts: true, cacheEnabled: true, cacheMaxStaleSeconds: true, allApps: true, appIds: true },
    orderBy: { createdAt: "asc" },
  });
  // The first part of the path is a registry name only when the license's team has a registry by that name.
  const upstream = resolveProxyImage(req.image, req.appSlug, { dockerHubRegistry: opts.dockerHubRegistry, isRegistryName: (name) => registries.some((r) => r.name === name) });
  const registry = matchRegistry(registries, upstream, opts.dockerHubRegistry);
  if (!registry) {
    // `proxy/<slug>/<slug>/<image>` reads as Docker Hub: say where hosted images are pulled instead.
    if (upstream.via === "docker-hub" && upstream.repository.startsWith(`${req.appSlug}/`)) {
      const reason = `${upstream.repository} is read as a Docker Hub repository, which this application's registries don't include. Images pushed to the Portcullis registry are pulled from it directly: ${hostsFromEnv().registryHost}/${upstream.repository}.`;
      return { status: lookupStatus.unknown_registry, body: { allowed: false, code: "unknown_registry", reason, license } };
    }
    return refuse("unknown_registry", license);
  }
  const entitled = await checkImageEntitlement(db, { teamId: row.teamId, appId: row.appId, registry, repository: upstream.repository, dockerHubRegistry: opts.dockerHubRegistry });
  if (!entitled.ok) return { status: lookupStatus[entitled.code], body: { allowed: false, code: entitled.code, reason: entitled.reason, license } };

  // Made by the registry's provider for its endpoint, as for the connection test: a registry that tested fine pulls too.
  const credentials: RegistryCredentials = await loadRegistryCredentials(db, registry, opts.providerSettings);
  const cache = await cacheAccess(registry, upstream.repository, opts);
  return {
    status: 200,
    body: {
      allowed: true,
      code: "ok",
      reason: "The license may pull from this registry.",
      license,
      registry: {
        id: registry.id,
        name: registry.name,
        endpoint: registry.endpoint,
        provider: registry.provider,
        credentialsVersion: registry.credentialsVersion,
        matchedBy: upstream.via,
        repository: upstream.repository,
        credentials,
        allowedRealmHosts: registry.allowedRealmHosts,
        ...(cache && { cache }),
      },
    },
  };
}
