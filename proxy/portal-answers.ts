import type {
  CacheAccess,
  CacheTagResponse,
  ChangeEvent,
  LookupResponse,
  PullEventBatchResponse,
  PullEventInput,
} from "@/lib/internal/contract";
import { changeKinds, lookupCodes, pathReadings, pullActions, upstreamProviders } from "@/lib/internal/wire";
import { pullReasons, pullResults } from "@/lib/activity/reasons";
import { COMPONENT_PATTERN, isValidRepository } from "@/lib/oci/names";
import {
  array,
  boolean,
  defined,
  integer,
  isoDatetime,
  nullable,
  object,
  oneOf,
  optional,
  sha256Digest,
  ShapeError,
  string,
  strictKeys,
  uuid,
  type Fields,
} from "@/lib/validations/json-checks";

/**
 * The portal's answers (lib/internal/contract.ts) as the proxy reads them, checked by hand: the
 * same rules as the contract's zod schemas (portal-answers.test.ts holds the two side by side on
 * good and broken documents), without loading zod into the proxy. Each reader returns the answer
 * or throws ShapeError naming the first field that is wrong.
 */

const str = (v: unknown, path: string) => string(v, path);
const repository = (v: unknown, path: string) => string(v, path, { test: isValidRepository, what: "is not a repository name" });

function credentials(v: unknown, path: string): NonNullable<LookupResponse["registry"]>["credentials"] {
  const o = object(v, path);
  const kind = oneOf(o.kind, ["anonymous", "basic", "ecr", "gcr"], `${path}.kind`);
  switch (kind) {
    case "anonymous":
      return { kind };
    case "basic":
      return { kind, username: str(o.username, `${path}.username`), password: str(o.password, `${path}.password`) };
    case "ecr":
      return defined({
        kind,
        accessKeyId: str(o.accessKeyId, `${path}.accessKeyId`),
        secretAccessKey: str(o.secretAccessKey, `${path}.secretAccessKey`),
        region: optional(o.region, (r) => str(r, `${path}.region`)),
        endpoint: optional(o.endpoint, (e) => str(e, `${path}.endpoint`)),
      });
    case "gcr":
      return { kind, jsonKey: str(o.jsonKey, `${path}.jsonKey`) };
  }
}

function cacheAccess(v: unknown, path: string): CacheAccess {
  const o = object(v, path);
  return {
    url: string(o.url, `${path}.url`, { test: (u) => URL.canParse(u), what: "must be a URL" }),
    repository: repository(o.repository, `${path}.repository`),
    token: string(o.token, `${path}.token`, { min: 1 }),
    tokenExpiresAt: isoDatetime(o.tokenExpiresAt, `${path}.tokenExpiresAt`),
    maxStaleSeconds: integer(o.maxStaleSeconds, `${path}.maxStaleSeconds`, 0),
  };
}

function license(v: unknown, path: string): NonNullable<LookupResponse["license"]> {
  const o = object(v, path);
  return {
    id: str(o.id, `${path}.id`),
    customerId: str(o.customerId, `${path}.customerId`),
    teamId: str(o.teamId, `${path}.teamId`),
    appId: str(o.appId, `${path}.appId`),
    expiresAt: nullable(o.expiresAt, (e) => str(e, `${path}.expiresAt`)),
  };
}

function registry(v: unknown, path: string): NonNullable<LookupResponse["registry"]> {
  const o = object(v, path);
  return defined({
    id: str(o.id, `${path}.id`),
    name: nullable(o.name, (n) => str(n, `${path}.name`)),
    endpoint: str(o.endpoint, `${path}.endpoint`),
    provider: oneOf(o.provider, upstreamProviders, `${path}.provider`),
    credentialsVersion: integer(o.credentialsVersion, `${path}.credentialsVersion`),
    matchedBy: oneOf(o.matchedBy, pathReadings, `${path}.matchedBy`),
    repository: repository(o.repository, `${path}.repository`),
    credentials: credentials(o.credentials, `${path}.credentials`),
    allowedRealmHosts: optional(o.allowedRealmHosts, (h) => array(h, `${path}.allowedRealmHosts`, str)) ?? [],
    cache: optional(o.cache, (c) => cacheAccess(c, `${path}.cache`)),
  });
}

