import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "@/cli/main";
import type { TeamContext } from "@/lib/auth/context";
import { createRegistry } from "@/lib/registries/operations";
import { createLicense as issueLicense } from "@/lib/licenses/operations";
import { REGISTRY_SERVICE } from "@/lib/registry-auth/settings";
import { pushArtifact } from "@/test/support/oci-push";
import { basicAuth, startHostedRegistry } from "@/test/support/registry-auth";
import { invoke } from "@/lib/server/operation";
import { createServiceAccount, createTeamToken } from "@/lib/tokens/operations";
import { appImagesWithPullReferences } from "@/lib/apps/images/pull-references";
import { setupTestDatabase } from "@/test/support/db";
import { createAppRow, createCustomerRow, createLicense, memberContext } from "@/test/support/factories";
import { servePortalRoutes, type PortalRoutes } from "@/test/support/portal-routes";
import { buildOciImage, pullImage, pushImage, requireBinaries, skopeoInspect, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";
import { configureTestEnv, updateTestEnv } from "@/test/support/test-env";

/**
 * An app's images end to end: a real hosted registry (Distribution behind the portal's token
 * service) and a real upstream Distribution with Basic auth; the REST routes and the CLI over
 * HTTP; live details read with the connection test's code; suggestions from the hosted
 * registry's push notifications; and a customer pulling a hosted image with skopeo by exactly
 * the reference the portal shows.
 */

configureTestEnv({
  name: "appimages",
  vars: { REGISTRY_TOKEN_KEY_FILE: undefined, REGISTRY_EVENTS_TOKEN: undefined, PORTAL_URL: undefined, ALLOW_PRIVATE_REGISTRY_HOSTS: "true", PROXY_URL: "https://proxy.example.test" },
});

describe.skipIf(!requireBinaries("docker-registry", "skopeo"))("an app's images", () => {
  const t = setupTestDatabase({ processDb: true });
  let routes: PortalRoutes;
  let hosted: Distribution;
  let upstream: Distribution;
  let work: string;
  let img: BuiltImage;
  let admin: TeamContext;
  let appId: string;
  let token: string;
  let readOnlyToken: string;
  let license: { licenseId: string };

  const api = async (method: string, p: string, body?: unknown, bearer = token) => {
    const res = await fetch(`${routes.url}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const saved = process.env.PORTCULLIS_TOKEN;
    process.env.PORTCULLIS_TOKEN = token;
    try {
      const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
      if (saved === undefined) delete process.env.PORTCULLIS_TOKEN;
      else process.env.PORTCULLIS_TOKEN = saved;
    }
  };

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "app-images-"));
    admin = await memberContext(t.db, { role: "admin", teamName: "Acme" });
    appId = (await createAppRow(t.db, admin.teamId, { name: "Acme", slug: "acme" })).id;
    const customerId = (await createCustomerRow(t.db, admin.teamId, "Customer One")).id;
    license = await createLicense(t.db, { teamId: admin.teamId, appId, customerId });
    token = (await invoke(createTeamToken, admin, { name: "release" })).token;
    readOnlyToken = (await invoke(createServiceAccount, admin, { name: "auditor", role: "read_only" })).token;

    routes = await servePortalRoutes();
    hosted = await startHostedRegistry(routes.url);
    upstream = await startDistribution({ auth: "htpasswd", users: { vendor: "upstream-pw" } });
    updateTestEnv({ REGISTRY_URL: hosted.url });
    await invoke(createRegistry, admin, { provider: "other", endpoint: upstream.url, name: "mirror", username: "vendor", password: "upstream-pw" });

    img = await buildOciImage(path.join(work, "img"), { layers: [{ sizeBytes: 40_000 }, { files: { "etc/app.conf": "x=1\n" } }], tag: "1" });
    await pushImage(img.dir, `${hosted.host}/acme/api:1.4`, { creds: { username: "token", password: token }, tag: img.tag });
    await pushImage(img.dir, `${hosted.host}/acme/worker:3`, { creds: { username: "token", password: token }, tag: img.tag });
    await pushImage(img.dir, `${upstream.host}/team/db:2`, { creds: { username: "vendor", password: "upstream-pw" }, tag: img.tag });
  });

  afterAll(async () => {
    await hosted?.stop();
    await upstream?.stop();
    await routes?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("a hosted image is pulled from the hosted registry itself, by exactly the reference shown, with the license", async () => {
    const added = await api("POST", `/apps/${appId}/images`, { reference: `${hosted.host}/acme/api:1.4` });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ source: "hosted", pullFrom: "hosted-registry", pullReference: `${hosted.host}/acme/api:1.4`, problem: null });
    const listed = await appImagesWithPullReferences(t.db, { teamId: admin.teamId, appId });
    expect(listed.images.map((i) => i.pullReference)).toEqual([`${hosted.host}/acme/api:1.4`]);
    await pullImage(listed.images[0]!.pullReference!, path.join(work, "pulled"), { creds: { username: "LICENSE_ID", password: license.licenseId } });
    const index = JSON.parse(await fs.readFile(path.join(work, "pulled", "index.json"), "utf8")) as { manifests: unknown[] };
    expect(index.manifests).toHaveLength(1);
  });

  it("an upstream image on host:port is pulled through the proxy by its registry's name", async () => {
    const added = await api("POST", `/apps/${appId}/images`, { reference: `${upstream.host}/team/db:2` });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ source: "upstream", pullFrom: "proxy", pullReference: "proxy.example.test/proxy/acme/mirror/team/db:2", image: `${upstream.host}/team/db:2` });
    // Written through the name, it is the same image: listed once.
    const again = await api("POST", `/apps/${appId}/images`, { reference: "mirror/team/db:3" });
    expect(again.status).toBe(409);
    expect(again.body.error.fields.reference).toMatch(/already one of this app's images/);
  });

  it("refuses, with the field's message, what no registry of the team serves and hosted images outside the slug", async () => {
    const unknown = await api("POST", `/apps/${appId}/images`, { reference: "quay.io/acme/api:1.4" });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields.reference).toBe("No registry of this team serves quay.io: add it on the Images page first, or push the image to the hosted registry.");
    const otherSlug = await api("POST", `/apps/${appId}/images`, { reference: `${hosted.host}/beta/api:1` });
    expect(otherSlug.status).toBe(422);
    expect(otherSlug.body.error.fields.reference).toContain(`${hosted.host}/acme/<image>`);
    const junk = await api("POST", `/apps/${appId}/images`, { reference: "UPPER/Case:1" });
    expect(junk.status).toBe(422);
    const readOnly = await api("POST", `/apps/${appId}/images`, { reference: `${hosted.host}/acme/worker:3` }, readOnlyToken);
    expect(readOnly.status).toBe(403);
  });

  it("details are read live: the tag's digest, platform and compressed size; a missing tag says so", async () => {
    const { body } = await api("GET", `/apps/${appId}/images`);
    expect(body.images).toHaveLength(2);
    for (const image of body.images as Array<{ id: string }>) {
      const d = await api("GET", `/apps/${appId}/images/${image.id}/details`);
      expect(d.status).toBe(200);
      expect(d.body).toMatchObject({ ok: true, digest: img.digest, kind: "image", platforms: ["linux/amd64"], problem: null });
      expect(d.body.compressedBytes).toBeGreaterThan(0);
    }
    // The portal's own reads are not pulls in the activity log: a license pull made after them
    // arrives after them (one endpoint's notifications keep their order), and is the only new one.
    const pulls = () => t.db.pullEvent.findMany({ where: { appId, source: "registry", action: "pull-manifest" }, select: { actor: true } });
    const before = (await pulls()).length;
    await skopeoInspect(`${hosted.host}/acme/api:1.4`, { creds: { username: "LICENSE_ID", password: license.licenseId }, raw: true });
    for (let i = 0; i < 100 && (await pulls()).length === before; i++) await new Promise((r) => setTimeout(r, 100));
    const after = await pulls();
    expect(after).toHaveLength(before + 1);
    expect(after.every((p) => p.actor?.startsWith("license "))).toBe(true);

    const missing = await api("POST", `/apps/${appId}/images`, { reference: `${hosted.host}/acme/api-docs:9` });
    const d = await api("GET", `/apps/${appId}/images/${missing.body.id}/details`);
    expect(d.body).toMatchObject({ ok: false, digest: null, problem: "acme/api-docs:9 is not in the hosted registry: push it first." });
    expect((await api("DELETE", `/apps/${appId}/images/${missing.body.id}`)).status).toBe(200);
  });

  it("suggests what was pushed under the slug and isn't listed, and adds it with the suggested reference", async () => {
    let suggestions: Array<{ reference: string; seenIn: string }> = [];
    for (let i = 0; i < 100 && !suggestions.some((s) => s.reference === `${hosted.host}/acme/worker:3`); i++) {
      await new Promise((r) => setTimeout(r, 100));
      suggestions = (await api("GET", `/apps/${appId}/image-suggestions`)).body.data;
    }
    expect(suggestions).toContainEqual(expect.objectContaining({ reference: `${hosted.host}/acme/worker:3`, seenIn: "push" }));
    expect(suggestions.map((s) => s.reference)).not.toContain(`${hosted.host}/acme/api:1.4`);
    const added = await api("POST", `/apps/${appId}/images`, { reference: `${hosted.host}/acme/worker:3` });
    expect(added.status).toBe(201);
    expect((await api("GET", `/apps/${appId}/image-suggestions`)).body.data.map((s: { reference: string }) => s.reference)).not.toContain(`${hosted.host}/acme/worker:3`);
  });

  it("suggests what the app's licenses pulled through the proxy, written as the vendor would add it", async () => {
    await t.db.pullEvent.create({
      data: { teamId: admin.teamId, appId, source: "proxy", image: "proxy/acme/mirror/team/queue", reference: "5", action: "pull-manifest", status: 200 },
    });
    // A refused pull is not a suggestion.
    await t.db.pullEvent.create({
      data: { teamId: admin.teamId, appId, source: "proxy", image: "proxy/acme/mirror/team/secret", reference: "1", action: "pull-manifest", status: 403 },
    });
    const data = (await api("GET", `/apps/${appId}/image-suggestions`)).body.data as Array<{ reference: string; seenIn: string }>;
    expect(data).toContainEqual(expect.objectContaining({ reference: "mirror/team/queue:5", seenIn: "pull" }));
    expect(data.map((s) => s.reference)).not.toContain("mirror/team/secret:1");
  });

  it("`portcullis apps images` lists, adds and removes over the REST API, with exit codes 0, 1 and 2", async () => {
    const list = await cli("apps", "images", "list", "--app", "acme", "--portal-url", routes.url);
    expect(list.code).toBe(0);
    expect(list.out).toContain(`customers pull: ${hosted.host}/acme/api:1.4`);
    expect(list.out).toContain("customers pull: proxy.example.test/proxy/acme/mirror/team/db:2");

    const add = await cli("apps", "images", "add", "--app", "acme", "--portal-url", routes.url, "mirror/team/cache:7");
    expect(add.code).toBe(0);
    expect(add.out).toContain("customers pull: proxy.example.test/proxy/acme/mirror/team/cache:7");
    const id = /\(([0-9a-f-]{36})\)/.exec(add.out)![1]!;

    const refused = await cli("apps", "images", "add", "--app", "acme", "--portal-url", routes.url, "quay.io/acme/api:1");
    expect(refused.code).toBe(1);
    expect(refused.err).toBe("portcullis apps images add: No registry of this team serves quay.io: add it on the Images page first, or push the image to the hosted registry.");
    expect((await cli("apps", "images", "add", "--app", "nope", "--portal-url", routes.url, "x:1")).err).toContain('no app with the slug "nope"');
    expect((await cli("apps", "images", "remove", "--app", "acme", "--portal-url", routes.url)).code).toBe(2);
    expect((await cli("apps", "images", "list", "--help")).out).toContain("Usage: portcullis apps images list");

    const removed = await cli("apps", "images", "remove", "--app", appId, "--portal-url", routes.url, id);
    expect(removed.code).toBe(0);
    const after = await cli("apps", "images", "list", "--app", "acme", "--portal-url", routes.url, "--json");
    expect((JSON.parse(after.out) as { images: Array<{ id: string }> }).images.map((i) => i.id)).not.toContain(id);
  });

  it("a Helm chart pushed to the hosted registry: its details record it, and the license's helm install line resolves there with the license", async () => {
    /** A token of the portal's token service, as helm gets one after the registry's 401. */
    const registryToken = async (scope: string, authorization: string) => {
      const res = await fetch(`${routes.url}/api/registry/token?service=${REGISTRY_SERVICE}&scope=${scope}`, { headers: { authorization } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { token: string }).token;
    };
    const chart = await pushArtifact(
      { url: hosted.url, repository: "acme/charts/web", bearer: await registryToken("repository:acme/charts/web:pull,push", basicAuth("token", token)) },
      {
        config: { mediaType: "application/vnd.cncf.helm.config.v1+json", bytes: Buffer.from(JSON.stringify({ name: "web", version: "0.3.0", apiVersion: "v2" })) },
        layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", bytes: Buffer.from("web/Chart.yaml\0apiVersion: v2\n") }],
        tag: "0.3.0",
      },
    );
    const added = await api("POST", `/apps/${appId}/images`, { reference: `${hosted.host}/acme/charts/web:0.3.0` });
    expect(added.status).toBe(201);
    expect((await api("GET", `/apps/${appId}/images/${added.body.id}/details`)).body).toMatchObject({ ok: true, digest: chart.digest, helmChart: true });

    const customerId = (await createCustomerRow(t.db, admin.teamId, "Chart customer")).id;
    const issued = await invoke(issueLicense, admin, { customerId, app: "acme", type: "paid" });
    const instructions = await api("GET", `/licenses/${issued.id}/instructions`);
    expect(instructions.status).toBe(200);
    const lines = (instructions.body.helmInstall as string).split("\n");
    expect(lines).toEqual([
      `echo '${issued.licenseId}' | helm registry login ${hosted.host} --username LICENSE_ID --password-stdin`,
      `helm install web oci://${hosted.host}/acme/charts/web --version 0.3.0 --namespace acme --create-namespace -f values.yaml`,
    ]);
    // What helm does with that line: the manifest at that reference, with a token for the license's login.
    const [, repository, version] = /oci:\/\/[^/]+\/(\S+) --version (\S+)/.exec(lines[1]!)!;
    const bearer = await registryToken(`repository:${repository}:pull`, basicAuth("LICENSE_ID", issued.licenseId));
    const manifest = await fetch(`${hosted.url}/v2/${repository}/manifests/${version}`, { headers: { authorization: `Bearer ${bearer}`, accept: "application/vnd.oci.image.manifest.v1+json" } });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("docker-content-digest")).toBe(chart.digest);
  });
});
