import { loadAll } from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { addAppImage } from "@/lib/apps/images/operations";
import { instructionsDtoSchema } from "@/lib/licenses/instructions/schemas";
import { loadLicenseInstructions } from "@/lib/licenses/instructions/load";
import { invoke } from "@/lib/server/operation";
import { apiRequest } from "@/test/support/api";
import { setupTestDatabase } from "@/test/support/db";
import { addRegistry, createAppRow, createCustomerRow, roleTokens, twoTeams } from "@/test/support/factories";
import { createLicense } from "@/lib/licenses/operations";
import { configureTestEnv } from "@/test/support/test-env";

/**
 * A license's install instructions through the REST API: the hosts, the license login, every
 * image of the app with the reference customers pull, the pull secret per namespace, and the
 * same text the license page and the customer portal render (one loader).
 */
configureTestEnv({ name: "instructions", vars: { PROXY_URL: "https://proxy.example.test", REGISTRY_URL: "https://registry.example.test", ALLOW_PRIVATE_REGISTRY_HOSTS: "true" } });

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;
let tok: Awaited<ReturnType<typeof roleTokens>>;
let license: { id: string; licenseId: string };

const get = async (path: string, token: string) => {
  const res = await apiRequest("GET", `/api/v1${path}`, { token, db: async () => t.db });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  teams = await twoTeams(t.db);
  tok = await roleTokens(teams);
  const teamId = teams.adminA.teamId;
  const app = await createAppRow(t.db, teamId, { name: "Acme", slug: `acme-${Date.now()}` });
  await addRegistry(t.db, teamId, { endpoint: "quay.io", username: "robot", secret: "pw" });
  await invoke(addAppImage, teams.adminA, { id: app.id, reference: "quay.io/acme/api:1.4" });
  await invoke(addAppImage, teams.adminA, { id: app.id, reference: `registry.example.test/${app.slug}/web:2` });
  const customer = await createCustomerRow(t.db, teamId, "Globex");
  license = await invoke(createLicense, teams.adminA, { customerId: customer.id, app: app.slug, type: "paid" });
});

describe("GET /licenses/{id}/instructions", () => {
  it("answers the logins, every image, the pull secret, Helm values and the rewrite command, as documented", async () => {
    const r = await get(`/licenses/${license.id}/instructions`, tok.dev);
    expect(r.status).toBe(200);
    const i = instructionsDtoSchema.parse(r.body);
    const slug = i.appSlug;
    expect(i.dockerLogin.split("\n")).toEqual([
      `echo '${license.licenseId}' | docker login proxy.example.test --username LICENSE_ID --password-stdin`,
      `echo '${license.licenseId}' | docker login registry.example.test --username LICENSE_ID --password-stdin`,
    ]);
    expect(i.images.map((x) => [x.reference, x.via])).toEqual([
      [`proxy.example.test/proxy/${slug}/quay.io/acme/api:1.4`, "proxy"],
      [`registry.example.test/${slug}/web:2`, "hosted"],
    ]);
    const [secret] = loadAll(i.pullSecretYaml) as Array<{ metadata: { name: string; namespace: string }; data: Record<string, string> }>;
    expect(secret!.metadata).toEqual({ name: `${slug}-registry`, namespace: slug });
    const auth = Buffer.from(`LICENSE_ID:${license.licenseId}`).toString("base64");
    expect(JSON.parse(Buffer.from(secret!.data[".dockerconfigjson"]!, "base64").toString())).toEqual({
      auths: { "proxy.example.test": { auth }, "registry.example.test": { auth } },
    });
    expect(i.helmValues).toContain(`imageRegistry: proxy.example.test/proxy/${slug}`);
    expect(i.rewriteCommand).toContain(`--app ${slug} --license-id '${license.licenseId}'`);
    expect(i.helmInstall).toBeNull();
  });

  it("puts the pull secret in the namespace and the additional namespaces asked for; a bad name is a 422 naming the field", async () => {
    const r = await get(`/licenses/${license.id}/instructions?namespace=prod&additionalNamespaces=jobs,%20monitoring`, tok.dev);
    expect(r.status).toBe(200);
    const docs = loadAll(r.body.pullSecretYaml as string) as Array<{ metadata: { namespace: string } }>;
    expect(docs.map((d) => d.metadata.namespace)).toEqual(["prod", "jobs", "monitoring"]);
    expect(r.body.rewriteCommand).toContain("--namespace prod --additional-namespaces jobs,monitoring");

    const bad = await get(`/licenses/${license.id}/instructions?additionalNamespaces=ok,Not_Valid`, tok.dev);
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.additionalNamespaces).toMatch(/"Not_Valid" is not a namespace name/);
  });

  it("is the same text the license page and the customer portal render", async () => {
    const r = await get(`/licenses/${license.id}/instructions`, tok.dev);
    const loaded = await loadLicenseInstructions(t.db, { teamId: teams.adminA.teamId, licenseRowId: license.id });
    expect(JSON.parse(JSON.stringify(loaded))).toEqual(r.body);
  });

  it("holds the license ID: read-only members get 403, another team 404, and neither sees it", async () => {
    for (const [token, status] of [
      [tok.reader, 403],
      [tok.outsider, 404],
    ] as const) {
      const r = await get(`/licenses/${license.id}/instructions`, token);
      expect(r.status).toBe(status);
      expect(JSON.stringify(r.body)).not.toContain(license.licenseId);
    }
  });
});
