import { AuthBrowser } from "@/test/support/next-auth-client";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { configureTestEnv } from "@/test/support/test-env";
import { twoTeams } from "@/test/support/factories";
import { apiRequest } from "@/test/support/api";
import { invoke } from "@/lib/server/operation";
import { apiRoutes, pathParams, routeKey, type ApiRoute } from "@/lib/api/routes";
import { createServiceAccount } from "@/lib/tokens/operations";
import { toAppError } from "@/lib/server/to-app-error";
import { NUL_MESSAGE } from "@/lib/validations/parse";

/**
 * PostgreSQL text can't hold U+0000: a NUL in any text input is a 422 naming the field, on every
 * REST route (body, query and path parameters) and on the sign-up and sign-in forms — never a 500.
 */
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.9" }),
  cookies: async () => ({ get: () => undefined, set: () => {}, delete: () => {} }),
}));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`redirect to ${url}`);
  },
}));

configureTestEnv({ name: "nul-test" });

const t = setupTestDatabase({ processDb: true });
let token = "";
const testDb = async () => t.db;
const ids = { app: "", registry: "", customer: "", license: "" };

beforeAll(async () => {
  const teams = await twoTeams(t.db);
  token = (await invoke(createServiceAccount, teams.adminA, { name: "nul-admin", role: "admin" })).token;
  const call = async (path: string, body: unknown) => (await apiRequest("POST", `/api/v1${path}`, { token, body, db: testDb })).json();
  const app = await call("/apps", { name: "Nul App" });
  ids.app = app.id;
  ids.registry = (await call("/registries", { provider: "other", endpoint: "nul.example.test", username: "u", password: "p" })).id;
  ids.customer = (await call("/customers", { name: "Nul Customer" })).id;
  ids.license = (await call(`/customers/${ids.customer}/licenses`, { app: app.slug, type: "paid" })).id;
});

