import type { z } from "zod";
import { env, type Env } from "@/lib/config/env";
import { getDb, type Db } from "@/lib/db/client";
import { processChangeHub, type ChangeHub } from "@/lib/internal/changes-hub";
import { toAppError } from "@/lib/server/to-app-error";
import { parseInput } from "@/lib/validations/parse";
import { jsonErrorResponse, ociErrorResponse, textErrorResponse, type ErrorFormat } from "./error-response";
import { readJsonBody } from "./request-body";

/**
 * The one boundary of every machine endpoint (REST API, internal API, token service and
 * registry events, license downloads): authenticate with the route's strategy, read and
 * size-limit the body, parse it with its zod schema (lib/validations/parse.ts), run the handler,
 * and map any error through the one mapper of the route's format. What a route needs from
 * outside (the database, the configuration) comes in as arguments: `route.with({ db, env })` is
 * the same route on another database or configuration, for tests.
 */
export interface RouteDeps {
  db: () => Promise<Db>;
  env: () => Env;
  /** Where the proxies' change streams come from (lib/internal/changes-hub.ts). */
  changes: () => ChangeHub;
}

export type RouteParams = Record<string, string | string[] | undefined>;
export interface RouteContext {
  params?: Promise<RouteParams>;
}

/** Who may call a route: the caller it resolves, or the Response that refuses the request. */
export interface AuthStrategy<C> {
  authenticate(req: Request, deps: RouteDeps): Promise<C | Response>;
  /** WWW-Authenticate of the route's 401 answers. */
  challenge?: string;
}

/** The body a route reads: a zod schema (any JSON value, then the schema), or "object" (a JSON object, validated later). */
export type BodySpec = z.ZodType | "object";
type BodyOf<B> = B extends z.ZodType ? z.output<B> : B extends "object" ? Record<string, unknown> : undefined;

export interface RouteArgs<C, B> {
  req: Request;
  caller: C;
  body: BodyOf<B>;
  params: RouteParams;
  deps: RouteDeps;
}

export interface RouteSpec<C, B extends BodySpec | undefined> {
  auth: AuthStrategy<C>;
  body?: B;
  /** The body's size limit in bytes (default 256 KiB). */
  limit?: number;
  /** The error format: "json" (REST, internal), "text" (for people), "oci" (the handler answers its own errors). */
  errors: ErrorFormat;
  handler(args: RouteArgs<C, B>): Promise<Response>;
}

export type RouteHandler = ((req: Request, context?: RouteContext) => Promise<Response>) & {
  /** The same route with other dependencies (tests). */
  with(deps: Partial<RouteDeps>): RouteHandler;
};

const DEFAULT_LIMIT = 256 * 1024;
const defaultDeps: RouteDeps = { db: () => getDb(), env, changes: processChangeHub };

export function defineRoute<C, B extends BodySpec | undefined = undefined>(spec: RouteSpec<C, B>, deps: RouteDeps = defaultDeps): RouteHandler {
  const mapError = (e: unknown): Response => {
    const err = toAppError(e);
    if (spec.errors === "text") return textErrorResponse(err);
    if (spec.errors === "oci") return ociErrorResponse(err);
    return jsonErrorResponse(err, { challenge: spec.auth.challenge });
  };
  const run = async (req: Request, context?: RouteContext): Promise<Response> => {
    try {
      const caller = await spec.auth.authenticate(req, deps);
      if (caller instanceof Response) return caller;
      let body: unknown;
      if (spec.body !== undefined) {
        const raw = await readJsonBody(req, spec.limit ?? DEFAULT_LIMIT, spec.body === "object" ? "object" : "value");
        body = spec.body === "object" ? raw : parseInput(spec.body as z.ZodType, raw);
      }
      const params = (await context?.params) ?? {};
      return await spec.handler({ req, caller, body: body as BodyOf<B>, params, deps });
    } catch (e) {
      return mapError(e);
    }
  };
  return Object.assign(run, { with: (more: Partial<RouteDeps>) => defineRoute(spec, { ...deps, ...more }) });
}
