import { z } from "zod";
import { apiRoutes, pathParams, type ApiRoute } from "./routes";
import { errorStatus, type ErrorCode } from "@/lib/errors";
import { errorSchema } from "./schemas";

/**
 * The OpenAPI 3.1 document of /api/v1, generated from lib/api/routes.ts: request bodies and
 * parameters from the operations' own zod input schemas (the ones that validate requests),
 * responses from lib/api/schemas.ts (the ones the REST tests parse answers with). Schemas with
 * a meta id become components; JSON Schema draft 2020-12, which OpenAPI 3.1 uses as is.
 */
type Json = Record<string, unknown>;

const ROLE_OF = { read: "any member (read-only and up)", write: "developer or admin", admin: "admin" } as const;

/** What each error a route documents means; its status comes from the error table (lib/errors.ts). */
const ERROR_TEXT: Partial<Record<ErrorCode, string>> = {
  unauthenticated: "No token, or an invalid, expired or revoked one.",
  forbidden: "The token's role may not do this.",
  not_found: "No such record in the token's team.",
  conflict: "Conflict.",
  validation_failed: "Invalid input: `fields` says which and why.",
  unavailable: "Unavailable.",
};

/** Readability: the uuid/date regexes zod adds are implied by `format`. */
function tidy(node: unknown, response: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n, response));
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === "$schema") continue;
    if (k === "pattern" && ["uuid", "date", "date-time"].includes(String((node as Json).format))) continue;
    // Answers may gain fields: don't tell strict clients they never will.
    if (response && k === "additionalProperties" && v === false) continue;
    out[k] = tidy(v, response);
  }
  return out;
}

class SchemaCollector {
  readonly components: Record<string, Json> = {};

  /** The JSON Schema of a zod schema, its named parts moved to components. */
  convert(schema: z.ZodType, io: "input" | "output"): Json {
    const raw = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as Json;
    const text = JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/');
    const json = tidy(JSON.parse(text), io === "output") as Json;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    for (const [name, def] of Object.entries(defs)) {
      const existing = this.components[name];
      if (existing && JSON.stringify(existing) !== JSON.stringify(def)) throw new Error(`Two different schemas are named ${name}`);
      this.components[name] = def;
    }
    return json;
  }
}

/** Removes properties (path parameters) from an object schema or each branch of a union. */
function withoutProperties(schema: Json, keys: string[]): Json {
  const copy: Json = { ...schema };
  if (copy.properties) {
    const props = { ...(copy.properties as Json) };
    for (const k of keys) delete props[k];
    copy.properties = props;
    if (Array.isArray(copy.required)) {
      copy.required = (copy.required as string[]).filter((k) => !keys.includes(k));
      if ((copy.required as string[]).length === 0) delete copy.required;
    }
  }
  for (const union of ["oneOf", "anyOf"] as const) {
    if (Array.isArray(copy[union])) copy[union] = (copy[union] as Json[]).map((b) => withoutProperties(b, keys));
  }
  return copy;
}

const hasProperties = (s: Json): boolean =>
  Object.keys((s.properties as Json | undefined) ?? {}).length > 0 || (["oneOf", "anyOf"] as const).some((u) => Array.isArray(s[u]));

/** The object schema of an operation's input (unwrapping `.optional()`), for parameters. */
function inputProperties(input: Json): { properties: Json; required: string[] } {
  const branch = (input.anyOf as Json[] | undefined)?.find((b) => b.type === "object") ?? input;
  return { properties: (branch.properties as Json | undefined) ?? {}, required: (branch.required as string[] | undefined) ?? [] };
}

const errorResponse = (code: ErrorCode, why?: string) => ({
  description: why ? `${ERROR_TEXT[code]} ${why}`.replace(/^(Conflict|Unavailable)\. /, "") : ERROR_TEXT[code]!,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

function operationOf(route: ApiRoute, schemas: SchemaCollector): Json {
  const input = schemas.convert(route.op.input, "input");
  const { properties, required } = inputProperties(input);
  const names = pathParams(route.path);
  const parameters: Json[] = [
    ...names.map((name) => {
      const key = route.params?.[name] ?? name;
      return { name, in: "path", required: true, schema: (properties[key] as Json | undefined) ?? { type: "string", format: "uuid" } };
    }),
    ...(route.query ?? []).map((key) => {
      const schema = { ...((properties[key] as Json | undefined) ?? { type: "string" }) };
      const description = schema.description;
      delete schema.description;
      return { name: key, in: "query", required: required.includes(key), schema, ...(description ? { description } : {}) };
    }),
  ];

  const operation: Json = {
    operationId: route.operationId ?? route.op.name,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, `Requires: ${ROLE_OF[route.op.permission]}.`].filter(Boolean).join("\n\n"),
    "x-permission": route.op.permission,
    ...(parameters.length ? { parameters } : {}),
  };

  if (route.method === "POST" || route.method === "PUT" || route.method === "PATCH") {
    const body = route.body ? schemas.convert(route.body, "input") : withoutProperties(input, names.map((n) => route.params?.[n] ?? n));
    if (hasProperties(body)) {
      operation.requestBody = { required: true, content: { "application/json": { schema: body } } };
    }
  }

  const ok = route.successStatus ?? 200;
  const responses: Json = {
    [ok]:
      route.response === "yaml"
        ? { description: "The signed license file.", content: { "application/yaml": { schema: { type: "string" } } } }
        : { description: ok === 201 ? "Created." : "OK.", content: { "application/json": { schema: schemas.convert(route.response, "output") } } },
    [errorStatus.unauthenticated]: errorResponse("unauthenticated"),
  };
  const add = (code: ErrorCode, why?: string) => (responses[errorStatus[code]] = errorResponse(code, why));
  if (route.op.permission !== "read") add("forbidden");
  if (names.length) add("not_found");
  if (route.conflict) add("conflict", route.conflict);
  add("validation_failed");
  if (route.unavailable) add("unavailable", route.unavailable);
  operation.responses = responses;
  return operation;
}

export function openApiDocument(opts: { serverUrl?: string } = {}): Json {
  const schemas = new SchemaCollector();
  schemas.convert(errorSchema, "output");
  const paths: Record<string, Json> = {};
  for (const route of apiRoutes as readonly ApiRoute[]) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route, schemas);
  }
  const tags = [...new Set((apiRoutes as readonly ApiRoute[]).map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Portcullis vendor API",
      version: "1",
      description:
        "Manage apps, registries, customers and licenses from CI. Authenticate with an API token from the portal's Tokens page: `Authorization: Bearer <token>`. JSON in and out; errors are `{\"error\":{\"code\",\"message\",\"fields\"}}`.",
    },
    servers: [{ url: `${opts.serverUrl ?? ""}/api/v1` }],
    security: [{ bearerToken: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        bearerToken: {
          type: "http",
          scheme: "bearer",
          description: "A personal (`pcu_…`), service-account (`pcs_…`) or team (`pct_…`) token. Its role decides what it may do.",
        },
      },
      schemas: schemas.components,
    },
  };
}
