import { serviceToken } from "@/lib/http/auth/service-token";
import { jsonResponse } from "@/lib/http/responses";
import { defineRoute } from "@/lib/http/route";
import { ingestCacheEvents } from "@/lib/cache/events";
import { cacheStoreClient, cacheStoreUrl } from "@/lib/cache/store";
import { notFound } from "@/lib/errors";
import { lastConfirmedTag } from "@/lib/cache/tags";
import { cacheEventBatchSchema, cacheTagRequestSchema, lookupRequestSchema, pullEventBatchSchema } from "./contract";
import { lookupProxyAccess } from "./proxy-lookup";
import { lookupCacheFor } from "./lookup-cache";
import { ingestPullEvents } from "./pull-events";
import { changeStreamResponse } from "./changes-stream";

/**
 * The internal API's routes, for the thin route files under app/api/internal/ (tests call them
 * with real Request objects, on their own database and configuration through `.with({ db, env })`). Each request: the
 * service token (constant time), a size-capped JSON body, zod validation, then lib/internal's
 * logic; errors in the REST API's `{"error":{code,message,fields}}` shape (lib/http/route.ts).
 * Nothing here logs a body: lookup requests carry license IDs and answers carry upstream
 * credentials.
 */

/** POST /api/internal/proxy/lookup */
export const handleLookup = defineRoute({
  auth: serviceToken(),
  body: lookupRequestSchema,
  limit: 16 * 1024,
  errors: "json",
  async handler({ req, body, deps }) {
    const env = deps.env();
    const db = await deps.db();
    const compute = () => lookupProxyAccess(db, body, { dockerHubRegistry: env.DOCKER_HUB_REGISTRY, providerSettings: env, cacheStoreUrl: cacheStoreUrl(env) });
    // Answers kept in this process, dropped by the change channel (lookup-cache.ts); the proxy asks past it with no-cache.
    const cache = lookupCacheFor(deps.changes(), env.PORTAL_LOOKUP_CACHE_TTL_MS);
    const fresh = /\bno-cache\b/i.test(req.headers.get("cache-control") ?? "");
    const result = cache ? await cache.lookup(body, compute, { fresh }) : await compute();
    return jsonResponse(result.status, result.body);
  },
});

/** POST /api/internal/proxy/pull-events */
export const handlePullEvents = defineRoute({
  auth: serviceToken(),
  body: pullEventBatchSchema,
  limit: 2 * 1024 * 1024,
  errors: "json",
  async handler({ body, deps }) {
    return jsonResponse(200, await ingestPullEvents(await deps.db(), body));
  },
});

/** POST /api/internal/proxy/cache-events: the proxies' account of the cache; answers what they should forget. */
export const handleCacheEvents = defineRoute({
  auth: serviceToken(),
  body: cacheEventBatchSchema,
  limit: 2 * 1024 * 1024,
  errors: "json",
  async handler({ body, deps }) {
    return jsonResponse(200, await ingestCacheEvents(await deps.db(), body, { store: cacheStoreClient(deps.env()) }));
  },
});

/** POST /api/internal/proxy/cache-tag: 200 with a tag's last confirmed digest, 404 when no proxy has seen it. */
export const handleCacheTag = defineRoute({
  auth: serviceToken(),
  body: cacheTagRequestSchema,
  limit: 16 * 1024,
  errors: "json",
  async handler({ body, deps }) {
    const tag = await lastConfirmedTag(await deps.db(), body);
    if (!tag) throw notFound("No proxy has confirmed this tag upstream.");
    return jsonResponse(200, tag);
  },
});

/** GET /api/internal/proxy/ping: the portal is up and the token matches (the proxy's /readyz). */
export const handlePing = defineRoute({
  auth: serviceToken(),
  errors: "json",
  handler: () => Promise.resolve(jsonResponse(200, { ok: true })),
});

/** GET /api/internal/proxy/changes: Server-Sent Events naming what changed (changes-stream.ts). */
export const handleChanges = defineRoute({
  auth: serviceToken(),
  errors: "json",
  handler: ({ req, deps }) => changeStreamResponse(deps.changes(), req.signal),
});
