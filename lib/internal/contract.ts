import { z } from "zod";
import { licenseIdSchema } from "@/lib/licenses/license-id-schema";
import { InvalidReferenceError } from "@/lib/oci/errors";
import { COMPONENT_PATTERN, isValidRepository } from "@/lib/oci/names";
import { resolveProxyImage } from "@/lib/oci/proxy-path";
import { pullReasons, pullResults } from "@/lib/activity/reasons";
import { changeKinds, lookupCodes, MAX_PULL_EVENTS_PER_BATCH, pathReadings, pullActions, upstreamProviders } from "./wire";

export { CHANGE_HEARTBEAT_MS, CHANGE_STREAM_EVENTS, changeKinds, INTERNAL_API, MAX_PULL_EVENTS_PER_BATCH } from "./wire";

/**
 * The portal's internal API for the registry proxy (docs/contracts.md, "Other portal endpoints":
 * the proxy's lookups go to /api/internal/… with PROXY_SERVICE_TOKEN). Framework-free: the route
 * handlers validate what the proxy sends with these schemas, and the proxy (which must not import Next.js or Prisma)
 * validates the portal's answers with the same ones.
 *
 * Every request carries `Authorization: Bearer <PROXY_SERVICE_TOKEN>`. Decrypted upstream
 * credentials travel only in lookup answers on this channel; neither side logs them.
 */

/**
 * The image path as the client sent it after the app slug (`/v2/proxy/<slug>/<image…>/…`), one
 * string per segment, checked with the proxy path grammar (lib/oci/proxy-path.ts
 * `resolveProxyImage`). Which registry and which upstream repository it means is the portal's to
 * say: only it knows the team's registry names.
 */
const imagePathSchema = z
  .array(z.string().min(1).max(255))
  .min(1)
  .max(256)
  .superRefine((image, ctx) => {
    try {
      // Read as a Docker Hub path: the longest repository any reading of these segments yields.
      resolveProxyImage(image, "app", { dockerHubRegistry: "registry-1.docker.io" });
    } catch (e) {
      if (!(e instanceof InvalidReferenceError)) throw e;
      ctx.addIssue({ code: "custom", message: e.message });
    }
  });

export const lookupRequestSchema = z
  .object({
    licenseId: licenseIdSchema,
    /** Absent for `GET /v2/` (docker login): only the license itself is checked. */
    appSlug: z.string().regex(COMPONENT_PATTERN).max(128).optional(),
    image: imagePathSchema.optional(),
  })
  .strict()
  .refine((r) => !r.image || r.appSlug, { message: "an image needs an app slug", path: ["image"] });
export type LookupRequest = z.infer<typeof lookupRequestSchema>;

export type LookupCode = (typeof lookupCodes)[number];

/** HTTP status of each answer: 401 for the license itself, 403 for what it is not entitled to. */
export const lookupStatus: Record<LookupCode, 200 | 401 | 403> = {
  ok: 200,
  unknown_license: 401,
  revoked: 401,
  expired: 401,
  wrong_app: 403,
  unknown_registry: 403,
  /** The app lists its images and this is not one of them. */
  not_in_app: 403,
  /** The registry serves chosen apps only, not this one. */
  registry_not_in_app: 403,
};

const credentialsSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("anonymous") }),
  z.object({ kind: z.literal("basic"), username: z.string(), password: z.string() }),
  z.object({
    kind: z.literal("ecr"),
    accessKeyId: z.string(),
    secretAccessKey: z.string(),
    region: z.string().optional(),
    endpoint: z.string().optional(),
  }),
  z.object({ kind: z.literal("gcr"), jsonKey: z.string() }),
]);

/**
 * The proxy cache's store for one registry and repository (docs/proxy-cache.md): a repository of
 * a CNCF Distribution (by default the hosted registry) under CACHE_REPOSITORY_PREFIX, named by the
 * registry's id, so one team's copies are never another team's. The portal signs the bearer token
 * for exactly that repository (pull, push, delete).
 */
export const cacheAccessSchema = z.object({
  /** The store's API base URL, `http(s)://host[:port]`. */
  url: z.string().refine((v) => URL.canParse(v), "must be a URL"),
  /** `portcullis-cache/<registry id>/<upstream repository>`. */
  repository: z.string().refine(isValidRepository, "is not a repository name"),
  token: z.string().min(1),
  /** When the token stops working (ISO 8601). */
  tokenExpiresAt: z.iso.datetime(),
  /** How long after it was last confirmed upstream a tag's digest may still be served while the upstream fails (stale-if-error); 0 = never. */
  maxStaleSeconds: z.number().int().min(0),
});
export type CacheAccess = z.infer<typeof cacheAccessSchema>;

