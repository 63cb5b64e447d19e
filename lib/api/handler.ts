import { getDb, type Db } from "@/lib/db/client";
import { AppError, toAppError } from "@/lib/errors";
import { invoke } from "@/lib/server/operation";
import { authenticateBearer } from "@/lib/tokens/authenticate";
import { ConnectionTestFailedError } from "@/lib/registries/connection";
import { findApiRoute, pathParams, type ApiRoute, type ApiRouteKey } from "./routes";
import { readBodyText } from "@/lib/http/body";
import { clientIpFromHeaders } from "@/lib/http/client-ip";

/**
 * The one wrapper of every /api/v1 route: bearer token → team context, JSON body and query and
 * path parameters → the operation's input, `invoke` (validation and role), and every failure as
 * `{"error":{code,message,fields}}` with its status. Unexpected errors are a 500 whose message
 * says nothing (toAppError logs the real one).
 */
const BODY_LIMIT = 256 * 1024;
const baseHeaders = { "cache-control": "no-store" };

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
export type ApiHandler = (req: Request, context: RouteContext) => Promise<Response>;

/** For tests: where the handlers get their database (default: the process's shared client). */
let dbSource: () => Promise<Db> = getDb;
export function setApiDatabase(source: (() => Promise<Db>) | null) {
  dbSource = source ?? getDb;
}

export function errorResponse(e: AppError): Response {
  const headers: Record<string, string> = { ...baseHeaders };
  if (e.code === "unauthenticated") headers["www-authenticate"] = 'Bearer realm="portcullis", error="invalid_token"';
  if (e.retryAfterSeconds) headers["retry-after"] = String(e.retryAfterSeconds);
  const body = {
    error: {
      code: e.code,
      message: e.message,
      ...(e.fields && { fields: e.fields }),
      ...(e instanceof ConnectionTestFailedError && { test: e.test }),
    },
  };
  return Response.json(body, { status: e.status, headers });
}

const clientIp = (req: Request) => clientIpFromHeaders(req.headers);

function bearerToken(req: Request): string {
  const header = req.headers.get("authorization");
  if (!header) throw new AppError("unauthenticated", "Send an API token: Authorization: Bearer <token>. Create one on the portal's Tokens page.");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AppError("unauthenticated", "The Authorization header must be `Bearer <token>`.");
  return m[1]!;
}

async function readBody(req: Request): Promise<Record<string, unknown>> {
  const text = await readBodyText(req, BODY_LIMIT);
  if (text === null) throw new AppError("validation_failed", `The request body is larger than ${BODY_LIMIT} bytes.`);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("validation_failed", "The request body is not valid JSON.", { fields: { _: "Send a JSON object." } });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError("validation_failed", "The request body must be a JSON object.", { fields: { _: "Send a JSON object." } });
  }
  return value as Record<string, unknown>;
}

async function inputOf(route: ApiRoute, req: Request, context: RouteContext): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  const url = new URL(req.url);
  for (const key of route.query ?? []) {
    const v = url.searchParams.get(key);
    if (v !== null) input[key] = v;
  }
  if (route.method !== "GET") Object.assign(input, await readBody(req));
  // Path parameters win over anything in the body: the URL names the record.
  const params = await context.params;
  for (const name of pathParams(route.path)) {
    const v = params[name];
    input[route.params?.[name] ?? name] = Array.isArray(v) ? v[0] : v;
  }
  return input;
}

function success(route: ApiRoute, result: unknown, input: Record<string, unknown>): Response {
  if (route.response === "yaml") {
    const file = result as { filename: string; yaml: string };
    return new Response(file.yaml, {
      status: 200,
      headers: { ...baseHeaders, "content-type": "application/yaml; charset=utf-8", "content-disposition": `attachment; filename="${file.filename}"` },
    });
  }
  const body = route.present ? route.present(result, input) : result;
  return Response.json(body, { status: route.successStatus ?? 200, headers: baseHeaders });
}

/** The handler of one route of lib/api/routes.ts, e.g. `export const GET = apiHandler("GET /apps")`. */
export function apiHandler(key: ApiRouteKey): ApiHandler {
  const route = findApiRoute(key);
  return async (req, context) => {
    try {
      const db = await dbSource();
      const ctx = await authenticateBearer(db, bearerToken(req), { ip: clientIp(req) });
      if (!ctx) throw new AppError("unauthenticated", "The API token is invalid, expired or revoked.");
      const input = await inputOf(route, req, context);
      const result = await invoke(route.op, ctx, input);
      return success(route, result, input);
    } catch (e) {
      return errorResponse(toAppError(e));
    }
  };
}

/** Unknown paths under /api/v1 answer in the API's error format, not with the portal's HTML 404. */
export function unknownApiPath(): Promise<Response> {
  return Promise.resolve(errorResponse(new AppError("not_found", "There is no such API path. See /api/v1/openapi.json.")));
}
