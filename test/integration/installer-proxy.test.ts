import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "@/cli/main";
import type { ProxyServer } from "@/proxy/server";
import { addRegistry, createLicense, createTenant, type Tenant } from "@/test/support/factories";
import { proxyFixture } from "@/test/support/proxy-fixture";
import { buildOciImage, pullImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * The installer end to end: `portcullis images rewrite` asks a real Distribution (htpasswd) and
 * an open one anonymously which images are private, writes the overlay, `kubectl kustomize`
 * builds it, and the Secret it generated — decoded into an authfile — lets `skopeo copy` pull the
 * rewritten image through the running proxy from the real upstream. Revoking the license then
 * stops the same pull. (The proxy and its internal API are set up as in proxy-pull.test.ts,
 * through test/support/proxy-fixture.ts.)
 */

const execFileP = promisify(execFile);
const vendor = { username: "vendor", password: "vendor-upstream-pass" };
const LICENSE_TTL_MS = 400;

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd", "kubectl"))("installer: rewritten manifests pull through the proxy with the generated secret", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let proxyHost: string;
  let upstream: Distribution;
  let open: Distribution;
  let work: string;
  let app: Tenant;
  let license: { id: string; licenseId: string };
  let img: BuiltImage;
  let dir: string;
  let stdout: string;
  let built: Array<Record<string, any>>;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "installer-proxy-"));
    [upstream, open] = await Promise.all([startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } }), startDistribution({ auth: "none" })]);
    // The vendor's private registry plays Docker Hub: `acme/api:1.0` in the manifests lives there.
    fx.setEnv({ DOCKER_HUB_REGISTRY: upstream.url });

    img = await buildOciImage(path.join(work, "api"), { layers: [{ sizeBytes: 200_000 }, { files: { "etc/api.conf": "port=9000\n" } }], platforms: ["linux/amd64", "linux/arm64"], tag: "1.0" });
    const tool = await buildOciImage(path.join(work, "tool"), { layers: [{ sizeBytes: 10_000 }], tag: "2" });
    await Promise.all([pushImage(img.dir, `${upstream.host}/acme/api:1.0`, { creds: vendor, all: true }), pushImage(tool.dir, `${open.host}/tools/wait:2`)]);

    app = await createTenant(fx.db, { slug: "acme-app" });
    license = await createLicense(fx.db, app);
    await addRegistry(fx.db, app.teamId, { endpoint: upstream.url, username: vendor.username, secret: vendor.password });

    ({ proxy, host: proxyHost } = await fx.startProxy({ dockerHubRegistry: upstream.url, licenseTtlMs: LICENSE_TTL_MS, pullLog: { flushIntervalMs: 100 } }));

    // What a vendor ships: a Deployment with a private app image and a public init image, and a debug Pod.
    dir = path.join(work, "manifests");
    await fs.mkdir(path.join(dir, "base"), { recursive: true });
    await fs.writeFile(path.join(dir, "base", "kustomization.yaml"), "resources:\n- app.yaml\n");
    await fs.writeFile(
      path.join(dir, "base", "app.yaml"),
      [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: api}",
        "spec:",
        "  selector: {matchLabels: {app: api}}",
        "  template:",
        "    metadata: {labels: {app: api}}",
        "    spec:",
        "      initContainers:",
        `      - {name: wait, image: "${open.host}/tools/wait:2"}`,
        "      containers:",
        "      - {name: api, image: acme/api:1.0}",
        "---",
        "apiVersion: v1",
        "kind: Pod",
        "metadata: {name: debug}",
        "spec:",
        "  containers: [{name: shell, image: acme/api:1.0}]",
        "  ephemeralContainers: [{name: tools, image: acme/api:1.0}]",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await Promise.all([upstream?.stop(), open?.stop()]);
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("images rewrite decides by anonymous requests, with reasons and the exchange", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const argv = ["images", "rewrite", dir, "--app", "acme-app", "--license-id", license.licenseId, "--proxy-host", proxyHost, "--registry-host", "registry.portcullis.test", "--namespace", "acme", "--additional-namespaces", "acme-debug", "--explain"];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    stdout = out.join("\n");
    expect(code, err.join("\n")).toBe(0);
    expect(stdout).toMatch(new RegExp(`acme/api:1\\.0\\s+private\\s+401 from ${upstream.host.replace(/\./g, "\\.")} \\(Basic auth required\\)\\s+${proxyHost}/proxy/acme-app/acme/api:1\\.0`));
    expect(stdout).toMatch(new RegExp(`${open.host}/tools/wait:2\\s+public\\s+public: anonymous pull allowed\\s+\\(unchanged\\)`));
    // --explain: the requests as they went out and what came back.
    expect(stdout).toContain(`  > HEAD ${upstream.url}/v2/acme/api/manifests/1.0`);
    expect(stdout).toContain(`  <   www-authenticate: Basic realm=`);
    expect(stdout).toContain(`  = private: 401 from ${upstream.host} (Basic auth required)`);
    expect(stdout).toContain(`  > HEAD ${open.url}/v2/tools/wait/manifests/2`);
    expect(stdout).toContain("  < 200");
    expect(stdout).not.toContain(license.licenseId);

    // Idempotent against the real registries too.
    const again: string[] = [];
    expect(await main(argv.slice(0, -1), { out: (l) => again.push(l), err: () => {} })).toBe(0);
    expect(again.filter((l) => l.startsWith("  ")).every((l) => l.includes("unchanged"))).toBe(true);
  });

  it("kubectl kustomize builds the overlay: the private image points at the proxy, the public one is untouched", async () => {
    const { stdout: yaml } = await execFileP("kubectl", ["kustomize", path.join(dir, "overlays/midstream")], { env: { ...process.env, KUBECONFIG: "/dev/null" } });
    built = loadAll(yaml) as typeof built;
    const deployment = built.find((d) => d.kind === "Deployment")!.spec.template.spec;
    expect(deployment.containers[0].image).toBe(`${proxyHost}/proxy/acme-app/acme/api:1.0`);
    expect(deployment.initContainers[0].image).toBe(`${open.host}/tools/wait:2`);
    expect(deployment.imagePullSecrets).toEqual([{ name: "acme-app-registry" }]);
    const pod = built.find((d) => d.kind === "Pod")!.spec;
    expect(pod.containers[0].image).toBe(`${proxyHost}/proxy/acme-app/acme/api:1.0`);
    expect(pod.ephemeralContainers[0].image).toBe(`${proxyHost}/proxy/acme-app/acme/api:1.0`);
    expect(built.filter((d) => d.kind === "Secret").map((s) => s.metadata.namespace).sort()).toEqual(["acme", "acme-debug"]);
  });

  async function authfileFromSecret(): Promise<string> {
    const secret = built.find((d) => d.kind === "Secret" && d.metadata.namespace === "acme")!;
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    const file = path.join(work, "auth.json");
    await fs.writeFile(file, Buffer.from(secret.data[".dockerconfigjson"], "base64"));
    return file;
  }

  it("the generated Secret, as skopeo's authfile, pulls the rewritten image through the proxy", async () => {
    const authfile = await authfileFromSecret();
    const rewritten = `${proxyHost}/proxy/acme-app/acme/api:1.0`;
    const dest = path.join(work, "pulled");
    await pullImage(rewritten, dest, { authfile, all: true });
    const index = JSON.parse(await fs.readFile(path.join(dest, "index.json"), "utf8")) as { manifests: Array<{ digest: string }> };
    expect(index.manifests[0]!.digest).toBe(img.digest);
    // Without the authfile the proxy refuses.
    await expect(pullImage(rewritten, path.join(work, "anon"))).rejects.toThrow(/unauthorized|authentication required/i);
    // The pull reached the portal's log (what the ECR tutorial's "first pull" checkmark reads).
    await proxy.pullLog.flush(true);
    expect(await fx.db.pullEvent.count({ where: { teamId: app.teamId, source: "proxy" } })).toBeGreaterThan(0);
  });

  it("a revoked license then fails", async () => {
    await fx.db.license.update({ where: { id: license.id }, data: { revokedAt: new Date() } });
    fx.clock.advance(LICENSE_TTL_MS + 1);
    const authfile = await authfileFromSecret();
    await expect(pullImage(`${proxyHost}/proxy/acme-app/acme/api:1.0`, path.join(work, "revoked"), { authfile, all: true })).rejects.toThrow(/unauthorized|revoked|authentication required/i);
  });
});