/** A valid body of every route that takes one, with every text field it accepts. */
const bodies: Record<string, unknown[]> = {
  "POST /apps": [{ name: "Widget", slug: "widget-nul" }],
  "PATCH /apps/{id}": [{ name: "Renamed", slug: "nul-app" }],
  "DELETE /apps/{id}": [{ confirmSlug: "nul-app" }],
  "POST /registries": [
    { provider: "other", endpoint: "nul-2.example.test", name: "mirror", username: "vendor", password: "secret-pw", image: "library/alpine", test: "false" },
    { provider: "ecr", endpoint: "123456789012.dkr.ecr.us-east-1.amazonaws.com", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG" },
    { provider: "gcr", endpoint: "gcr.io", jsonKey: '{"type":"service_account"}' },
  ],
  "PATCH /registries/{id}": [{ name: "renamed" }],
  "DELETE /registries/{id}": [{ confirmEndpoint: "nul.example.test" }],
  "POST /registries/{id}/test": [{ image: "library/alpine" }],
  "PATCH /registries/{id}/cache": [{ enabled: true, maxBytes: 1073741824, maxStaleSeconds: 3600 }],
  "POST /registries/{id}/cache/purge": [{ repository: "acme/api" }],
  "POST /registries/{id}/credentials": [{ username: "u2", password: "p2", accessKeyId: "A", secretAccessKey: "S", jsonKey: "{}", image: "library/alpine", force: "false" }],
  "POST /customers": [{ name: "Initech", email: "ops@initech.example" }],
  "POST /customers/{id}/archive": [{}],
  "POST /customers/{id}/licenses": [{ app: "nul-app", type: "trial", expiresAt: "2099-12-31" }],
  "POST /licenses/{id}/revoke": [{}],
  "POST /licenses/{id}/portal-link": [{ expiresInDays: "7" }],
  "POST /apps/{id}/images": [{ reference: "registry.example.test/team/app:1" }],
  "PATCH /apps/{id}/images": [{ onlyListedImages: "true" }],
  "DELETE /apps/{id}/images/{imageId}": [{}],
  "PATCH /registries/{id}/apps": [{ allApps: "true" }],
  "PUT /sso": [{ issuer: "https://idp.example.test", clientId: "portcullis", clientSecret: "s3cret", groupsClaim: "groups" }],
  "POST /sso/test": [{ issuer: "https://idp.example.test", clientId: "portcullis", clientSecret: "s3cret" }],
  "POST /sso/domains": [{ domain: "example.test" }],
  "POST /sso/domains/{id}/verify": [{}],
  "DELETE /sso/domains/{id}": [{}],
};

const pathFor = (route: ApiRoute, value?: string) =>
  route.path.replace(/\{(\w+)\}/g, () => {
    if (value !== undefined) return encodeURIComponent(value);
    if (route.path.startsWith("/apps")) return ids.app;
    if (route.path.startsWith("/registries")) return ids.registry;
    if (route.path.startsWith("/customers")) return ids.customer;
    return ids.license;
  });

/** Every string in `value` as [path, a copy with that string NUL-poisoned]. */
function poisoned(value: Record<string, unknown>): [string, Record<string, unknown>][] {
  return Object.entries(value)
    .filter(([, v]) => typeof v === "string")
    .map(([k, v]) => [k, { ...value, [k]: `${String(v).slice(0, 1)}\u0000${String(v).slice(1)}` }]);
}

async function expectNulRefused(method: string, path: string, body: unknown, field: string | null) {
  const res = await apiRequest(method, `/api/v1${path}`, { token, body, db: testDb });
  const json = await res.json();
  expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(422);
  expect(json.error.code).toBe("validation_failed");
  if (field) expect(json.error.fields?.[field], `${method} ${path}: field ${field}`).toBe(NUL_MESSAGE);
  else expect(Object.values(json.error.fields ?? {})).toContain(NUL_MESSAGE);
}

describe("NUL characters in input", () => {
  const writes = (apiRoutes as readonly ApiRoute[]).filter((r) => r.method !== "GET");

  it("has a body for every route that takes one", () => {
    expect(Object.keys(bodies).sort()).toEqual(writes.map(routeKey).sort());
  });

  for (const route of writes) {
    it(`${routeKey(route)}: a NUL in any text field is 422 naming the field`, async () => {
      for (const body of bodies[routeKey(route)]!) {
        for (const [field, bad] of poisoned(body as Record<string, unknown>)) await expectNulRefused(route.method, pathFor(route), bad, field);
      }
    });
  }

  for (const route of apiRoutes as readonly ApiRoute[]) {
    if (!pathParams(route.path).length && !route.query?.length) continue;
    it(`${routeKey(route)}: a NUL in a path or query parameter is 422`, async () => {
      if (pathParams(route.path).length) await expectNulRefused(route.method, pathFor(route, "a\u0000b"), undefined, null);
      for (const q of route.query ?? []) await expectNulRefused(route.method, `${pathFor(route)}?${q}=a%00b`, undefined, q);
    });
  }

  it("sign-up and sign-in forms answer with the field's message, not an internal error", async () => {
    const { signUpAction } = await import("@/app/_actions/auth");
    const form = (values: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(values)) f.set(k, v);
      return f;
    };
    const signUp = { email: "nul@example.com", password: "long-enough-password", teamName: "Nul Team" };
    for (const [field, bad] of poisoned(signUp)) {
      const state = await signUpAction({ status: "idle" }, form(bad as Record<string, string>));
      expect(state.status, field).toBe("error");
      expect(state.fields?.[field], `sign-up ${field}`).toBe(NUL_MESSAGE);
    }
    const signIn = { email: "nul@example.com", password: "long-enough-password" };
    for (const [field, bad] of poisoned(signIn)) {
      const error = await new AuthBrowser().signIn(bad as Record<string, string>);
      expect(error?.fields?.[field], `sign-in ${field}`).toBe(NUL_MESSAGE);
    }
    expect(await t.db.user.count({ where: { email: { contains: "nul@" } } })).toBe(0);
  });

  it("a NUL that reaches the database anyway (the driver's 22021) is a 422, not a 500", async () => {
    const error = await t.db.app.findFirst({ where: { name: "a\u0000b" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const app = toAppError(error);
    expect(app.status).toBe(422);
  });
});
