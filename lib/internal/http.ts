import { serviceToken } from "@/lib/http/auth/service-token";
import { jsonResponse } from "@/lib/http/responses";
import { defineRoute } from "@/lib/http/route";
import { lookupRequestSchema, pullEventBatchSchema } from "./contract";
import { lookupProxyAccess } from "./proxy-lookup";
import { ingestPullEvents } from "./pull-events";

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
  async handler({ body, deps }) {
    const result = await lookupProxyAccess(await deps.db(), body, { dockerHubRegistry: deps.env().DOCKER_HUB_REGISTRY, providerSettings: deps.env() });
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
    return jsonResponse(200, await ingestPullEvents(await deps.db(), body.events));
  },
});

/** GET /api/internal/proxy/ping: the portal is up and the token matches (the proxy's /readyz). */
export const handlePing = defineRoute({
  auth: serviceToken(),
  errors: "json",
  handler: () => Promise.resolve(jsonResponse(200, { ok: true })),
});
