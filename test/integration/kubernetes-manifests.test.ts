import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { find, hasKubectl, KUBERNETES_DIR, kustomize, type K8sObject } from "@/test/support/kubernetes";

/**
 * deploy/kubernetes as an operator applies it: the base and the example overlay render with
 * `kubectl kustomize`, and what the README promises holds in the rendered objects.
 */
const root = path.resolve(import.meta.dirname, "../..");
const ready = hasKubectl();

type Container = any;
type PodSpec = any;

const workloads = (objects: K8sObject[]) => objects.filter((o) => o.kind === "Deployment" || o.kind === "Job");
const podSpec = (o: K8sObject): PodSpec => (o as any).spec.template.spec;
const containersOf = (o: K8sObject): Container[] => [...(podSpec(o).initContainers ?? []), ...podSpec(o).containers];
const data = (o: K8sObject): Record<string, string> => ({ ...((o as any).data ?? {}), ...((o as any).stringData ?? {}) });

/** Backticked names in the first column of every row of the markdown tables under `heading`. */
function tableVariables(file: string, heading: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const start = text.indexOf(heading);
  expect(start, `${heading} in ${file}`).toBeGreaterThanOrEqual(0);
  const section = text.slice(start + heading.length).split(/\n#{1,3} /)[0]!;
  return section
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .flatMap((l) => [...l.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

/** The portal's top-level URL paths, from the app router's folders (route groups flattened). */
function portalTopLevelPaths(): string[] {
  const segments = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (!e.isDirectory() || e.name.startsWith("_") || e.name.startsWith("[")) return [];
      if (e.name.startsWith("(")) return segments(path.join(dir, e.name));
      return [e.name];
    });
  const top = segments(path.join(root, "app")).filter((s) => s !== "api").map((s) => `/${s}`);
  const api = fs.readdirSync(path.join(root, "app/api")).filter((s) => s !== "internal").map((s) => `/api/${s}`);
  return ["/", "/_next/static/app.js", ...top, ...api];
}

/** Whether an Ingress path would send `url` to its backend (Prefix/ImplementationSpecific: by segment). */
function routes(p: { path: string; pathType: string }, url: string): boolean {
  if (p.pathType === "Exact") return url === p.path;
  const prefix = p.path.replace(/\/+$/, "");
  return prefix === "" || url === prefix || url.startsWith(`${prefix}/`);
}

function checkHardening(objects: K8sObject[]) {
  const all = workloads(objects);
  expect(all.map((o) => o.metadata.name).sort()).toEqual(["portcullis-migrate", "portcullis-portal", "portcullis-proxy", "portcullis-registry"]);
  for (const w of all) {
    const pod = podSpec(w);
    const tmp = (pod.volumes ?? []).find((v: any) => v.name === "tmp");
    for (const c of containersOf(w)) {
      const where = `${w.kind}/${w.metadata.name} ${c.name}`;
      const sc = { ...pod.securityContext, ...c.securityContext };
      expect(sc.runAsNonRoot, `${where} runAsNonRoot`).toBe(true);
      expect(sc.runAsUser, `${where} runAsUser`).toBe(10001);
      expect(c.securityContext?.readOnlyRootFilesystem, `${where} readOnlyRootFilesystem`).toBe(true);
      expect(c.securityContext?.allowPrivilegeEscalation, `${where} allowPrivilegeEscalation`).toBe(false);
      expect(c.securityContext?.capabilities?.drop, `${where} capabilities`).toEqual(["ALL"]);
      for (const kind of ["requests", "limits"]) {
        expect(c.resources?.[kind]?.cpu, `${where} ${kind}.cpu`).toBeTruthy();
        expect(c.resources?.[kind]?.memory, `${where} ${kind}.memory`).toBeTruthy();
      }
      if (w.kind === "Deployment") {
        expect(c.readinessProbe, `${where} readinessProbe`).toBeTruthy();
        expect(c.livenessProbe, `${where} livenessProbe`).toBeTruthy();
      }
      // A read-only root: /tmp is a writable emptyDir.
      const tmpMount = (c.volumeMounts ?? []).find((m: any) => m.mountPath === "/tmp");
      expect(tmpMount?.name, `${where} /tmp`).toBe("tmp");
      expect(tmp?.emptyDir, `${where} /tmp is an emptyDir`).toBeDefined();
    }
  }
}

describe.skipIf(!ready)("Kubernetes manifests (deploy/kubernetes)", () => {
  const base = ready ? kustomize("base") : [];
  const overlay = ready ? kustomize("overlays/example") : [];
  const config = () => data(find(base, "ConfigMap", "portcullis-config"));

  it("every container runs non-root, read-only, without privileges, with resource limits and probes (base and overlay)", () => {
    checkHardening(base);
    checkHardening(overlay);
  });

  it("runs two portals and two proxies spread over nodes, with disruption budgets and a migrations Job", () => {
    for (const name of ["portcullis-portal", "portcullis-proxy"]) {
      const d = find(base, "Deployment", name) as any;
      expect(d.spec.replicas, name).toBeGreaterThanOrEqual(2);
      expect(d.spec.template.spec.topologySpreadConstraints?.length, name).toBeGreaterThan(0);
      const pdb = find(base, "PodDisruptionBudget", name) as any;
      expect(pdb.spec.minAvailable).toBe(1);
      expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    }
    const job = find(base, "Job", "portcullis-migrate") as any;
    expect(job.spec.template.spec.containers[0].args).toEqual(["migrate"]);
    const registry = find(base, "Deployment", "portcullis-registry") as any;
    expect(registry.spec.template.spec.containers[0].args[0]).toBe("registry");
    const claim = registry.spec.template.spec.volumes.find((v: any) => v.name === "data").persistentVolumeClaim.claimName;
    expect(find(base, "PersistentVolumeClaim", claim)).toBeDefined();
  });

  it("the proxy is taken out on /readyz and gets longer than its drain to stop, with a volume for its pull log", () => {
    const proxy = find(base, "Deployment", "portcullis-proxy") as any;
    const pod = proxy.spec.template.spec;
    const c = pod.containers[0];
    expect(c.args).toEqual(["proxy"]);
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    const drainMs = Number(config().PROXY_DRAIN_DELAY_MS) + Number(config().PROXY_DRAIN_TIMEOUT_MS);
    expect(drainMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs);
    const mount = c.volumeMounts.find((m: any) => m.mountPath === config().PROXY_PULL_LOG_DIR);
    expect(mount, "a volume at PROXY_PULL_LOG_DIR").toBeDefined();
    expect(pod.volumes.map((v: any) => v.name)).toContain(mount.name);
  });

  it("the portal is taken out on /readyz, kept alive on /healthz, and gets longer than its drain delay, drain and Next's close to stop", () => {
    const pod = (find(base, "Deployment", "portcullis-portal") as any).spec.template.spec;
    const c = pod.containers[0];
    expect(c.args).toEqual(["portal"]);
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    // The readiness probe notices within the delay: the probe's period times its threshold.
    const delayMs = Number(config().PORTAL_DRAIN_DELAY_MS);
    expect(c.readinessProbe.periodSeconds * c.readinessProbe.failureThreshold * 1000).toBeLessThan(delayMs);
    // scripts/portal-server.ts: 25 s for requests in flight, then up to 5 s for Next to close.
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(delayMs + 25_000 + 5_000);
  });

  it("no ConfigMap holds a secret-looking key (base and overlay)", () => {
    for (const objects of [base, overlay]) {
      const maps = objects.filter((o) => o.kind === "ConfigMap");
      expect(maps.length).toBeGreaterThan(0);
      for (const m of maps) for (const key of Object.keys(data(m))) expect(key, `${m.metadata.name}`).not.toMatch(/SECRET|TOKEN|KEY|PASSWORD|DATABASE_URL/i);
    }
  });

  it("every variable of README's configuration table is in the ConfigMap or the Secret, or listed as not set", () => {
    const documented = tableVariables(path.join(root, "README.md"), "## Configuration");
    expect(documented).toContain("PROXY_SERVICE_TOKEN");
    const absent = tableVariables(path.join(KUBERNETES_DIR, "README.md"), "## Variables not set here");
    const configured = [...Object.keys(config()), ...Object.keys(data(find(base, "Secret", "portcullis-secrets")))];
    for (const v of documented) expect(configured.includes(v) || absent.includes(v), `${v}: configured or in deploy/kubernetes/README.md`).toBe(true);
    // Neither list names a variable that does not exist or is also configured.
    for (const v of configured.filter((k) => k !== "NODE_ENV")) expect(documented, "set but not in README's table").toContain(v);
    for (const v of absent) {
      expect(documented, "listed as not set but not in README's table").toContain(v);
      expect(configured, "listed as not set but configured").not.toContain(v);
    }
    const secretKeys = Object.keys(data(find(base, "Secret", "portcullis-secrets")));
    for (const v of ["AUTH_SECRET", "TOKEN_HASH_KEYS", "LOCAL_KMS_KEYS", "PROXY_SERVICE_TOKEN", "REGISTRY_EVENTS_TOKEN", "DATABASE_URL"]) expect(secretKeys).toContain(v);
  });

  it("the Ingress routes every portal page and API but never /api/internal nor the probes; the proxy's registry API but not its probes or metrics", () => {
    const ingress = find(base, "Ingress", "portcullis") as any;
    const portalPaths = ingress.spec.rules.flatMap((r: any) => r.http.paths).filter((p: any) => p.backend.service.name === "portcullis-portal");
    // The internal API, and the front server's probes (for the kubelet and a balancer, not the public).
    for (const url of ["/api/internal", "/api/internal/licenses/check", "/api/internal/", "/readyz", "/healthz"]) expect(portalPaths.filter((p: any) => routes(p, url)), url).toEqual([]);
    for (const url of portalTopLevelPaths()) expect(portalPaths.some((p: any) => routes(p, url)), `${url} is routed`).toBe(true);
    // The proxy's host: the registry API, never its probes or metrics.
    const proxyPaths = ingress.spec.rules.flatMap((r: any) => r.http.paths).filter((p: any) => p.backend.service.name === "portcullis-proxy");
    for (const url of ["/v2", "/v2/", "/v2/proxy/acme/vendor/api/manifests/1.0"]) expect(proxyPaths.some((p: any) => routes(p, url)), `${url} is routed`).toBe(true);
    for (const url of ["/readyz", "/healthz", "/metrics", "/"]) expect(proxyPaths.filter((p: any) => routes(p, url)), url).toEqual([]);
    const hosts = ingress.spec.rules.map((r: any) => r.host);
    expect(hosts).toHaveLength(3);
    const overlayHosts = (find(overlay, "Ingress", "portcullis") as any).spec.rules.map((r: any) => r.host);
    expect(overlayHosts.filter((h: string) => hosts.includes(h))).toEqual([]);
  });

  it("the proxy may reach only the portal's port, the hosted registry, DNS and the public internet", () => {
    const policy = find(base, "NetworkPolicy", "portcullis-proxy") as any;
    const proxy = find(base, "Deployment", "portcullis-proxy") as any;
    expect(policy.spec.podSelector.matchLabels).toEqual(proxy.spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toContain("Egress");
    const portalPort = (find(base, "Deployment", "portcullis-portal") as any).spec.template.spec.containers[0].ports[0].containerPort;
    const registryPort = (find(base, "Deployment", "portcullis-registry") as any).spec.template.spec.containers[0].ports[0].containerPort;
    const described = policy.spec.egress.map((rule: any) => {
      expect(rule.to?.length, "every egress rule names its destination").toBe(1);
      const to = rule.to[0];
      const ports = (rule.ports ?? []).map((p: any) => `${p.protocol}/${p.port}`).sort().join(",");
      if (to.ipBlock) {
        expect(to.ipBlock.except).toEqual(expect.arrayContaining(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]));
        return `internet ${to.ipBlock.cidr} ${ports}`;
      }
      const name = to.podSelector?.matchLabels?.["app.kubernetes.io/name"] ?? to.podSelector?.matchLabels?.["k8s-app"];
      expect(to.ipBlock).toBeUndefined();
      return `${to.namespaceSelector ? "ns:" : ""}${name} ${ports}`;
    });
    expect(described.sort()).toEqual([
      "internet 0.0.0.0/0 ",
      `ns:kube-dns TCP/53,UDP/53`,
      `portcullis-portal TCP/${portalPort}`,
      `portcullis-registry TCP/${registryPort}`,
    ]);
  });

  it("the example overlay changes the image, the hosts, the replicas, the database and the registry's storage", () => {
    const images = workloads(overlay).flatMap((w) => containersOf(w).map((c) => c.image as string));
    expect(new Set(images)).toEqual(new Set(["registry.example.com/vendor/portcullis:0.1.0"]));
    expect((find(overlay, "Deployment", "portcullis-proxy") as any).spec.replicas).toBe(3);
    expect(data(find(overlay, "ConfigMap", "portcullis-config")).PORTAL_URL).not.toBe(config().PORTAL_URL);
    expect(data(find(overlay, "Secret", "portcullis-secrets")).DATABASE_URL).toMatch(/^postgresql:\/\/.+sslmode=require/);
    expect(overlay.filter((o) => o.kind === "PersistentVolumeClaim")).toEqual([]);
    const registry = find(overlay, "Deployment", "portcullis-registry") as any;
    const storageVolume = registry.spec.template.spec.volumes.find((v: any) => v.configMap);
    const storage = data(find(overlay, "ConfigMap", storageVolume.configMap.name))["registry-storage.yml"]!;
    expect(storage).toMatch(/^\s+s3:/m);
    expect(storage).toMatch(/delete:\s+enabled: true/);
    expect(overlay.filter((o) => o.metadata.name.startsWith("portcullis")).every((o) => (o.metadata as any).namespace === "portcullis")).toBe(true);
  });
});
