import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPodman, podman } from "@/scripts/podman";
import { ensureTestImage, testImageName } from "@/test/support/container-image";
import { hasKubectl, KUBERNETES_DIR, kustomize, type K8sObject } from "@/test/support/kubernetes";
import { freePort, requireBinaries, type BuiltImage, type Distribution } from "@/test/support/registry";
import { runOnce } from "./podman-containers";
import { until } from "./until";
import { freshDatabase, vendorSetsUpAndCustomerPulls, vendorUpstream, type VendorFlow } from "./vendor-flow";

/**
 * deploy/kubernetes run with `podman kube play`: the base rendered through a test overlay (the
 * image under test, one replica each, host network on 127.0.0.1 ports, a fresh PostgreSQL
 * database, real secrets), the migrations Job run as a Pod, then the portal, the proxy and the
 * hosted registry as podman pods; a customer pulls through the proxy with the license ID.
 *
 * Uses the image the containers tier built (images.test.ts), `PORTCULLIS_TEST_IMAGE`, or builds it
 * when neither exists. Podman 4.3 stores a played `kind: Secret` in a form its own
 * `secretKeyRef` cannot read and crashes on secret volumes: the rendered Secrets become podman
 * secrets (JSON of base64 values, what `secretKeyRef` reads) and the signing key's secret volume a
 * host directory holding the rendered key.
 */
const ready = hasPodman() && hasKubectl() && requireBinaries("docker-registry", "skopeo", "htpasswd");
const PLAYABLE = new Set(["ConfigMap", "Deployment", "PersistentVolumeClaim"]);

function imageParts(image: string): { newName: string; newTag: string } {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? { newName: image.slice(0, colon), newTag: image.slice(colon + 1) } : { newName: image, newTag: "latest" };
}

const podContainers = (pod: string) =>
  podman(["ps", "-a", "--filter", `pod=${pod}`, "--format", "{{.Names}}"]).stdout.split("\n").filter((n) => n && !n.endsWith("-infra"));

