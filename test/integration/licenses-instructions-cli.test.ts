import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/test/support/cli-process";
import type { TeamContext } from "@/lib/auth/context";
import { addAppImage } from "@/lib/apps/images/operations";
import { createLicense } from "@/lib/licenses/operations";
import { loadLicenseInstructions } from "@/lib/licenses/instructions/load";
import { instructionsText } from "@/lib/licenses/instructions/text";
import { invoke } from "@/lib/server/operation";
import { createServiceAccount, createTeamToken } from "@/lib/tokens/operations";
import { setupTestDatabase } from "@/test/support/db";
import { addRegistry, createAppRow, createCustomerRow, memberContext } from "@/test/support/factories";
import { servePortalRoutes, type PortalRoutes } from "@/test/support/portal-routes";
import { configureTestEnv } from "@/test/support/test-env";

/**
 * `portcullis licenses instructions` through the real binary, against the portal's REST routes
 * over HTTP: the text is the one the license page and the customer portal are made from, the JSON
 * is the REST API's answer, and refusals are the portal's own words with exit codes 1 and 2.
 */

configureTestEnv({ name: "instructions-cli", vars: { PROXY_URL: "https://proxy.example.test", REGISTRY_URL: "https://registry.example.test" } });

// Every test starts the CLI (tsx compiling it) several times: on a loaded machine that takes a while.
describe("portcullis licenses instructions", { timeout: 300_000 }, () => {
  const t = setupTestDatabase({ processDb: true });
  let routes: PortalRoutes;
  let admin: TeamContext;
  let token: string;
  let readOnlyToken: string;
  let license: { id: string; licenseId: string };

  const run = (args: string[], opts: { token?: string | null } = {}) =>
    runCli(["licenses", "instructions", ...args], { ...process.env, PORTAL_URL: routes.url, PORTCULLIS_TOKEN: opts.token === undefined ? token : (opts.token ?? "") });

  beforeAll(async () => {
    admin = await memberContext(t.db, { role: "admin", teamName: "Acme" });
    const app = await createAppRow(t.db, admin.teamId, { name: "Acme", slug: "acme" });
    await addRegistry(t.db, admin.teamId, { endpoint: "quay.io", username: "robot", secret: "pw" });
    await invoke(addAppImage, admin, { id: app.id, reference: "quay.io/acme/api:1.4" });
    await invoke(addAppImage, admin, { id: app.id, reference: "registry.example.test/acme/web:2" });
    const customer = await createCustomerRow(t.db, admin.teamId, "Globex");
    license = await invoke(createLicense, admin, { customerId: customer.id, app: "acme", type: "paid" });
    token = (await invoke(createTeamToken, admin, { name: "release" })).token;
    readOnlyToken = (await invoke(createServiceAccount, admin, { name: "auditor", role: "read_only" })).token;
    routes = await servePortalRoutes();
  });

  afterAll(async () => {
    await routes?.close();
  });

  it("prints the license's instructions as text: the same blocks, in the pages' order, filled in", async () => {
    const r = await run([license.id]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const loaded = await loadLicenseInstructions(t.db, { teamId: admin.teamId, licenseRowId: license.id });
    expect(r.stdout).toBe(`${instructionsText(loaded)}\n`);
    // What the customer copies from it.
    expect(r.stdout).toContain(`echo '${license.licenseId}' | docker login proxy.example.test --username LICENSE_ID --password-stdin`);
    expect(r.stdout).toContain(`echo '${license.licenseId}' | docker login registry.example.test --username LICENSE_ID --password-stdin`);
    expect(r.stdout).toContain("docker pull proxy.example.test/proxy/acme/quay.io/acme/api:1.4\ndocker pull registry.example.test/acme/web:2");
    expect(r.stdout).toContain("kind: Secret");
    expect(r.stdout).toContain(`npx portcullis images rewrite ./manifests --app acme --license-id '${license.licenseId}'`);
  });

  it("--format json is the REST API's answer, with the namespaces asked for", async () => {
    const r = await run([license.id, "--format", "json", "--namespace", "prod", "--additional-namespaces", "jobs,monitoring"]);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { pullSecretYaml: string; images: Array<{ reference: string }> };
    const api = await fetch(`${routes.url}/api/v1/licenses/${license.id}/instructions?namespace=prod&additionalNamespaces=jobs,monitoring`, { headers: { authorization: `Bearer ${token}` } });
    expect(printed).toEqual(await api.json());
    expect((loadAll(printed.pullSecretYaml) as Array<{ metadata: { namespace: string } }>).map((d) => d.metadata.namespace)).toEqual(["prod", "jobs", "monitoring"]);
    expect(printed.images.map((i) => i.reference)).toEqual(["proxy.example.test/proxy/acme/quay.io/acme/api:1.4", "registry.example.test/acme/web:2"]);
  });

  it("says why in the portal's words, exit 1: read-only token, unknown license, bad namespace, no token", async () => {
    const readOnly = await run([license.id], { token: readOnlyToken });
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/^portcullis licenses instructions: .+/);
    expect(readOnly.stdout).toBe("");
    expect(readOnly.stderr).not.toContain(license.licenseId);

    const unknown = await run(["00000000-0000-4000-8000-000000000000"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe("portcullis licenses instructions: That license does not exist.");

    const badNamespace = await run([license.id, "--namespace", "Not_Valid"]);
    expect(badNamespace.code).toBe(1);
    expect(badNamespace.stderr).toContain("Use a Kubernetes namespace name");

    const noToken = await run([license.id], { token: null });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain("set PORTCULLIS_TOKEN");
  });

  it("bad usage exits 2 with the usage, and never echoes a license ID given in place of the license's id", async () => {
    const credential = await run([license.licenseId]);
    expect(credential.code).toBe(2);
    expect(credential.stderr).toContain("not the license ID customers log in with");
    expect(credential.stderr).toContain("Usage: portcullis licenses instructions LICENSE");
    expect(credential.stderr).not.toContain(license.licenseId);

    expect((await run([license.id, "--format", "xml"])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: portcullis licenses instructions LICENSE/);
  });
});
