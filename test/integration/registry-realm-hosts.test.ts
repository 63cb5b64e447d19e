import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { configureTestEnv } from "@/test/support/test-env";
import { twoTeams } from "@/test/support/factories";
import { apiRequest } from "@/test/support/api";
import { invoke } from "@/lib/server/operation";
import { createServiceAccount } from "@/lib/tokens/operations";
import { lookupProxyAccess } from "@/lib/internal/proxy-lookup";

/** A registry's allowed token hosts: set through REST, validated, audited, and sent to the proxy. */
configureTestEnv({ name: "realm-test" });

const t = setupTestDatabase();
let token = "";
let teams: Awaited<ReturnType<typeof twoTeams>>;

beforeAll(async () => {
  teams = await twoTeams(t.db);
  token = (await invoke(createServiceAccount, teams.adminA, { name: "realm-admin", role: "admin" })).token;
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await apiRequest(method, `/api/v1${path}`, { token, body, db: async () => t.db });
  return { status: res.status, body: await res.json() };
};

describe("registry allowed token hosts", () => {
  it("are set on create and by PATCH, as host names only; the proxy's lookup carries them", async () => {
    const created = await call("POST", "/registries", {
      provider: "other",
      endpoint: "registry.vendor.example",
      username: "u",
      password: "p",
      allowedRealmHosts: ["Auth.Vendor.example", "auth.vendor.example"],
    });
    expect(created.status).toBe(201);
    expect(created.body.allowedRealmHosts).toEqual(["auth.vendor.example"]);

    for (const bad of [["https://auth.vendor.example"], ["auth.vendor.example:8443"], ["auth.vendor.example/token"], "not a list of hosts!", Array(11).fill("a.example")]) {
      const r = await call("PATCH", `/registries/${created.body.id}`, { allowedRealmHosts: bad });
      expect(r.status, JSON.stringify(bad)).toBe(422);
      expect(Object.keys(r.body.error.fields).some((k: string) => k.startsWith("allowedRealmHosts")), JSON.stringify(r.body)).toBe(true);
    }

    const patched = await call("PATCH", `/registries/${created.body.id}`, { allowedRealmHosts: "auth.vendor.example, tokens.vendor.example" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: null, allowedRealmHosts: ["auth.vendor.example", "tokens.vendor.example"] });
    const audit = await t.db.auditEvent.findFirst({ where: { teamId: teams.adminA.teamId, action: "registry.update" }, orderBy: { createdAt: "desc" } });
    expect(audit?.metadata).toMatchObject({ allowedRealmHosts: { from: ["auth.vendor.example"], to: ["auth.vendor.example", "tokens.vendor.example"] } });

    // The name alone still works, and leaves the hosts as they are.
    const renamed = await call("PATCH", `/registries/${created.body.id}`, { name: "vendor" });
    expect(renamed.body).toMatchObject({ name: "vendor", allowedRealmHosts: ["auth.vendor.example", "tokens.vendor.example"] });
    expect((await call("PATCH", `/registries/${created.body.id}`, {})).status).toBe(422);

    const app = (await call("POST", "/apps", { name: "Realm App" })).body;
    const customer = (await call("POST", "/customers", { name: "Realm Customer" })).body;
    const license = (await call("POST", `/customers/${customer.id}/licenses`, { app: app.slug, type: "paid" })).body;
    const lookup = await lookupProxyAccess(t.db, { licenseId: license.licenseId, appSlug: app.slug, image: ["registry.vendor.example", "team", "app"] }, { dockerHubRegistry: "registry-1.docker.io" });
    expect(lookup.body.registry?.allowedRealmHosts).toEqual(["auth.vendor.example", "tokens.vendor.example"]);
  });
});