describe.skipIf(!ready)("deploy/kubernetes with podman kube play", () => {
  const image = testImageName();
  const prefix = `k${crypto.randomBytes(3).toString("hex")}-`;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let work: string;
  let upstream: Distribution;
  let vendor: VendorFlow["vendor"];
  let img: BuiltImage;
  let env: Record<string, string>;
  let played: string;
  let portalUrl: string;
  let proxyPort: number;
  let registryPort: number;
  const secrets: string[] = [];
  const volumes: string[] = [];
  const logs = () =>
    ["portal", "proxy", "registry"]
      .flatMap((n) => podContainers(`${prefix}portcullis-${n}-pod-0`))
      .map((c) => `--- ${c}\n${podman(["logs", c]).stdout}${podman(["logs", c]).stderr}`)
      .join("\n");

  beforeAll(async () => {
    // The image images.test.ts built; built here only when this file runs first.
    ensureTestImage({ rebuild: false });
    db = await freshDatabase("portcullis_kube");
    work = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-kube-"));
    ({ upstream, vendor, img } = await vendorUpstream(work));

    const portalPort = await freePort();
    proxyPort = await freePort();
    registryPort = await freePort();
    portalUrl = `http://127.0.0.1:${portalPort}`;
    const config = {
      PORTAL_URL: portalUrl,
      PORTAL_INTERNAL_URL: portalUrl,
      PROXY_URL: `http://127.0.0.1:${proxyPort}`,
      REGISTRY_URL: `http://127.0.0.1:${registryPort}`,
      REGISTRY_INTERNAL_URL: `http://127.0.0.1:${registryPort}`,
      PORT: String(portalPort),
      PROXY_PORT: String(proxyPort),
      REGISTRY_PORT: String(registryPort),
      BIND_ADDRESS: "127.0.0.1",
      PORTAL_TRUSTED_HOPS: "0",
      PROXY_TRUSTED_HOPS: "0",
      // The upstream Distribution of this test runs on 127.0.0.1 over plain HTTP.
      ALLOW_PRIVATE_HOSTS: "true",
    };
    const secret = {
      DATABASE_URL: db.url,
      AUTH_SECRET: crypto.randomBytes(32).toString("base64"),
      TOKEN_HASH_KEYS: `h1:${crypto.randomBytes(32).toString("base64")}`,
      LOCAL_KMS_KEYS: `k1:${crypto.randomBytes(32).toString("base64")}`,
      PROXY_SERVICE_TOKEN: crypto.randomBytes(32).toString("hex"),
      REGISTRY_EVENTS_TOKEN: crypto.randomBytes(32).toString("hex"),
    };
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;

    // The test overlay: what an operator's overlay changes, for this machine.
    const overlay = path.join(work, "overlay");
    fs.mkdirSync(overlay);
    const hostNetwork = [{ op: "add", path: "/spec/template/spec/hostNetwork", value: true }];
    const kustomization = {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      namePrefix: prefix,
      // kustomize takes only relative paths.
      resources: [path.relative(overlay, path.join(KUBERNETES_DIR, "base"))],
      images: [{ name: "localhost/portcullis", ...imageParts(image) }],
      replicas: [{ name: "portcullis-portal", count: 1 }, { name: "portcullis-proxy", count: 1 }],
      patches: [
        { patch: dump({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "portcullis-config" }, data: config }) },
        { patch: dump({ apiVersion: "v1", kind: "Secret", metadata: { name: "portcullis-secrets" }, stringData: secret }) },
        { patch: dump({ apiVersion: "v1", kind: "Secret", metadata: { name: "portcullis-registry-token-key" }, stringData: { "registry-token-key.pem": pem } }) },
        { target: { kind: "Deployment" }, patch: dump(hostNetwork) },
        { target: { kind: "Job" }, patch: dump(hostNetwork) },
        {
          target: { kind: "Deployment", name: "portcullis-registry" },
          patch: dump([{ op: "replace", path: "/spec/template/spec/containers/0/args", value: ["registry", "--events-url", `${portalUrl}/api/registry/events`, "--addr", `127.0.0.1:${registryPort}`] }]),
        },
      ],
    };
    fs.writeFileSync(path.join(overlay, "kustomization.yaml"), dump(kustomization));
    const rendered = kustomize(overlay);

    // Secrets as podman secrets; secret volumes as host directories holding the rendered files.
    const secretDirs = new Map<string, string>();
    for (const s of rendered.filter((o) => o.kind === "Secret") as any[]) {
      const values: Record<string, string> = { ...(s.data ?? {}) };
      for (const [k, v] of Object.entries((s.stringData ?? {}) as Record<string, string>)) values[k] = Buffer.from(v).toString("base64");
      const file = path.join(work, `${s.metadata.name}.json`);
      fs.writeFileSync(file, JSON.stringify(values), { mode: 0o600 });
      const created = podman(["secret", "create", s.metadata.name, file]);
      expect(created.status, created.stderr).toBe(0);
      secrets.push(s.metadata.name);
      const dir = path.join(work, "secrets", s.metadata.name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [k, v] of Object.entries(values)) {
        fs.writeFileSync(path.join(dir, k), Buffer.from(v, "base64"), { mode: 0o400 });
        fs.chownSync(path.join(dir, k), 10001, 10001);
      }
      secretDirs.set(s.metadata.name, dir);
    }
    // With the host network podman 4.3 refuses container ports: the servers listen on the
    // configured 127.0.0.1 ports, and the probes ask those.
    const listens: Record<string, number> = { portal: portalPort, proxy: proxyPort, registry: registryPort };
    const toPlay = (o: K8sObject): K8sObject => {
      const spec = (o as any).spec?.template?.spec ?? (o as any).spec;
      for (const c of spec?.containers ?? []) {
        delete c.ports;
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          const target = probe?.httpGet ?? probe?.tcpSocket;
          if (target) target.port = listens[c.name];
        }
      }
      for (const v of spec?.volumes ?? []) {
        if (!v.secret) continue;
        v.hostPath = { path: secretDirs.get(v.secret.secretName), type: "Directory" };
        delete v.secret;
      }
      return o;
    };
    // The migrations Job as a Pod (kube play runs no Jobs).
    const job = rendered.find((o) => o.kind === "Job") as any;
    const migrate = toPlay({ apiVersion: "v1", kind: "Pod", metadata: { name: job.metadata.name }, spec: { ...job.spec.template.spec, restartPolicy: "Never" } });
    const configMaps = rendered.filter((o) => o.kind === "ConfigMap").map((o) => dump(o));
    fs.writeFileSync(path.join(work, "migrate.yaml"), [...configMaps, dump(migrate)].join("---\n"));
    played = path.join(work, "workloads.yaml");
    fs.writeFileSync(played, rendered.filter((o) => PLAYABLE.has(o.kind)).map((o) => dump(toPlay(o))).join("---\n"));
    volumes.push(...rendered.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => o.metadata.name));

    env = { ...config, ...secret, NODE_ENV: "production" };
  }, 1_800_000);

  afterAll(async () => {
    if (played) podman(["kube", "down", played]);
    if (work && fs.existsSync(path.join(work, "migrate.yaml"))) podman(["kube", "down", path.join(work, "migrate.yaml")]);
    for (const s of secrets) podman(["secret", "rm", s]);
    for (const v of volumes) podman(["volume", "rm", "-f", v]);
    await upstream?.stop();
    await db?.drop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("the migrations Job migrates the fresh database", () => {
    const play = podman(["kube", "play", path.join(work, "migrate.yaml")], { timeoutMs: 300_000 });
    expect(play.status, play.stderr).toBe(0);
    const [container] = podContainers(`${prefix}portcullis-migrate`);
    expect(container).toBeDefined();
    const code = podman(["wait", container!], { timeoutMs: 300_000 }).stdout.trim();
    const out = podman(["logs", container!]);
    expect(code, out.stdout + out.stderr).toBe("0");
    expect(out.stdout).toMatch(/applied 20261127023202_init/);
  });

  it("the portal, the proxy and the hosted registry start from the manifests, non-root and read-only", async () => {
    const play = podman(["kube", "play", played], { timeoutMs: 300_000 });
    expect(play.status, play.stderr).toBe(0);
    const wait = (what: string, probe: () => Promise<boolean>) => until(`${what} answering`, probe, logs);
    await wait("the portal", async () => (await fetch(`${portalUrl}/sign-in`)).status === 200);
    await wait("the proxy", async () => (await fetch(`http://127.0.0.1:${proxyPort}/readyz`)).status === 200);
    await wait("the hosted registry", async () => (await fetch(`http://127.0.0.1:${registryPort}/v2/`)).status === 401);
    const v2 = await fetch(`http://127.0.0.1:${registryPort}/v2/`);
    expect(v2.headers.get("www-authenticate")).toContain(`realm="${portalUrl}/api/registry/token"`);
    for (const n of ["portal", "proxy", "registry"]) {
      const [c] = podContainers(`${prefix}portcullis-${n}-pod-0`);
      expect(podman(["exec", c!, "id", "-u"]).stdout.trim()).toBe("10001");
      expect(podman(["exec", c!, "sh", "-c", "echo x > /app/written"]).stderr).toMatch(/Read-only file system/);
    }
  });

  it("a customer pulls through the proxy with the license ID", async () => {
    const bootstrap = runOnce(image, ["portcullis", "admin", "bootstrap", "--email", "ops@kube.example", "--password", "kube admin password", "--team", "Kube"], env);
    expect(bootstrap.status, bootstrap.stderr).toBe(0);
    const token = (JSON.parse(bootstrap.stdout) as { token: string }).token;
    await vendorSetsUpAndCustomerPulls({ portalUrl, proxyHost: `127.0.0.1:${proxyPort}`, token, upstream, vendor, img, work, logs });
  });
});