export const lookupResponseSchema = z.object({
  allowed: z.boolean(),
  code: z.enum(lookupCodes),
  /** Safe to show the customer (it goes into the OCI error message). */
  reason: z.string(),
  license: z
    .object({
      id: z.string(),
      customerId: z.string(),
      teamId: z.string(),
      appId: z.string(),
      expiresAt: z.string().nullable(),
    })
    .optional(),
  registry: z
    .object({
      id: z.string(),
      name: z.string().nullable(),
      /** Normalised `scheme://host[:port]`. */
      endpoint: z.string(),
      provider: z.enum(upstreamProviders),
      credentialsVersion: z.number().int(),
      /** How the image path's first part was read: an upstream host, the team's registry name, or Docker Hub. */
      matchedBy: z.enum(pathReadings),
      /** The repository to ask this registry for (`library/nginx`, `org/app`). */
      repository: z.string().refine(isValidRepository, "is not a repository name"),
      credentials: credentialsSchema,
      /** Token-service hosts, besides the registry's own, that may receive its credentials. */
      allowedRealmHosts: z.array(z.string()).default([]),
      /** Where the proxy keeps copies of this registry's content; absent when caching is off for it or there is no store. */
      cache: cacheAccessSchema.optional(),
    })
    .optional(),
});
export type LookupResponse = z.infer<typeof lookupResponseSchema>;

export type PullAction = (typeof pullActions)[number];

/**
 * One proxied request. The proxy names the license (License.id, from a lookup answer); the portal
 * takes team, customer and app from that license row, so a batch can't write into another team.
 * `id` makes retries idempotent: a batch sent twice is stored once.
 */
const pullEventSchema = z
  .object({
    id: z.uuid(),
    /** Null for an attempt whose license the portal did not know (or could not be asked about): it is recorded under `appSlug`'s team. */
    licenseId: z.uuid().nullable(),
    /** The app slug of the image path the client asked for. */
    appSlug: z.string().regex(COMPONENT_PATTERN).max(128).optional(),
    /** The repository as the client wrote it: `proxy/<app slug>/<image path>`. */
    image: z.string().min(1).max(512),
    reference: z.string().max(256).nullable(),
    action: z.enum(pullActions),
    status: z.number().int().min(100).max(599),
    bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    actor: z.string().max(256).nullable(),
    at: z.iso.datetime(),
    /** Where the answer came from: the cache, the upstream (a miss), or the cache while the upstream failed (stale). Absent: not cached. */
    cache: z.enum(["hit", "miss", "stale"]).optional(),
    /** pulled, refused or incomplete (a transfer that ended early). Absent (an older proxy's event): read from the status. */
    result: z.enum(pullResults).optional(),
    /** Why it was refused or ended early (lib/activity/reasons.ts). */
    reason: z.enum(pullReasons).optional(),
    /** The manifest's digest, for a manifest request answered with one (the digest a tag resolved to). */
    digest: z
      .string()
      .regex(/^sha256:[a-f0-9]{64}$/)
      .optional(),
    /** Refused attempts the proxy folded into this one (same license, reason, reference and minute). */
    count: z.number().int().min(1).max(1_000_000).default(1),
  })
  .strict()
  .refine((e) => e.licenseId !== null || e.appSlug !== undefined, { message: "an event without a license needs an app slug", path: ["appSlug"] });
export type PullEventInput = z.input<typeof pullEventSchema>;
export type PullEvent = z.infer<typeof pullEventSchema>;

/**
 * A batch of the pull log. `batchId` is the proxy's for this batch, the same on every retry and
 * in its spool file: the portal stores a batch once and answers a repeat `alreadyStored` — which
 * keeps the counts of refused attempts (stored by count, not by event id) exactly once. Absent (an
 * older proxy): each event id is still stored once, but refusals of a batch sent again add up again.
 */
export const pullEventBatchSchema = z.object({ batchId: z.uuid().optional(), events: z.array(pullEventSchema).min(1).max(MAX_PULL_EVENTS_PER_BATCH) }).strict();
export type PullEventBatch = z.infer<typeof pullEventBatchSchema>;

