import { describe, expect, it } from "vitest";
import { apiRouteFiles } from "@/test/support/api";
import { lintJsonSchema } from "@/test/support/json-schema-lint";
import { errorStatus } from "@/lib/errors";
import { openApiDocument } from "./openapi";
import { apiRoutes, pathParams, routeKey, type ApiRoute } from "./routes";

type Json = Record<string, any>;
const doc = openApiDocument() as Json;
const routes = apiRoutes as readonly ApiRoute[];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** "/customers/[id]/licenses" → "/customers/{id}/licenses" */
const toOpenApiPath = (pattern: string) => pattern.replace(/\[(\w+)\]/g, "{$1}");
const NOT_API_ROUTES = new Set(["/openapi.json", "/[...path]"]);

describe("the REST routes and their table", () => {
  it("every route file exports exactly the methods the table lists for its path", async () => {
    const exported: string[] = [];
    for (const { file, pattern } of apiRouteFiles()) {
      if (NOT_API_ROUTES.has(pattern)) continue;
      const mod = (await import(file)) as Record<string, unknown>;
      for (const m of METHODS) if (typeof mod[m] === "function") exported.push(`${m} ${toOpenApiPath(pattern)}`);
    }
    expect(exported.sort()).toEqual(routes.map(routeKey).sort());
  });

  it("has the documented resources (docs/contracts.md, \"Vendor REST API\")", () => {
    const keys = routes.map(routeKey);
    for (const k of [
      "GET /apps",
      "POST /apps",
      "PATCH /apps/{id}",
      "DELETE /apps/{id}",
      "GET /registries",
      "POST /registries",
      "GET /registries/{id}",
      "PATCH /registries/{id}",
      "DELETE /registries/{id}",
      "POST /registries/{id}/test",
      "POST /registries/{id}/credentials",
      "GET /registries/{id}/cache",
      "PATCH /registries/{id}/cache",
      "POST /registries/{id}/cache/purge",
      "GET /customers",
      "POST /customers",
      "POST /customers/{id}/licenses",
      "POST /licenses/{id}/revoke",
      "GET /audit-events",
    ]) {
      expect(keys).toContain(k);
    }
  });
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with bearer auth, and JSON", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearerToken).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearerToken: [] }]);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("documents every route, and only those, with unique operation ids", () => {
    const documented: string[] = [];
    const ids: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        documented.push(`${method.toUpperCase()} ${path}`);
        ids.push(op.operationId);
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(op.responses["401"], `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses).some((s) => s.startsWith("2")), `${method} ${path} has a success response`).toBe(true);
      }
    }
    expect(documented.sort()).toEqual(routes.map(routeKey).sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("declares each path parameter, and 404 where a record is named, 403 where a role is needed", () => {
    for (const route of routes) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      const declared = (op.parameters ?? []).filter((p: Json) => p.in === "path").map((p: Json) => p.name);
      expect(declared, routeKey(route)).toEqual(pathParams(route.path));
      for (const p of op.parameters ?? []) if (p.in === "path") expect(p.required).toBe(true);
      if (pathParams(route.path).length) expect(op.responses["404"], routeKey(route)).toBeTruthy();
      if (route.op.permission !== "read") expect(op.responses["403"], routeKey(route)).toBeTruthy();
      if (route.method === "POST" && route.path === "/apps") expect(op.requestBody.content["application/json"].schema.required).toEqual(["name"]);
    }
  });

  it("every schema in it is valid JSON Schema 2020-12 and every $ref resolves", () => {
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas as Json)) problems.push(...lintJsonSchema(schema, doc, `#/components/schemas/${name}`));
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        const at = `${method.toUpperCase()} ${path}`;
        for (const p of op.parameters ?? []) problems.push(...lintJsonSchema(p.schema, doc, `${at} parameter ${p.name}`));
        const body = op.requestBody?.content?.["application/json"]?.schema;
        if (body) problems.push(...lintJsonSchema(body, doc, `${at} body`));
        for (const [status, r] of Object.entries(op.responses as Json)) {
          for (const media of Object.values((r as Json).content ?? {})) problems.push(...lintJsonSchema((media as Json).schema, doc, `${at} ${status}`));
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("the lint catches what it claims to", () => {
    expect(lintJsonSchema({ type: "strnig" }, {})).toHaveLength(1);
    expect(lintJsonSchema({ properties: { a: { minLength: -1 } } }, {})).toHaveLength(1);
    expect(lintJsonSchema({ $ref: "#/components/schemas/Nope" }, {})).toHaveLength(1);
    expect(lintJsonSchema({ pattern: "(" }, {})).toHaveLength(1);
    expect(lintJsonSchema({ required: ["x"], properties: {} }, {})).toHaveLength(1);
    expect(lintJsonSchema({ nullable: true }, {})).toHaveLength(1); // OpenAPI 3.0 only
  });

  it("documents app deletion: admins, confirmSlug, 503 when the hosted registry is down, and the error codes", () => {
    const del = doc.paths["/apps/{id}"].delete;
    expect(del["x-permission"]).toBe("admin");
    expect(del.parameters.map((p: Json) => p.name)).toEqual(["id", "confirmSlug"]);
    expect(del.responses["503"].description).toMatch(/hosted registry/);
    expect(doc.paths["/apps/{id}"].patch["x-permission"]).toBe("write");
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain("unavailable");
  });

  it("documents exactly the error table's codes, and only its statuses as error answers", () => {
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toEqual(Object.keys(errorStatus));
    const statuses = new Set<number>(Object.values(errorStatus));
    for (const methods of Object.values(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)) {
      for (const op of Object.values(methods)) {
        for (const status of Object.keys(op.responses).map(Number).filter((s) => s >= 400)) expect(statuses).toContain(status);
      }
    }
  });

  it("never documents a secret in a response", () => {
    const text = JSON.stringify(doc.components.schemas.Registry);
    expect(text).not.toMatch(/"password"|secretAccessKey|jsonKey/);
  });
});
