/**
 * The names and limits of the portal's internal API for the registry proxy (./contract.ts holds
 * its schemas). Plain constants, no zod: the proxy imports these at run time and checks the
 * portal's answers with hand-written validators (proxy/portal-answers.ts), keeping zod's ~14 MiB
 * out of its memory.
 */
export const INTERNAL_API = {
  /** POST: license + app + image path → may this pull proceed, from which upstream repository, with which credentials. */
  lookup: "/api/internal/proxy/lookup",
  /** POST: a batch of pull-log events. */
  pullEvents: "/api/internal/proxy/pull-events",
  /** GET: the portal is up and accepts this token (the proxy's /readyz). */
  ping: "/api/internal/proxy/ping",
  /** POST: a batch of cache events (copies stored, read, found corrupt; tags resolved; traffic). */
  cacheEvents: "/api/internal/proxy/cache-events",
  /** POST: the last digest any proxy saw for a tag (stale-if-error when this proxy has none). */
  cacheTag: "/api/internal/proxy/cache-tag",
  /** GET: Server-Sent Events naming what changed (contract.ts changeEventSchema), so proxies drop cached lookup answers at once. */
  changes: "/api/internal/proxy/changes",
} as const;

export const lookupCodes = ["ok", "unknown_license", "revoked", "expired", "wrong_app", "unknown_registry", "not_in_app", "registry_not_in_app"] as const;

/** A lookup answer's `registry.provider`: how the proxy authenticates to it. */
export const upstreamProviders = ["other", "ecr", "gcr"] as const;

/** A lookup answer's `registry.matchedBy`: how the image path's first part was read. */
export const pathReadings = ["host", "name", "docker-hub"] as const;

export const pullActions = ["pull-manifest", "head-manifest", "pull-blob", "head-blob", "list-tags", "list-referrers"] as const;

export const MAX_PULL_EVENTS_PER_BATCH = 1000;

export const changeKinds = ["license", "customer", "app", "registry", "team"] as const;

/**
 * The stream's events (`text/event-stream`): `ready` once the portal listens for changes (the
 * proxy then drops its whole lookup cache: it may have missed changes while it was not
 * connected), then one `change` event (data: a ChangeEvent) per change, and a comment line every
 * CHANGE_HEARTBEAT_MS. The stream ends when the portal stops listening; the proxy reconnects.
 */
export const CHANGE_STREAM_EVENTS = { ready: "ready", change: "change" } as const;
export const CHANGE_HEARTBEAT_MS = 15_000;
