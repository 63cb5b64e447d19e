import type { CacheView, RegistryRow } from "@/components/images/types";

/**
 * Registries as the Images page's client components get them (components/images/types.ts), for
 * component tests: a registry that was added and never tested, with caching on and nothing cached.
 */

export function cacheView(over: Partial<CacheView> = {}): CacheView {
  return {
    enabled: true,
    maxBytes: null,
    maxStaleSeconds: 86_400,
    entries: 0,
    storedBytes: 0,
    hits: 0,
    misses: 0,
    stale: 0,
    hitRatio: null,
    cacheBytes: 0,
    upstreamBytes: 0,
    egressSaved: 0,
    since: null,
    ...over,
  };
}

export function registryRow(over: Partial<RegistryRow> = {}): RegistryRow {
  return {
    id: "reg_1",
    provider: "other",
    kindLabel: "GitHub",
    usernameLabel: "Username",
    name: null,
    host: "ghcr.io",
    address: "ghcr.io",
    endpointInput: "ghcr.io",
    username: "acme-bot",
    createdAt: "2026-11-01T09:00:00Z",
    createdByEmail: "ada@example.test",
    credentialsUpdatedAt: "2026-11-01T09:00:00Z",
    credentialsUpdatedBy: "ada@example.test",
    credentialsVersion: 1,
    allowedRealmHosts: [],
    lastTest: null,
    cache: cacheView(),
    ...over,
  };
}