/** A lookup answer (contract.ts lookupResponseSchema). */
export function readLookupAnswer(doc: unknown): LookupResponse {
  const o = object(doc, "");
  return defined({
    allowed: boolean(o.allowed, "allowed"),
    code: oneOf(o.code, lookupCodes, "code"),
    reason: str(o.reason, "reason"),
    license: optional(o.license, (l) => license(l, "license")),
    registry: optional(o.registry, (r) => registry(r, "registry")),
  });
}

/** The answer to a pull-log batch (pullEventBatchResponseSchema). */
export function readPullEventsAnswer(doc: unknown): PullEventBatchResponse {
  const o = object(doc, "");
  return defined({
    accepted: integer(o.accepted, "accepted"),
    unknownLicense: integer(o.unknownLicense, "unknownLicense"),
    alreadyStored: optional(o.alreadyStored, (v) => boolean(v, "alreadyStored")),
  });
}

export interface CacheEventsAnswer {
  accepted: number;
  unknownRegistry?: number;
  evicted: Array<{ registryId: string; repository: string; digest: string }>;
}

/** The answer to a batch of cache events (cacheEventBatchResponseSchema). */
export function readCacheEventsAnswer(doc: unknown): CacheEventsAnswer {
  const o = object(doc, "");
  const evicted = (e: unknown, path: string) => {
    const c = object(e, path);
    return { registryId: str(c.registryId, `${path}.registryId`), repository: str(c.repository, `${path}.repository`), digest: str(c.digest, `${path}.digest`) };
  };
  return defined({
    accepted: integer(o.accepted, "accepted"),
    unknownRegistry: optional(o.unknownRegistry, (n) => integer(n, "unknownRegistry")),
    evicted: optional(o.evicted, (e) => array(e, "evicted", evicted)) ?? [],
  });
}

/** A tag's last confirmed digest (cacheTagResponseSchema). */
export function readCacheTagAnswer(doc: unknown): CacheTagResponse {
  const o = object(doc, "");
  return { digest: sha256Digest(o.digest, "digest"), mediaType: str(o.mediaType, "mediaType"), seenAt: isoDatetime(o.seenAt, "seenAt") };
}

/** One `change` event of the change stream (changeEventSchema). */
export function readChangeEvent(doc: unknown): ChangeEvent {
  const o = object(doc, "");
  strictKeys(o, ["kind", "id"], "");
  return { kind: oneOf(o.kind, changeKinds, "kind"), id: uuid(o.id, "id") };
}

const PULL_EVENT_KEYS = ["id", "licenseId", "appSlug", "image", "reference", "action", "status", "bytes", "actor", "at", "cache", "result", "reason", "digest", "count"] as const;

/** A pull-log event as the proxy writes it (contract.ts pullEventSchema; `count` defaults to 1). */
export function readPullEvent(doc: unknown): PullEventInput {
  const o: Fields = object(doc, "");
  strictKeys(o, PULL_EVENT_KEYS, "");
  const event = defined({
    id: uuid(o.id, "id"),
    licenseId: nullable(o.licenseId, (l) => uuid(l, "licenseId")),
    appSlug: optional(o.appSlug, (s) => string(s, "appSlug", { max: 128, pattern: COMPONENT_PATTERN, what: "is not an app slug" })),
    image: string(o.image, "image", { min: 1, max: 512 }),
    reference: nullable(o.reference, (r) => string(r, "reference", { max: 256 })),
    action: oneOf(o.action, pullActions, "action"),
    status: integer(o.status, "status", 100, 599),
    bytes: integer(o.bytes, "bytes", 0),
    actor: nullable(o.actor, (a) => string(a, "actor", { max: 256 })),
    at: isoDatetime(o.at, "at"),
    cache: optional(o.cache, (c) => oneOf(c, ["hit", "miss", "stale"], "cache")),
    result: optional(o.result, (r) => oneOf(r, pullResults, "result")),
    reason: optional(o.reason, (r) => oneOf(r, pullReasons, "reason")),
    digest: optional(o.digest, (d) => sha256Digest(d, "digest")),
    count: optional(o.count, (c) => integer(c, "count", 1, 1_000_000)) ?? 1,
  });
  if (event.licenseId === null && event.appSlug === undefined) throw new ShapeError("appSlug: an event without a license needs an app slug");
  return event;
}
