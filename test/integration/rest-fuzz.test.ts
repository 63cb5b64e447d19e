import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { setupTestDatabase } from "@/test/support/db";
import { configureTestEnv } from "@/test/support/test-env";
import { twoTeams } from "@/test/support/factories";
import { apiRequest } from "@/test/support/api";
import { hostileString } from "@/test/support/arbitraries";
import { invoke } from "@/lib/server/operation";
import { apiRoutes, pathParams, routeKey, type ApiRoute } from "@/lib/api/routes";
import { errorSchema } from "@/lib/api/schemas";
import { createServiceAccount } from "@/lib/tokens/operations";
import { createApp } from "@/lib/apps/operations";
import { createCustomer } from "@/lib/customers/operations";
import { createLicense } from "@/lib/licenses/operations";
import { addSsoDomain } from "@/lib/sso/domains";

/**
 * Every route of the REST API, fed generated bodies, query strings and path parameters: each
 * answer is a 2xx or a 4xx in the documented error shape, never a 500, and a NUL byte in any
 * string field is refused with 422 naming a field.
 *
 * Operations that contact a registry (create, test, rotate) get only bodies with a NUL in some
 * string field, which validation must refuse before any connection is made; every other route
 * gets arbitrary JSON, near-valid bodies with one field replaced by a hostile value, and raw text.
 */
configureTestEnv({ name: "rest-fuzz" });

const REACHES_A_REGISTRY = new Set(["registries.create", "registries.test", "registries.rotate"]);
const RUNS = 40;

const t = setupTestDatabase();
let token = "";
/** Real ids of the admin's team, per path parameter name of the routes. */
const ids: Record<string, string[]> = {};

beforeAll(async () => {
  const { adminA } = await twoTeams(t.db);
  token = (await invoke(createServiceAccount, adminA, { name: "fuzz", role: "admin" })).token;
  const app = await invoke(createApp, adminA, { name: "Fuzz", slug: `fuzz-${Date.now().toString(36)}` });
  const customer = await invoke(createCustomer, adminA, { name: "Fuzz customer" });
  const license = await invoke(createLicense, adminA, { customerId: customer.id, app: app.slug, type: "trial" });
  // A loopback endpoint, which the SSRF rules refuse here: a test of this registry never connects.
  const registry = await t.db.registry.create({
    data: { teamId: adminA.teamId, provider: "other", endpoint: "http://127.0.0.1:1", endpointInput: "http://127.0.0.1:1", username: "u" },
  });
  const ssoDomain = await invoke(addSsoDomain, adminA, { domain: "fuzz.example.test" });
  Object.assign(ids, { app: [app.id], customer: [customer.id], license: [license.id], registry: [registry.id], ssoDomain: [ssoDomain.id] });
});

const routes = apiRoutes as readonly ApiRoute[];
/** Which kind of object a path's `{id}` names: the first segment of the path. */
const idKind = (route: ApiRoute) => ({ apps: "app", customers: "customer", licenses: "license", registries: "registry", sso: "ssoDomain" })[route.path.split("/")[1]!] ?? "";

function urlOf(route: ApiRoute, pathValue: (name: string) => string, query = ""): string {
  let path = route.path;
  for (const name of pathParams(route.path)) path = path.replace(`{${name}}`, encodeURIComponent(pathValue(name)));
  return `/api/v1${path}${query}`;
}

