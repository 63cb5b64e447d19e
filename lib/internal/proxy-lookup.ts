import type { Db } from "@/lib/db/client";
import { checkLicense } from "@/lib/licenses/verify";
import { dockerHubHost } from "@/lib/oci/reference";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { loadRegistryCredentials } from "@/lib/registries/secret";
import { withEcrDefaults } from "@/lib/registries/connection";
import { lookupStatus, type LookupCode, type LookupRequest, type LookupResponse } from "./contract";

/**
 * The proxy's one question to the portal: may this license pull this app's image from this
 * upstream, and with which credentials? Answers (status → code):
 * - 401 unknown_license / revoked (or its customer archived) / expired — the license itself is
 *   no good (lib/licenses/verify.ts checkLicense);
 * - 403 wrong_app — a valid license for another app;
 * - 403 unknown_registry — the app's team has no registry for that upstream;
 * - 200 ok — with the license's ids and, when an upstream was asked for, the matching registry
 *   and its decrypted credentials (this answer goes only to the authenticated proxy).
 *
 * Registry matching, within the license's team only:
 * - by host: the registry whose endpoint host is exactly it, else the only one with that
 *   hostname (a path can't carry a port);
 * - by name: the team's registry with that name (`<registry name>/<repository>`,
 *   docs/contracts.md, "Proxy paths");
 * - Docker Hub: the registry whose endpoint is DOCKER_HUB_REGISTRY's host.
 */

export interface LookupOptions {
  dockerHubRegistry: string;
  now?: Date;
}

export interface LookupResult {
  status: 200 | 401 | 403;
  body: LookupResponse;
}

const REASONS: Record<Exclude<LookupCode, "ok">, string> = {
  unknown_license: "The license ID is not valid.",
  revoked: "The license has been revoked.",
  expired: "The license has expired.",
  wrong_app: "The license does not cover this application.",
  unknown_registry: "This application's images are not available from that registry.",
};

const refuse = (code: Exclude<LookupCode, "ok">, license?: LookupResponse["license"]): LookupResult => ({
  status: lookupStatus[code],
  body: { allowed: false, code, reason: REASONS[code], ...(license && { license }) },
});

const hostOf = (endpoint: string) => {
  try {
    return new URL(endpoint).host.toLowerCase();
  } catch {
    return "";
  }
};
const hostnameOf = (endpoint: string) => {
  try {
    return new URL(endpoint).hostname.toLowerCase();
  } catch {
    return "";
  }
};

type RegistryRow = {
  id: string;
  teamId: string;
  name: string | null;
  endpoint: string;
  provider: "other" | "ecr" | "gcr";
  username: string;
  credentialsVersion: number;
  allowedRealmHosts: string[];
};

function matchRegistry(registries: RegistryRow[], upstream: NonNullable<LookupRequest["upstream"]>, opts: LookupOptions) {
  if (upstream.kind === "host") {
    const host = upstream.host.toLowerCase();
    const exact = registries.find((r) => hostOf(r.endpoint) === host);
    if (exact) return { registry: exact, matchedBy: "host" as const };
    const byName = registries.filter((r) => hostnameOf(r.endpoint) === host);
    return byName.length === 1 ? { registry: byName[0]!, matchedBy: "host" as const } : undefined;
  }
  if (upstream.registryName) {
    const named = registries.find((r) => r.name === upstream.registryName);
    if (named) return { registry: named, matchedBy: "name" as const };
  }
  const hub = dockerHubHost(opts.dockerHubRegistry);
  const hubRegistry = registries.find((r) => hostOf(r.endpoint) === hub);
  return hubRegistry ? { registry: hubRegistry, matchedBy: "docker-hub" as const } : undefined;
}

export async function lookupProxyAccess(db: Db, req: LookupRequest, opts: LookupOptions): Promise<LookupResult> {
  const check = await checkLicense(db, req.licenseId, { appSlug: req.appSlug, ...(opts.now && { now: opts.now }) });
  if (check.status === "invalid") return refuse("unknown_license");
  const row = check.license;
  const license = { id: row.id, customerId: row.customerId, teamId: row.teamId, appId: row.appId, expiresAt: row.expiresAt?.toISOString() ?? null };
  if (check.status === "revoked" || check.status === "expired") return refuse(check.status);
  if (check.status === "wrong_app") return refuse("wrong_app", license);
  if (!req.upstream) return { status: 200, body: { allowed: true, code: "ok", reason: "The license is valid.", license } };

  const registries = await db.registry.findMany({
    where: { teamId: row.teamId },
    select: { id: true, teamId: true, name: true, endpoint: true, provider: true, username: true, credentialsVersion: true, allowedRealmHosts: true },
    orderBy: { createdAt: "asc" },
  });
  const match = matchRegistry(registries, req.upstream, opts);
  if (!match) return refuse("unknown_registry", license);

  const { registry, matchedBy } = match;
  // The same region rule as the connection test, so a registry that tested fine pulls too.
  const credentials: RegistryCredentials = withEcrDefaults(await loadRegistryCredentials(db, registry), registry.endpoint);
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
        matchedBy,
        credentials,
        allowedRealmHosts: registry.allowedRealmHosts,
      },
    },
  };
}
