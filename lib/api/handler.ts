import { AppError } from "@/lib/errors";
import { invoke } from "@/lib/server/operation";
import { apiToken } from "@/lib/http/auth/api-token";
import { publicAccess } from "@/lib/http/auth/public";
import { jsonErrorResponse } from "@/lib/http/error-response";
import { fileResponse, jsonResponse } from "@/lib/http/responses";
import { defineRoute, type RouteHandler, type RouteParams } from "@/lib/http/route";
import { findApiRoute, pathParams, type ApiRoute, type ApiRouteKey } from "./routes";

/**
 * The handler of every /api/v1 route, on the boundary kit (lib/http/route.ts): an API token →
 * team context; the JSON body, query and path parameters → the operation's input; `invoke`
 * (validation and role); every failure as `{"error":{code,message,fields}}` with its status.
 * Unexpected errors are a 500 whose message says nothing (toAppError logs the real one).
 */
export type ApiHandler = RouteHandler;

function inputOf(route: ApiRoute, req: Request, body: Record<string, unknown> | undefined, params: RouteParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const url = new URL(req.url);
  for (const key of route.query ?? []) {
    const v = url.searchParams.get(key);
    if (v !== null) input[key] = v;
  }
  if (body) Object.assign(input, body);
  // Path parameters win over anything in the body: the URL names the record.
  for (const name of pathParams(route.path)) {
    const v = params[name];
    input[route.params?.[name] ?? name] = Array.isArray(v) ? v[0] : v;
  }
  return input;
}

function success(route: ApiRoute, result: unknown, input: Record<string, unknown>): Response {
  if (route.response === "yaml") {
    const file = result as { filename: string; yaml: string };
    return fileResponse(file.yaml, { contentType: "application/yaml; charset=utf-8", filename: file.filename });
  }
  const body = route.present ? route.present(result, input) : result;
  return jsonResponse(route.successStatus ?? 200, body);
}

/** The handler of one route of lib/api/routes.ts, e.g. `export const GET = apiHandler("GET /apps")`. */
export function apiHandler(key: ApiRouteKey): ApiHandler {
  const route = findApiRoute(key);
  return defineRoute({
    auth: apiToken,
    body: route.method === "GET" ? undefined : "object",
    limit: 256 * 1024,
    errors: "json",
    async handler({ req, caller, body, params }) {
      const input = inputOf(route, req, body as Record<string, unknown> | undefined, params);
      return success(route, await invoke(route.op, caller, input), input);
    },
  });
}

/** Unknown paths under /api/v1 answer in the API's error format, not with the portal's HTML 404. */
export const unknownApiPath: RouteHandler = defineRoute({
  auth: publicAccess,
  errors: "json",
  handler: () => Promise.resolve(jsonErrorResponse(new AppError("not_found", "There is no such API path. See /api/v1/openapi.json."))),
});
