import { beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { setupTestDatabase } from "@/test/support/db";
import { configureTestEnv } from "@/test/support/test-env";
import { roleTokens, twoTeams } from "@/test/support/factories";
import { apiRequest, type ApiCall } from "@/test/support/api";
import { teamRows } from "@/test/support/isolation";
import { invoke } from "@/lib/server/operation";
import { apiRoutes, pathParams, routeKey, type ApiRoute } from "@/lib/api/routes";
import { errorSchema } from "@/lib/api/schemas";
import { createServiceAccount, createPersonalToken, revokeToken } from "@/lib/tokens/operations";
import { checkLicense } from "@/lib/licenses/verify";
import { verifyLicenseFile } from "@/lib/licenses/license-file";

// Sealed with a throw-away key, never a generated one in ./.data.
configureTestEnv({ name: "api-test" });

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;
/** Service-account tokens: team A admin, developer, read-only; team B admin. */
const tok = { admin: "", dev: "", reader: "", outsider: "" };

beforeAll(async () => {
  teams = await twoTeams(t.db);
  Object.assign(tok, await roleTokens(teams));
});

const testDb = async () => t.db;

const routeOf = (key: string) => (apiRoutes as readonly ApiRoute[]).find((r) => routeKey(r) === key)!;

/** Calls the API; checks that every answer matches the OpenAPI schema of its route (or the error schema). */
async function call(method: string, path: string, opts: ApiCall & { route?: string } = {}) {
  const res = await apiRequest(method, `/api/v1${path}`, { db: testDb, ...opts });
  expect(res.headers.get("cache-control")).toBe("no-store");
  const text = await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("application/json");
  const body = isJson ? JSON.parse(text) : text;
  if (res.status >= 400) {
    errorSchema.parse(body);
  } else if (opts.route) {
    const schema = routeOf(opts.route).response;
    if (schema !== "yaml") (schema as z.ZodType).parse(body);
  }
  return { status: res.status, body, headers: res.headers };
}

describe("REST API: authentication", () => {
  it("401 with a Bearer challenge for a missing, malformed, unknown, revoked or expired token", async () => {
    const revoked = await invoke(createServiceAccount, teams.adminA, { name: "gone", role: "admin" });
    await invoke(revokeToken, teams.adminA, { id: revoked.id });
    const expiring = await invoke(createPersonalToken, teams.adminA, { name: "expiring", expiresAt: "2099-01-01" });
    await t.db.apiToken.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    const cases: ApiCall[] = [
      {},
      { headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` } },
      { headers: { authorization: "Bearer" } },
      { token: "pcs_" + "A".repeat(36) },
      { token: tok.admin.slice(0, -1) + (tok.admin.endsWith("x") ? "y" : "x") },
      { token: revoked.token },
      { token: expiring.token },
    ];
    for (const c of cases) {
      const r = await call("GET", "/apps", c);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("unauthenticated");
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer realm="portcullis"/);
    }
  });

  it("a personal token acts as its user", async () => {
    const personal = await invoke(createPersonalToken, teams.developerA, { name: "laptop" });
    const r = await call("POST", "/apps", { token: personal.token, body: { name: "Personal Made" }, route: "POST /apps" });
    expect(r.status).toBe(201);
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { action: "app.create", targetId: r.body.id } });
    expect(event.actorEmail).toBe(teams.developerA.email);
  });
});

describe("REST API: resources", () => {
  it("apps: create (201), list, 409 for a taken slug, 422 for bad input or JSON, 403 for read-only", async () => {
    const created = await call("POST", "/apps", { token: tok.dev, body: { name: "Rest App" }, route: "POST /apps" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Rest App", slug: "rest-app" });
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { action: "app.create", targetId: created.body.id } });
    expect(event.actorEmail).toBe("ci (service account)");

    const list = await call("GET", "/apps", { token: tok.reader, route: "GET /apps" });
    expect(list.body.data.map((a: { slug: string }) => a.slug)).toContain("rest-app");

    const dup = await call("POST", "/apps", { token: tok.dev, body: { name: "Rest App" } });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: "conflict", fields: { slug: expect.stringContaining("rest-app") } });

    const invalid = await call("POST", "/apps", { token: tok.dev, body: { name: "", slug: "Bad Slug" } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.fields).toHaveProperty("name");

    for (const rawBody of ["{not json", "[1,2]", '"text"', "null"]) {
      const bad = await call("POST", "/apps", { token: tok.dev, rawBody });
      expect(bad.status, rawBody).toBe(422);
      expect(bad.body.error.code).toBe("validation_failed");
    }
    const huge = await call("POST", "/apps", { token: tok.dev, rawBody: JSON.stringify({ name: "x".repeat(300_000) }) });
    expect(huge.status).toBe(422);

    const denied = await call("POST", "/apps", { token: tok.reader, body: { name: "Nope" } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("forbidden");
  });

  it("apps: rename (PATCH, slug fixed), delete (DELETE, admins, confirmSlug) revokes its licenses, and the slug is never taken again", async () => {
    const app = (await call("POST", "/apps", { token: tok.dev, body: { name: "Short Lived" } })).body;
    const customer = (await call("POST", "/customers", { token: tok.dev, body: { name: "Short Customer" } })).body;
    const license = (await call("POST", `/customers/${customer.id}/licenses`, { token: tok.dev, body: { app: app.slug, type: "paid" } })).body;

    const renamed = await call("PATCH", `/apps/${app.id}`, { token: tok.dev, body: { name: "Shorter Lived", slug: "short-lived" }, route: "PATCH /apps/{id}" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "Shorter Lived", slug: "short-lived" });
    const reslug = await call("PATCH", `/apps/${app.id}`, { token: tok.dev, body: { name: "Shorter Lived", slug: "other" } });
    expect(reslug.status).toBe(422);
    expect(reslug.body.error.fields.slug).toMatch(/can't be changed/);

    const preview = await call("GET", `/apps/${app.id}/deletion-preview`, { token: tok.admin, route: "GET /apps/{id}/deletion-preview" });
    expect(preview.body).toMatchObject({ licenses: { active: 1, total: 1 }, hostedRegistry: { configured: false } });

    expect((await call("DELETE", `/apps/${app.id}`, { token: tok.dev, body: { confirmSlug: "short-lived" } })).status).toBe(403);
    const unconfirmed = await call("DELETE", `/apps/${app.id}?confirmSlug=wrong`, { token: tok.admin });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body.error.fields.confirmSlug).toContain("short-lived");
    expect(await checkLicense(t.db, license.licenseId)).toMatchObject({ status: "active" });

    const deleted = await call("DELETE", `/apps/${app.id}?confirmSlug=short-lived`, { token: tok.admin, route: "DELETE /apps/{id}" });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: app.id, slug: "short-lived", revokedLicenses: 1, hostedImages: { repositories: 0, tags: 0, manifests: 0 } });
    expect(await checkLicense(t.db, license.licenseId)).toMatchObject({ status: "revoked" });
    // The license is kept, revoked, in the customer's history.
    const history = (await call("GET", `/customers/${customer.id}`, { token: tok.reader })).body;
    expect(history.licenses).toEqual([expect.objectContaining({ id: license.id, appSlug: "short-lived", status: "revoked" })]);

    expect((await call("GET", "/apps", { token: tok.reader })).body.data.map((a: { slug: string }) => a.slug)).not.toContain("short-lived");
    expect((await call("DELETE", `/apps/${app.id}?confirmSlug=short-lived`, { token: tok.admin })).status).toBe(404);
    expect((await call("PATCH", `/apps/${app.id}`, { token: tok.admin, body: { name: "Zombie" } })).status).toBe(404);
    const reuse = await call("POST", "/apps", { token: tok.outsider, body: { name: "Short Lived", slug: "short-lived" } });
    expect(reuse.status).toBe(409);
    expect(reuse.body.error.fields.slug).toMatch(/belonged to a deleted app/);
    const relicense = await call("POST", `/customers/${customer.id}/licenses`, { token: tok.dev, body: { app: "short-lived", type: "paid" } });
    expect(relicense.status).toBe(422);
  });

  it("customers and licenses: create, issue, reveal, revoke (idempotent), download the signed file, archive", async () => {
    const app = (await call("POST", "/apps", { token: tok.dev, body: { name: "Licensed" } })).body;
    const customer = await call("POST", "/customers", { token: tok.dev, body: { name: "Globex", email: "ops@globex.example" }, route: "POST /customers" });
    expect(customer.status).toBe(201);
    expect(customer.body).toMatchObject({ name: "Globex", email: "ops@globex.example", licenses: [] });
    const cid = customer.body.id;

    const lic = await call("POST", `/customers/${cid}/licenses`, { token: tok.dev, body: { app: app.slug, type: "trial", expiresAt: "2099-12-31" }, route: "POST /customers/{id}/licenses" });
    expect(lic.status).toBe(201);
    expect(lic.body).toMatchObject({ customerId: cid, appSlug: app.slug, type: "trial", status: "active", expiresAt: "2099-12-31T23:59:59.999Z" });
    expect(lic.body.licenseId).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect((await checkLicense(t.db, lic.body.licenseId, { appSlug: app.slug })).status).toBe("active");

    // The path names the customer: a customerId in the body can't redirect it.
    const other = (await call("POST", "/customers", { token: tok.dev, body: { name: "Other" } })).body;
    const pinned = await call("POST", `/customers/${cid}/licenses`, { token: tok.dev, body: { app: app.slug, type: "dev", customerId: other.id } });
    expect(pinned.body.customerId).toBe(cid);

    const bad = await call("POST", `/customers/${cid}/licenses`, { token: tok.dev, body: { app: "no-such-app", type: "forever", expiresAt: "yesterday" } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["expiresAt", "type"]);
    const noApp = await call("POST", `/customers/${cid}/licenses`, { token: tok.dev, body: { app: "no-such-app", type: "paid" } });
    expect(noApp.body.error.fields.app).toMatch(/no app/i);

    const listed = await call("GET", "/customers", { token: tok.reader, route: "GET /customers" });
    const globex = listed.body.data.find((c: { id: string }) => c.id === cid);
    expect(globex.licenses).toHaveLength(2);
    expect(JSON.stringify(listed.body)).not.toContain(lic.body.licenseId);
    expect((await call("GET", `/customers/${cid}`, { token: tok.reader, route: "GET /customers/{id}" })).body.id).toBe(cid);

    const shown = await call("GET", `/licenses/${lic.body.id}`, { token: tok.dev, route: "GET /licenses/{id}" });
    expect(shown.body.licenseId).toBe(lic.body.licenseId);
    expect((await call("GET", `/licenses/${lic.body.id}`, { token: tok.reader })).status).toBe(403);

    const file = await call("GET", `/licenses/${lic.body.id}/file`, { token: tok.dev });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toMatch(/^application\/yaml/);
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="globex-${app.slug}-license.yaml"`);
    const key = await call("GET", "/license-signing-key", { token: tok.reader, route: "GET /license-signing-key" });
    expect(verifyLicenseFile(file.body, key.body.publicKeyPem)).toMatchObject({ ok: true, claims: { licenseId: lic.body.licenseId, licenseType: "trial" } });

    const revoked = await call("POST", `/licenses/${lic.body.id}/revoke`, { token: tok.dev, route: "POST /licenses/{id}/revoke" });
    expect(revoked.body.status).toBe("revoked");
    expect((await checkLicense(t.db, lic.body.licenseId)).status).toBe("revoked");
    expect((await call("POST", `/licenses/${lic.body.id}/revoke`, { token: tok.dev })).status).toBe(200);
    expect(await t.db.auditEvent.count({ where: { action: "license.revoke", targetId: lic.body.id } })).toBe(1);

    const archived = await call("POST", `/customers/${cid}/archive`, { token: tok.dev, route: "POST /customers/{id}/archive" });
    expect(archived.body.archivedAt).toBeTruthy();
    expect((await checkLicense(t.db, pinned.body.licenseId)).status).toBe("revoked");
    const refused = await call("POST", `/customers/${cid}/licenses`, { token: tok.dev, body: { app: app.slug, type: "paid" } });
    expect(refused.status).toBe(409);
    const withArchived = await call("GET", "/customers?includeArchived=true", { token: tok.reader });
    expect(withArchived.body.data.map((c: { id: string }) => c.id)).toContain(cid);
    expect((await call("GET", "/customers", { token: tok.reader })).body.data.map((c: { id: string }) => c.id)).not.toContain(cid);
  });

  it("audit events: newest first, paged, filtered", async () => {
    const page1 = await call("GET", "/audit-events?pageSize=2", { token: tok.reader, route: "GET /audit-events" });
    expect(page1.body).toMatchObject({ page: 1, pageSize: 2 });
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.total).toBeGreaterThan(4);
    expect(page1.body.pages).toBe(Math.ceil(page1.body.total / 2));
    const page2 = await call("GET", "/audit-events?pageSize=2&page=2", { token: tok.reader, route: "GET /audit-events" });
    expect(page2.body.data[0].id).not.toBe(page1.body.data[0].id);
    expect(Date.parse(page2.body.data[0].createdAt)).toBeLessThanOrEqual(Date.parse(page1.body.data[1].createdAt));
    const filtered = await call("GET", "/audit-events?action=customer.create", { token: tok.reader });
    expect(filtered.body.data.length).toBeGreaterThan(0);
    expect(filtered.body.data.every((e: { action: string }) => e.action === "customer.create")).toBe(true);
  });

  it("registries: add (no secret in the answer), get, rename, delete with confirmation; role checks", async () => {
    const created = await call("POST", "/registries", {
      token: tok.dev,
      body: { provider: "other", endpoint: "registry.example.test", username: "vendor", password: "hunter2-secret" },
      route: "POST /registries",
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain("hunter2-secret");
    const id = created.body.id;
    expect((await call("GET", "/registries", { token: tok.reader, route: "GET /registries" })).body.data.map((r: { id: string }) => r.id)).toContain(id);
    expect((await call("GET", `/registries/${id}`, { token: tok.reader, route: "GET /registries/{id}" })).body.username).toBe("vendor");
    expect((await call("GET", `/registries/00000000-0000-4000-8000-000000000000`, { token: tok.reader })).status).toBe(404);

    expect((await call("PATCH", `/registries/${id}`, { token: tok.dev, body: { name: "main" } })).status).toBe(403);
    const renamed = await call("PATCH", `/registries/${id}`, { token: tok.admin, body: { name: "main" }, route: "PATCH /registries/{id}" });
    expect(renamed.body.name).toBe("main");
    // Rotation validates the provider's credentials before any network test.
    const rotate = await call("POST", `/registries/${id}/credentials`, { token: tok.admin, body: { username: "x" } });
    expect(rotate.status).toBe(422);
    expect(rotate.body.error.fields).toHaveProperty("password");
    expect((await call("POST", `/registries/${id}/test`, { token: tok.reader })).status).toBe(403);

    const unconfirmed = await call("DELETE", `/registries/${id}`, { token: tok.admin });
    expect(unconfirmed.status).toBe(422);
    const deleted = await call("DELETE", `/registries/${id}?confirmEndpoint=registry.example.test`, { token: tok.admin, route: "DELETE /registries/{id}" });
    expect(deleted.body).toEqual({ id });
  });

  it("unknown paths answer a JSON 404; unsupported methods 405", async () => {
    const r = await call("GET", "/nothing/here", { token: tok.reader });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("not_found");
    expect((await apiRequest("PUT", "/api/v1/apps", { token: tok.admin, db: testDb })).status).toBe(405);
  });

  it("an unexpected failure is a 500 that says nothing about it", async () => {
    const failing = async (): Promise<never> => {
      throw new Error("connection to db-internal.corp:5432 refused, password=hunter2");
    };
    const r = await call("GET", "/apps", { token: tok.admin, db: failing });
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe("internal");
    expect(JSON.stringify(r.body)).not.toMatch(/db-internal|hunter2/);
  });
});

describe("REST API: tenant isolation on every route", () => {
  /** Team A's records each route names, and a body that would change them. */
  let ids: { app: string; customer: string; license: string; registry: string; licenseId: string; ssoDomain: string };
  const bodies: Record<string, () => unknown> = {
    "POST /apps": () => ({ name: "Intruder App" }),
    "PATCH /apps/{id}": () => ({ name: "Hijacked" }),
    "DELETE /apps/{id}": () => ({ confirmSlug: "isolated-app" }),
    "POST /registries": () => ({ provider: "other", endpoint: "intruder.example.test", username: "x", password: "y" }),
    "PATCH /registries/{id}": () => ({ name: "hijacked" }),
    "DELETE /registries/{id}": () => ({ confirmEndpoint: "isolated.example.test" }),
    "POST /registries/{id}/test": () => ({}),
    "POST /registries/{id}/credentials": () => ({ username: "x", password: "y", force: true }),
    "PATCH /registries/{id}/cache": () => ({ enabled: false }),
    "POST /registries/{id}/cache/purge": () => ({}),
    "POST /customers": () => ({ name: "Intruder Inc" }),
    "POST /customers/{id}/archive": () => ({}),
    "POST /customers/{id}/licenses": () => ({ app: "isolated-app", type: "paid" }),
    "POST /licenses/{id}/revoke": () => ({}),
    "POST /licenses/{id}/portal-link": () => ({ expiresInDays: 3 }),
    "POST /apps/{id}/images": () => ({ reference: "isolated.example.test/team/intruder:1" }),
    "PATCH /apps/{id}/images": () => ({ onlyListedImages: false }),
    "DELETE /apps/{id}/images/{imageId}": () => ({}),
    "PATCH /registries/{id}/apps": () => ({ allApps: true }),
    // A loopback issuer is refused before any packet is sent (ALLOW_PRIVATE_HOSTS is off here).
    "PUT /sso": () => ({ issuer: "https://127.0.0.1:9", clientId: "x", clientSecret: "y" }),
    "POST /sso/test": () => ({ issuer: "https://127.0.0.1:9", clientId: "x", clientSecret: "y" }),
    "POST /sso/domains": () => ({ domain: "isolated.example.test" }),
    "POST /sso/domains/{id}/verify": () => ({}),
    "DELETE /sso/domains/{id}": () => ({}),
  };
  /** Routes on the caller's own team that refuse the outsider's input (its own connection test fails): nothing changes. */
  const refusedAsInvalid = new Set(["PUT /sso"]);
  const noBody = new Set(["GET /apps", "GET /apps/{id}/deletion-preview", "GET /registries", "GET /registries/{id}", "GET /registries/{id}/cache", "GET /customers", "GET /customers/{id}", "GET /licenses/{id}", "GET /licenses/{id}/file", "GET /license-signing-key", "GET /audit-events", "GET /apps/{id}/images", "GET /apps/{id}/images/{imageId}/details", "GET /apps/{id}/image-suggestions", "GET /licenses/{id}/instructions", "GET /activity", "GET /customers/{id}/analytics", "GET /sso", "GET /sso/domains"]);

  const snapshot = () =>
    teamRows(t.db, teams.adminA.teamId, ["app", "registry", "customer", "license", "encryptedSecret", "teamSso", "ssoDomain"], { encryptedSecret: { purpose: { not: "license-signing-key" } } }).then((s) => JSON.stringify(s));

  beforeAll(async () => {
    const app = (await call("POST", "/apps", { token: tok.admin, body: { name: "Isolated App" } })).body;
    const registry = (await call("POST", "/registries", { token: tok.admin, body: { provider: "other", endpoint: "isolated.example.test", username: "u", password: "p" } })).body;
    const customer = (await call("POST", "/customers", { token: tok.admin, body: { name: "Isolated Customer" } })).body;
    const license = (await call("POST", `/customers/${customer.id}/licenses`, { token: tok.admin, body: { app: app.slug, type: "paid" } })).body;
    const ssoDomain = (await call("POST", "/sso/domains", { token: tok.admin, body: { domain: "isolated.example.test" } })).body;
    ids = { app: app.id, customer: customer.id, license: license.id, registry: registry.id, licenseId: license.licenseId, ssoDomain: ssoDomain.id };
  });

  const pathFor = (route: ApiRoute) =>
    route.path.replace(/\{(\w+)\}/g, () => {
      if (route.path.startsWith("/apps")) return ids.app;
      if (route.path.startsWith("/registries")) return ids.registry;
      if (route.path.startsWith("/customers")) return ids.customer;
      if (route.path.startsWith("/sso/domains")) return ids.ssoDomain;
      return ids.license;
    });

  it("has a case for every route", () => {
    const covered = [...Object.keys(bodies), ...noBody].sort();
    expect(covered).toEqual((apiRoutes as readonly ApiRoute[]).map(routeKey).sort());
  });

  for (const route of apiRoutes as readonly ApiRoute[]) {
    it(`${routeKey(route)}: another team gets 404 or nothing of team A; read-only can't write`, async () => {
      const before = await snapshot();
      const body = bodies[routeKey(route)]?.();
      const asOutsider = await call(route.method, pathFor(route), { token: tok.outsider, body });
      if (pathParams(route.path).length) {
        expect(asOutsider.status).toBe(404);
        expect(asOutsider.body.error.code).toBe("not_found");
      } else if (refusedAsInvalid.has(routeKey(route))) {
        expect(asOutsider.status).toBe(422);
      } else {
        expect([200, 201]).toContain(asOutsider.status);
        const text = typeof asOutsider.body === "string" ? asOutsider.body : JSON.stringify(asOutsider.body);
        for (const id of [...Object.values(ids), teams.adminA.teamId, teams.adminA.userId]) expect(text).not.toContain(id);
      }
      expect(await snapshot(), "team B changed team A's data").toBe(before);

      if (route.op.permission !== "read") {
        const asReader = await call(route.method, pathFor(route), { token: tok.reader, body });
        expect(asReader.status).toBe(403);
        expect(await snapshot(), "a read-only token changed data").toBe(before);
      }
      if (route.op.permission === "admin") {
        const asDeveloper = await call(route.method, pathFor(route), { token: tok.dev, body });
        expect(asDeveloper.status).toBe(403);
        expect(await snapshot(), "a developer token changed data").toBe(before);
      }
    });
  }
});