export const pullEventBatchResponseSchema = z.object({
  accepted: z.number().int(),
  /** Events of licenses that no longer exist (deleted with their customer or team). */
  unknownLicense: z.number().int(),
  /** The batch id was stored before: nothing was added (its `accepted` and `unknownLicense` are 0). */
  alreadyStored: z.boolean().optional(),
});
export type PullEventBatchResponse = z.infer<typeof pullEventBatchResponseSchema>;

const digestSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/, "must be a sha256 digest");
const upstreamRepositorySchema = z.string().max(255).refine(isValidRepository, "is not a repository name");

/**
 * What a proxy tells the portal about its cache, so that every proxy and the Images page share one
 * account of it (lib/cache/). `repository` is the upstream repository (as in lookup answers);
 * `registryId` a lookup answer's registry id.
 * - stored: a verified copy of `digest` (a blob, or a manifest stored as a blob) is now in the store;
 * - used: a copy was read from the store (least-recently-used order; a read in progress repeats it);
 * - corrupt: a copy in the store did not match its digest and was not served;
 * - tag: the upstream confirmed `tag` → `digest` at `at`.
 */
export const cacheEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("stored"), registryId: z.uuid(), repository: upstreamRepositorySchema, digest: digestSchema, size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), at: z.iso.datetime() }).strict(),
  z.object({ kind: z.literal("used"), registryId: z.uuid(), repository: upstreamRepositorySchema, digest: digestSchema, at: z.iso.datetime() }).strict(),
  z.object({ kind: z.literal("corrupt"), registryId: z.uuid(), repository: upstreamRepositorySchema, digest: digestSchema, at: z.iso.datetime() }).strict(),
  z
    .object({
      kind: z.literal("tag"),
      registryId: z.uuid(),
      repository: upstreamRepositorySchema,
      tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/),
      digest: digestSchema,
      mediaType: z.string().min(1).max(255),
      at: z.iso.datetime(),
    })
    .strict(),
]);
export type CacheEventInput = z.infer<typeof cacheEventSchema>;

/** Counts since the proxy's last batch, per registry: what the Images page and the egress saved come from. */
export const cacheTrafficSchema = z
  .object({
    registryId: z.uuid(),
    hits: z.number().int().min(0),
    misses: z.number().int().min(0),
    stale: z.number().int().min(0),
    /** Bytes sent to clients from the store. */
    cacheBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Bytes fetched from the upstream. */
    upstreamBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  })
  .strict();
export type CacheTrafficInput = z.infer<typeof cacheTrafficSchema>;

export const cacheEventBatchSchema = z
  .object({ events: z.array(cacheEventSchema).max(MAX_PULL_EVENTS_PER_BATCH), traffic: z.array(cacheTrafficSchema).max(1000).default([]) })
  .strict();
export type CacheEventBatch = z.infer<typeof cacheEventBatchSchema>;

export const cacheEventBatchResponseSchema = z.object({
  accepted: z.number().int(),
  /** Events and traffic counts of registries that no longer exist (deleted with their team), dropped. */
  unknownRegistry: z.number().int().optional(),
  /** Copies the portal wants gone (evicted, purged, or of a registry that no longer caches): the proxy forgets them. */
  evicted: z.array(z.object({ registryId: z.string(), repository: z.string(), digest: z.string() })).default([]),
});

export const cacheTagRequestSchema = z.object({ registryId: z.uuid(), repository: upstreamRepositorySchema, tag: z.string().min(1).max(128) }).strict();
export type CacheTagRequest = z.infer<typeof cacheTagRequestSchema>;
/** 200 with the last confirmed digest, or 404 `{ error }` when no proxy has seen the tag. */
export const cacheTagResponseSchema = z.object({ digest: digestSchema, mediaType: z.string(), seenAt: z.iso.datetime() });
export type CacheTagResponse = z.infer<typeof cacheTagResponseSchema>;

/**
 * What changed in a way that makes cached lookup answers wrong (docs/architecture.md, "Pushed
 * changes"): a license (revoked, un-revoked, expiry changed, deleted), a customer (archived,
 * deleted), an app (deleted), a registry (credentials rotated, updated, cache settings changed,
 * deleted) or a whole team (a registry added, which can change how image paths are read; the team
 * deleted). Ids only, never a secret. A proxy drops every cached answer that names the id.
 */
export type ChangeKind = (typeof changeKinds)[number];
export const changeEventSchema = z.object({ kind: z.enum(changeKinds), id: z.uuid() }).strict();
export type ChangeEvent = z.infer<typeof changeEventSchema>;
