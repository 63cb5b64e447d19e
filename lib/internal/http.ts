import type { z } from "zod";
import { env } from "@/lib/config/env";
import { getDb, type Db } from "@/lib/db/client";
import { AppError, toAppError } from "@/lib/errors";
import { parseInput } from "@/lib/validations/parse";
import { lookupRequestSchema, pullEventBatchSchema } from "./contract";
import { lookupProxyAccess } from "./proxy-lookup";
import { ingestPullEvents } from "./pull-events";
import { isServiceAuthorized, proxyServiceToken } from "./service-token";
import { readBodyText } from "@/lib/http/body";

/**
 * The internal API's request handling, for the thin route handlers under app/api/internal/ (and
 * for tests, which call these with real Request objects). Each request: the service token
 * (constant time), a size-capped JSON body, zod validation, then lib/internal's logic. Errors use
 * the REST API's `{"error":{code,message,fields}}` shape. Nothing here logs a body: lookup
 * requests carry license IDs and answers carry upstream credentials.
 */

export interface InternalDeps {
  db?: () => Promise<Db>;
}

const LOOKUP_BODY_LIMIT = 16 * 1024;
const PULL_EVENTS_BODY_LIMIT = 2 * 1024 * 1024;
const noStore = { "cache-control": "no-store" };

const json = (status: number, body: unknown) => Response.json(body, { status, headers: noStore });
const errorResponse = (e: AppError) => json(e.status, { error: { code: e.code, message: e.message, ...(e.fields && { fields: e.fields }) } });

function authorize(req: Request): Response | null {
  const token = proxyServiceToken();
  if (!token) {
    return json(503, { error: { code: "internal", message: "PROXY_SERVICE_TOKEN is not configured: the internal API is disabled." } });
  }
  if (!isServiceAuthorized(req.headers.get("authorization"), token)) {
    return json(401, { error: { code: "unauthenticated", message: "A valid PROXY_SERVICE_TOKEN is required." } });
  }
  return null;
}

async function readJson<S extends z.ZodType>(req: Request, schema: S, limit: number): Promise<z.output<S>> {
  const text = await readBodyText(req, limit);
  if (text === null) throw new AppError("validation_failed", `The request body is larger than ${limit} bytes.`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError("validation_failed", "The request body is not JSON.");
  }
  return parseInput(schema, raw);
}

async function run(req: Request, fn: () => Promise<Response>): Promise<Response> {
  const denied = authorize(req);
  if (denied) return denied;
  try {
    return await fn();
  } catch (e) {
    return errorResponse(toAppError(e));
  }
}

/** POST /api/internal/proxy/lookup */
export function handleLookup(req: Request, deps: InternalDeps = {}): Promise<Response> {
  return run(req, async () => {
    const input = await readJson(req, lookupRequestSchema, LOOKUP_BODY_LIMIT);
    const db = await (deps.db ?? getDb)();
    const result = await lookupProxyAccess(db, input, { dockerHubRegistry: env().DOCKER_HUB_REGISTRY });
    return json(result.status, result.body);
  });
}

/** POST /api/internal/proxy/pull-events */
export function handlePullEvents(req: Request, deps: InternalDeps = {}): Promise<Response> {
  return run(req, async () => {
    const { events } = await readJson(req, pullEventBatchSchema, PULL_EVENTS_BODY_LIMIT);
    const db = await (deps.db ?? getDb)();
    return json(200, await ingestPullEvents(db, events));
  });
}

/** GET /api/internal/proxy/ping: the portal is up and the token matches (the proxy's /readyz). */
export function handlePing(req: Request): Promise<Response> {
  return run(req, async () => json(200, { ok: true }));
}