/** The property names of a route's JSON body (from its input schema, as the OpenAPI document has them). */
function bodyProperties(route: ApiRoute): Record<string, Record<string, unknown>> {
  const json = z.toJSONSchema(route.body ?? route.op.input, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const branches = [json, ...(((json.anyOf ?? json.oneOf) as Record<string, unknown>[] | undefined) ?? [])];
  const props: Record<string, Record<string, unknown>> = {};
  for (const b of branches) Object.assign(props, (b.properties as Record<string, Record<string, unknown>> | undefined) ?? {});
  for (const name of pathParams(route.path)) delete props[route.params?.[name] ?? name];
  return props;
}

/** A plausible value for a property: its example, its first enum value, or a value of its type. */
function plausible(schema: Record<string, unknown>): unknown {
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const branch = ((schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined)?.[0];
  if (branch) return plausible(branch);
  return { string: "fuzz", boolean: true, integer: 1, number: 1, array: [], object: {} }[schema.type as string] ?? "fuzz";
}

const hostileValue = fc.oneof(
  hostileString(40),
  fc.constant("\u0000"),
  fc.string({ maxLength: 300 }).map((s) => `${s}\u0000`),
  fc.constant("x".repeat(10_000)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

async function send(method: string, url: string, opts: { body?: unknown; rawBody?: string }) {
  const res = await apiRequest(method, url, { token, ...opts, db: async () => t.db });
  const text = await res.text();
  return { status: res.status, text };
}

function expectHandled(r: { status: number; text: string }, what: string) {
  expect(r.status, `${what} → ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
  if (r.status >= 400) expect(() => errorSchema.parse(JSON.parse(r.text)), `${what}: error shape`).not.toThrow();
}

const withBody = routes.filter((r) => r.method === "POST" || r.method === "PATCH" || r.method === "DELETE");

describe("REST API under generated input", () => {
  it("covers every route of the table", () => {
    expect(withBody.length).toBeGreaterThan(5);
    for (const r of routes) if (pathParams(r.path).length) expect(ids[idKind(r)], `ids for ${routeKey(r)}`).toBeDefined();
  });

  it.each(withBody.filter((r) => !REACHES_A_REGISTRY.has(r.op.name)).map((r) => [routeKey(r), r] as const))(
    "%s: arbitrary and near-valid bodies get a 2xx or a 4xx, never a 500",
    async (key, route) => {
      const props = bodyProperties(route);
      const names = Object.keys(props);
      const nearValid = Object.fromEntries(names.map((n) => [n, plausible(props[n]!)]));
      const body = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => ({ body: v })),
        names.length
          ? fc.tuple(fc.constantFrom(...names), hostileValue).map(([n, v]) => ({ body: { ...nearValid, [n]: v } }))
          : fc.constant({ body: {} }),
        hostileString(200).map((s) => ({ rawBody: s })),
      );
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const url = urlOf(route, () => ids[idKind(route)]![0]!);
          expectHandled(await send(route.method, url, b), `${key} ${JSON.stringify(b).slice(0, 200)}`);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it.each(withBody.filter((r) => Object.keys(bodyProperties(r)).some((n) => bodyProperties(r)[n]!.type === "string" || !bodyProperties(r)[n]!.type)).map((r) => [routeKey(r), r] as const))(
    "%s: a NUL byte in a string field is refused with 422 naming a field",
    async (key, route) => {
      const props = bodyProperties(route);
      const strings = Object.keys(props).filter((n) => typeof plausible(props[n]!) === "string" && n !== "provider");
      if (strings.length === 0) return;
      const nearValid: Record<string, unknown> = Object.fromEntries(Object.keys(props).map((n) => [n, plausible(props[n]!)]));
      // Should validation ever let the body through, the registry it names is a loopback port that
      // the SSRF rules refuse (private addresses are not allowed here): nothing leaves the machine.
      if (REACHES_A_REGISTRY.has(route.op.name)) Object.assign(nearValid, { provider: "other", endpoint: "http://127.0.0.1:1" });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...strings), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), async (field, before, after) => {
          const body = { ...nearValid, [field]: `${before}\u0000${after}` };
          const r = await send(route.method, urlOf(route, () => ids[idKind(route)]![0]!), { body });
          expect(r.status, `${key} with NUL in ${field}: ${r.text.slice(0, 300)}`).toBe(422);
          const err = errorSchema.parse(JSON.parse(r.text));
          expect(Object.keys(err.error.fields ?? {}).length, `${key}: the answer names the field`).toBeGreaterThan(0);
        }),
        { numRuns: 10 },
      );
    },
  );

  it.each(routes.filter((r) => pathParams(r.path).length > 0).map((r) => [routeKey(r), r] as const))(
    "%s: hostile path parameters get a 4xx, never a 500",
    async (key, route) => {
      await fc.assert(
        // "", "." and ".." would name another URL (the collection, or a parent), not a bad id.
        fc.asyncProperty(hostileString(60).filter((v) => !["", ".", ".."].includes(v)), async (value) => {
          const r = await send(route.method, urlOf(route, () => value), route.method === "GET" ? {} : { body: {} });
          expectHandled(r, `${key} id=${JSON.stringify(value)}`);
          expect(r.status).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it.each(routes.filter((r) => r.query?.length).map((r) => [routeKey(r), r] as const))("%s: hostile query strings get a 2xx or a 4xx", async (key, route) => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...route.query!, "x"), hostileString(40)), { maxLength: 4 }), async (pairs) => {
        const query = "?" + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
        expectHandled(await send(route.method, urlOf(route, () => ids[idKind(route)]![0]!, query), {}), `${key}${query}`);
      }),
      { numRuns: RUNS },
    );
  });
});
