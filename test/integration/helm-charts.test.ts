import crypto from "node:crypto";
import zlib from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "@/cli/main";
import type { TeamContext } from "@/lib/auth/context";
import { addAppImage, appImageDetails, listAppImages } from "@/lib/apps/images/operations";
import { createLicense } from "@/lib/licenses/operations";
import { instructionsDtoSchema } from "@/lib/licenses/instructions/schemas";
import { loadLicenseInstructions } from "@/lib/licenses/instructions/load";
import { invoke } from "@/lib/server/operation";
import { createTeamToken } from "@/lib/tokens/operations";
import { apiRequest } from "@/test/support/api";
import { addRegistry, createAppRow, createCustomerRow, memberContext } from "@/test/support/factories";
import { pushArtifact, type PushedManifest } from "@/test/support/oci-push";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture } from "@/test/support/proxy-fixture";
import { servePortalRoutes } from "@/test/support/portal-routes";
import { requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";

/**
 * An app that ships a Helm chart: a chart pushed to a real Distribution with the OCI API as
 * `helm push` writes it, listed as one of the app's images. Reading its details (the connection
 * test's code) records that it is a chart; the license's instructions then give `helm registry
 * login` and `helm install oci://…`, and that reference resolves through the proxy with the
 * license, to the chart's own manifest.
 */

const vendor = { username: "vendor", password: "vendor-upstream-pass" };
const HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
/** What helm (oras-go) asks for when it resolves a chart. */
const HELM_ACCEPT = "application/vnd.oci.image.manifest.v1+json";
const pushChart = (url: string, repository: string, name: string, version: string) =>
  pushArtifact(
    { url, repository, creds: vendor },
    {
      config: { mediaType: HELM_CONFIG, bytes: Buffer.from(JSON.stringify({ name, version, apiVersion: "v2" })) },
      layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", bytes: zlib.gzipSync(Buffer.concat([Buffer.from(`${name}/Chart.yaml\0`), crypto.randomBytes(2000)])) }],
      tag: version,
    },
  );

describe.skipIf(!requireBinaries("docker-registry", "htpasswd"))("an app's Helm chart in the install instructions", () => {
  const fx = proxyFixture();
  let reg: Distribution;
  let chart: PushedManifest;
  let admin: TeamContext;
  let appId: string;
  let license: { id: string; licenseId: string };
  let proxyHost: string;
  let token: string;
  let chartImageId: string;
  let apiImageId: string;

  const instructions = () => loadLicenseInstructions(fx.db, { teamId: admin.teamId, licenseRowId: license.id });

  beforeAll(async () => {
    reg = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    chart = await pushChart(reg.url, "charts/demo", "demo", "1.2.3");
    await pushArtifact(
      { url: reg.url, repository: "acme/api", creds: vendor },
      {
        config: { mediaType: "application/vnd.oci.image.config.v1+json", bytes: Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })) },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", bytes: zlib.gzipSync(crypto.randomBytes(2000)) }],
        tag: "1.0",
      },
    );

    admin = await memberContext(fx.db, { role: "admin", teamName: "Chart vendor" });
    appId = (await createAppRow(fx.db, admin.teamId, { name: "Charted", slug: "charted" })).id;
    await addRegistry(fx.db, admin.teamId, { name: "vendorreg", endpoint: reg.url, username: vendor.username, secret: vendor.password });
    const customer = await createCustomerRow(fx.db, admin.teamId, "Globex");
    license = await invoke(createLicense, admin, { customerId: customer.id, app: "charted", type: "paid" });
    token = (await invoke(createTeamToken, admin, { name: "release" })).token;

    const proxy = await fx.startProxy();
    proxyHost = proxy.host;
    fx.setEnv({ PROXY_URL: proxy.url });

    chartImageId = (await invoke(addAppImage, admin, { id: appId, reference: "vendorreg/charts/demo:1.2.3" })).id;
    apiImageId = (await invoke(addAppImage, admin, { id: appId, reference: "vendorreg/acme/api:1.0" })).id;
    return () => reg?.stop();
  });

  it("reading an image's details tells a chart from an image, and the image list keeps it", async () => {
    // Nothing read yet: nothing is taken for a chart.
    expect((await instructions()).helmInstall).toBeNull();

    const chartDetails = await invoke(appImageDetails, admin, { id: appId, imageId: chartImageId });
    expect(chartDetails).toMatchObject({ ok: true, digest: chart.digest, kind: "image", helmChart: true });
    const imageDetails = await invoke(appImageDetails, admin, { id: appId, imageId: apiImageId });
    expect(imageDetails).toMatchObject({ ok: true, helmChart: false, platforms: ["linux/amd64"] });

    const listed = await invoke(listAppImages, admin, { id: appId });
    expect(listed.images.map((i) => [i.image, i.helmChart])).toEqual([
      [`${reg.host}/charts/demo:1.2.3`, true],
      [`${reg.host}/acme/api:1.0`, false],
    ]);
  });

  it("the instructions log helm in and install the chart through the proxy; docker pulls only the image", async () => {
    const i = await instructions();
    const chartRef = `${proxyHost}/proxy/charted/vendorreg/charts/demo`;
    expect(i.images.map((x) => [x.reference, x.helmChart])).toEqual([
      [`${chartRef}:1.2.3`, true],
      [`${proxyHost}/proxy/charted/vendorreg/acme/api:1.0`, false],
    ]);
    expect(i.helmInstall!.split("\n")).toEqual([
      `echo '${license.licenseId}' | helm registry login ${proxyHost} --username LICENSE_ID --password-stdin`,
      `helm install demo oci://${chartRef} --version 1.2.3 --namespace charted --create-namespace -f values.yaml`,
    ]);
    expect(i.pullCommands).toBe(`docker pull ${proxyHost}/proxy/charted/vendorreg/acme/api:1.0`);

    // The REST API answers the same lines.
    const res = await apiRequest("GET", `/api/v1/licenses/${license.id}/instructions`, { token, db: async () => fx.db });
    expect(res.status).toBe(200);
    const body = instructionsDtoSchema.parse(await res.json());
    expect(body.helmInstall).toBe(i.helmInstall);
    expect(body.images.find((x) => x.helmChart)?.reference).toBe(`${chartRef}:1.2.3`);
  });

  it("the `helm install oci://…` reference resolves through the proxy with the license, to the chart's manifest", async () => {
    const line = (await instructions()).helmInstall!.split("\n").find((l) => l.startsWith("helm install"))!;
    const [, host, repository, version] = /oci:\/\/([^/]+)\/(\S+) --version (\S+)/.exec(line)!;
    expect(host).toBe(proxyHost);
    // What helm does with it: GET /v2/<repository>/manifests/<version>, with the license's login.
    const manifest = await rawRequest(`http://${host}/v2/${repository}/manifests/${version}`, { headers: { accept: HELM_ACCEPT, authorization: licenseAuth(license.licenseId) } });
    expect(manifest.status).toBe(200);
    expect(manifest.headers["docker-content-digest"]).toBe(chart.digest);
    expect(manifest.body.equals(chart.bytes)).toBe(true);
    expect((JSON.parse(manifest.body.toString()) as { config: { mediaType: string } }).config.mediaType).toBe(HELM_CONFIG);
    // Without the license it is refused.
    const anonymous = await rawRequest(`http://${host}/v2/${repository}/manifests/${version}`, { headers: { accept: HELM_ACCEPT } });
    expect(anonymous.status).toBe(401);
  });

  it("a tag that becomes an ordinary image loses its helm line when read again", async () => {
    await pushArtifact(
      { url: reg.url, repository: "charts/demo", creds: vendor },
      {
        config: { mediaType: "application/vnd.oci.image.config.v1+json", bytes: Buffer.from(JSON.stringify({ architecture: "arm64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })) },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", bytes: zlib.gzipSync(crypto.randomBytes(100)) }],
        tag: "1.2.3",
      },
    );
    expect(await invoke(appImageDetails, admin, { id: appId, imageId: chartImageId })).toMatchObject({ ok: true, helmChart: false, platforms: ["linux/arm64"] });
    const i = await instructions();
    expect(i.helmInstall).toBeNull();
    expect(i.pullCommands.split("\n")).toHaveLength(2);
  });

  it("`portcullis apps images add` reads what it added: a chart gets its helm line without anyone opening its details", async () => {
    await pushChart(reg.url, "charts/ops", "ops", "0.1.0");
    const routes = await servePortalRoutes();
    const out: string[] = [];
    const saved = process.env.PORTCULLIS_TOKEN;
    process.env.PORTCULLIS_TOKEN = token;
    try {
      const code = await main(["apps", "images", "add", "--app", "charted", "--portal-url", routes.url, "vendorreg/charts/ops:0.1.0"], { out: (l) => out.push(l), err: (l) => out.push(l) });
      expect(code, out.join("\n")).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.PORTCULLIS_TOKEN;
      else process.env.PORTCULLIS_TOKEN = saved;
      await routes.close();
    }
    expect(out.join("\n")).toMatch(/\nnow: a Helm chart, sha256:[0-9a-f]{64}$/);
    expect((await instructions()).helmInstall).toContain(`helm install ops oci://${proxyHost}/proxy/charted/vendorreg/charts/ops --version 0.1.0`);
  });
});
