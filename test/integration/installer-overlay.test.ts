import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { loadAll } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "@/cli/main";
import type { ProbeResult } from "@/lib/installer/probe";
import { decisionTable, summary } from "@/lib/installer/report";
import { rewriteImages, type RewriteOptions, type RewriteResult } from "@/lib/installer/rewrite";
import { requireBinaries } from "@/test/support/registry";

/**
 * `portcullis images rewrite` on realistic manifests — a Helm-rendered chart with every workload
 * kind and a Kustomize base with nested folders — against golden files, then the overlay built
 * offline by `kubectl kustomize` with every image checked. Visibility comes from a fake probe here
 * (nothing may leave the machine); the real anonymous probe is tested in lib/installer/probe.test.ts
 * and end to end in installer-proxy.test.ts. UPDATE_GOLDEN=1 rewrites the golden files.
 */

const execFileP = promisify(execFile);
const FIXTURES = path.resolve("test/fixtures/installer");
const LICENSE = "2kq9VhBOBx3yCn4Zr8dTQWmJp0a";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "installer-overlay-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

// Private: the vendor's repositories; unreachable: the internal registry; public: the rest.
const fakeProbe = async (ref: { registry: string; repository: string }): Promise<ProbeResult> => {
  if (ref.registry === "registry.internal.acme:5000") return { visibility: "private", reason: "unreachable: treated as private (DNS name not found)", exchange: [] };
  if (/^(acme|acme-prod)\//.test(ref.repository)) return { visibility: "private", reason: `401 from ${ref.registry}`, exchange: [] };
  return { visibility: "public", reason: "public: anonymous pull allowed", exchange: [] };
};

const baseOptions = (dir: string): RewriteOptions => ({
  dir,
  appSlug: "acme-platform",
  licenseId: LICENSE,
  proxyHost: "proxy.portcullis.example",
  registryHost: "registry.portcullis.example",
  namespace: "acme",
  additionalNamespaces: ["acme-jobs", "web-jobs"],
  dockerHubRegistry: "registry-1.docker.io",
  registryNames: { "registry.internal.acme:5000": "internal" },
  probe: fakeProbe,
});

function copyFixture(name: string): string {
  const dir = path.join(work, `${name}-${crypto.randomBytes(3).toString("hex")}`);
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}expected`) });
  return dir;
}

function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => f.split(path.sep).join("/")).sort();
}

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(filesBelow(dir).map((f) => [f, crypto.createHash("sha256").update(fs.readFileSync(path.join(dir, f))).digest("hex")]));
}

const output = (r: RewriteResult) => [...decisionTable(r.decisions), ...r.warnings.map((w) => `warning: ${w}`), "", ...summary(r)].join("\n") + "\n";

/** Compares the overlay (and the printed table) with test/fixtures/installer/<name>/expected. */
function checkGolden(name: string, dir: string, r: RewriteResult) {
  const expectedDir = path.join(FIXTURES, name, "expected");
  const overlay = path.join(dir, "overlays");
  const actual: Record<string, string> = { "stdout.txt": output(r) };
  for (const f of filesBelow(overlay)) {
    // The snapshot's manifest copies are checked against the originals, not stored twice.
    if (/^midstream\/base\/(?!kustomization\.yaml$)/.test(f)) continue;
    actual[`overlays/${f}`] = fs.readFileSync(path.join(overlay, f), "utf8");
  }
  if (process.env.UPDATE_GOLDEN) {
    fs.rmSync(expectedDir, { recursive: true, force: true });
    for (const [f, content] of Object.entries(actual)) {
      fs.mkdirSync(path.dirname(path.join(expectedDir, f)), { recursive: true });
      fs.writeFileSync(path.join(expectedDir, f), content);
    }
  }
  expect(Object.keys(actual).sort()).toEqual(filesBelow(expectedDir));
  for (const [f, content] of Object.entries(actual)) expect(content, f).toBe(fs.readFileSync(path.join(expectedDir, f), "utf8"));
}

type Obj = Record<string, any>;

function podSpecs(doc: Obj): Obj[] {
  switch (doc.kind) {
    case "Pod":
      return [doc.spec];
    case "CronJob":
      return [doc.spec.jobTemplate.spec.template.spec];
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return [doc.spec.template.spec];
    default:
      return [];
  }
}

async function kustomize(dir: string): Promise<Obj[]> {
  const { stdout } = await execFileP("kubectl", ["kustomize", dir], { env: { ...process.env, KUBECONFIG: "/dev/null" }, maxBuffer: 32 << 20 });
  return loadAll(stdout) as Obj[];
}

/** Every image in the build output is the one the decision says, and every workload has the secret. */
function checkBuild(docs: Obj[], r: RewriteResult) {
  const expected = new Map<string, string>();
  for (const d of r.decisions) expected.set(d.image, d.newName ? d.newName + d.image.slice(d.name.length) : d.image);
  const seen: string[] = [];
  for (const doc of docs) {
    for (const spec of podSpecs(doc)) {
      for (const field of ["containers", "initContainers", "ephemeralContainers"]) {
        for (const c of spec[field] ?? []) {
          seen.push(c.image);
          const writtenAs = r.decisions.find((d) => d.uses.some((u) => u.container === c.name && u.field === field && (d.newName ? c.image === d.newName + d.image.slice(d.name.length) : c.image === d.image)));
          expect(writtenAs, `${doc.kind}/${doc.metadata.name} ${field} ${c.name}: ${c.image} is not what any decision says`).toBeDefined();
        }
      }
      expect(spec.imagePullSecrets.map((s: Obj) => s.name), `${doc.kind}/${doc.metadata.name}`).toContain("acme-platform-registry");
    }
  }
  // Every rewritten image appears rewritten, none as written.
  for (const d of r.decisions) {
    if (d.newName) {
      expect(seen, d.image).toContain(expected.get(d.image));
      expect(seen, d.image).not.toContain(d.image);
    } else {
      expect(seen, d.image).toContain(d.image);
    }
  }
  const secrets = docs.filter((d) => d.kind === "Secret" && d.metadata.name === "acme-platform-registry");
  expect(secrets.map((s) => s.metadata.namespace).sort()).toEqual(["acme", "acme-jobs", "web-jobs"]);
  for (const s of secrets) {
    expect(s.type).toBe("kubernetes.io/dockerconfigjson");
    const auths = JSON.parse(Buffer.from(s.data[".dockerconfigjson"], "base64").toString()).auths;
    expect(Object.keys(auths)).toEqual(["proxy.portcullis.example", "registry.portcullis.example"]);
    expect(Buffer.from(auths["proxy.portcullis.example"].auth, "base64").toString()).toBe(`LICENSE_ID:${LICENSE}`);
  }
  return seen;
}

describe("images rewrite: golden files", () => {
  it("Helm-rendered plain YAML: every workload kind, a base snapshot, idempotent, the manifests untouched", async () => {
    const dir = copyFixture("helm-rendered");
    const before = tree(dir);
    const r = await rewriteImages(baseOptions(dir));
    checkGolden("helm-rendered", dir, r);
    expect(r.files.map((f) => f.status)).toEqual(["created", "created", "created", "created"]);
    expect(fs.readFileSync(path.join(dir, "overlays/midstream/base/manifests.yaml"))).toEqual(fs.readFileSync(path.join(dir, "manifests.yaml")));
    expect((fs.statSync(path.join(dir, "overlays/midstream/pull-secrets.yaml")).mode & 0o777).toString(8)).toBe("600");

    const overlayBefore = tree(path.join(dir, "overlays"));
    const again = await rewriteImages(baseOptions(dir));
    expect(again.files.map((f) => f.status)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);
    expect(tree(path.join(dir, "overlays"))).toEqual(overlayBefore);
    const outsideOverlays = Object.fromEntries(Object.entries(tree(dir)).filter(([k]) => !k.startsWith("overlays/")));
    expect(outsideOverlays).toEqual(before);
  });

  it("a Kustomize base with a nested folder: referenced in place, Hub spellings, tags and digests kept", async () => {
    const dir = copyFixture("kustomize-base");
    const before = tree(path.join(dir, "base"));
    const r = await rewriteImages(baseOptions(dir));
    checkGolden("kustomize-base", dir, r);
    expect(tree(path.join(dir, "base"))).toEqual(before);
    expect((await rewriteImages(baseOptions(dir))).files.every((f) => f.status === "unchanged")).toBe(true);
  });
});

describe.skipIf(!requireBinaries("kubectl"))("images rewrite: kubectl kustomize builds the overlay offline", () => {
  it("Helm-rendered chart: every image points where its decision says; all workloads get the pull secret", async () => {
    const dir = copyFixture("helm-rendered");
    const r = await rewriteImages(baseOptions(dir));
    const docs = await kustomize(path.join(dir, "overlays/midstream"));
    const seen = checkBuild(docs, r);
    expect(seen).toContain("proxy.portcullis.example/proxy/acme-platform/acme/debug-tools:1.0"); // ephemeral, by our patch
    expect(seen).toContain("proxy.portcullis.example/proxy/acme-platform/internal/tools/backup:1.4");
    expect(seen).toContain("registry.portcullis.example/acme-platform/reports:3.1.0");
    const worker = docs.find((d) => d.metadata.name === "acme-platform-worker")!;
    expect(worker.spec.template.spec.imagePullSecrets.map((s: Obj) => s.name).sort()).toEqual(["acme-platform-registry", "acme-quay"]);
    // Everything else of the chart is still there.
    expect(docs.filter((d) => d.kind !== "Secret" || d.metadata.name !== "acme-platform-registry")).toHaveLength(22);
    // A custom resource's pod-spec-shaped fields are not a pod spec: left as written.
    const pool = docs.find((d) => d.kind === "WorkerPool")!;
    expect(pool.spec.template.spec.containers[0].image).toBe("acme/api:2.4.1");
    expect(r.warnings.join("\n")).toContain("WorkerPool acme-platform-pool is a custom resource: only the pod specs of workloads are rewritten, so its images are left as written: acme/api:2.4.1 (through the proxy: proxy.portcullis.example/proxy/acme-platform/acme/api:2.4.1)");
    // A workload that names no namespace goes where its pull secret is.
    const smoke = docs.find((d) => d.metadata.name === "acme-platform-smoke-test")!;
    expect(smoke.metadata.namespace).toBe("acme");
    expect(smoke.spec.template.spec.containers[0].image).toBe("proxy.portcullis.example/proxy/acme-platform/acme/api:2.4.1");
    for (const d of docs) if (podSpecs(d).length > 0) expect(d.metadata.namespace, `${d.kind}/${d.metadata.name}`).toBeTruthy();
  });

  it("Kustomize base: spellings and digests survive the build; the existing secret list is kept", async () => {
    const dir = copyFixture("kustomize-base");
    const r = await rewriteImages(baseOptions(dir));
    const docs = await kustomize(path.join(dir, "overlays/midstream"));
    const seen = checkBuild(docs, r);
    expect(seen).toEqual(
      expect.arrayContaining([
        "proxy.portcullis.example/proxy/acme-platform/docker.io/acme/web:3.2",
        "proxy.portcullis.example/proxy/acme-platform/docker.io/acme/web:3.3-rc1@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        "proxy.portcullis.example/proxy/acme-platform/acme/web:3.2",
        "proxy.portcullis.example/proxy/acme-platform/quay.io/acme/assets@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "proxy.portcullis.example/proxy/acme-platform/acme/debug:1",
        "docker.io/library/nginx:1.25",
      ]),
    );
    const cron = docs.find((d) => d.kind === "CronJob")!;
    expect(cron.spec.jobTemplate.spec.template.spec.imagePullSecrets.map((s: Obj) => s.name)).toEqual(["legacy", "acme-platform-registry"]);
  });

  it("--airgap: every image on the local registry", async () => {
    const dir = copyFixture("helm-rendered");
    fs.writeFileSync(path.join(dir, "manifests.yaml"), fs.readFileSync(path.join(dir, "manifests.yaml"), "utf8").replace(/quay\.io\/acme\/worker@sha256:[a-f0-9]+/, "quay.io/acme/worker:5.0"));
    const r = await rewriteImages({ ...baseOptions(dir), localRegistry: "registry.airgap.lan:5000" });
    const docs = await kustomize(path.join(dir, "overlays/midstream"));
    const seen = checkBuild(docs, r);
    expect(seen.every((i) => i.startsWith("registry.airgap.lan:5000/"))).toBe(true);
    expect(seen).toContain("registry.airgap.lan:5000/library/nginx:1.25.3");
  });
});

describe("images rewrite: the command's errors (one line, exit 1, nothing written)", () => {
  async function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }
  const flags = ["--app", "acme-platform", "--license-id", LICENSE, "--proxy-host", "proxy.example.com", "--registry-host", "registry.example.com", "--namespace", "acme"];

  function withManifest(text: string): string {
    const dir = path.join(work, `case-${crypto.randomBytes(3).toString("hex")}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "app.yaml"), text);
    return dir;
  }

  it("bad YAML: file and line", async () => {
    const dir = withManifest("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: x\n");
    const r = await run(["images", "rewrite", dir, ...flags]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^portcullis images rewrite: app\.yaml:5: invalid YAML: .+$/);
    expect(fs.existsSync(path.join(dir, "overlays"))).toBe(false);
  });

  it("an unknown kind: file and line", async () => {
    const dir = withManifest("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n");
    const r = await run(["images", "rewrite", dir, ...flags]);
    expect(r).toMatchObject({ code: 1, err: 'portcullis images rewrite: app.yaml:6: unknown kind "Deploymnet" (apiVersion apps/v1)' });
  });

  it("a missing or malformed license", async () => {
    const dir = withManifest("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}\n");
    const noLicense = flags.filter((_, i) => i !== 2 && i !== 3);
    expect(await run(["images", "rewrite", dir, ...noLicense])).toMatchObject({ code: 1, err: "portcullis images rewrite: no license: pass --license-id with the license ID your vendor gave you" });
    const bad = await run(["images", "rewrite", dir, ...flags.map((f) => (f === LICENSE ? "x y" : f))]);
    expect(bad.code).toBe(1);
    expect(bad.err.split("\n")).toHaveLength(1);
  });

  it("--airgap with a digest-pinned image names the image and says why", async () => {
    const digest = `sha256:${"c".repeat(64)}`;
    const dir = withManifest(`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: quay.io/acme/x@${digest}\n`);
    const r = await run(["images", "rewrite", dir, ...flags, "--airgap", "--local-registry", "local.lan"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `portcullis images rewrite: --airgap can't use an image pinned by digest: copying images into an air-gapped registry can re-compress layers and change their digests; pin it by tag: quay.io/acme/x@${digest} (app.yaml:7)`,
    );
  });

  it("bad usage is exit 2", async () => {
    expect((await run(["images", "rewrite", ...flags])).code).toBe(2);
    expect((await run(["images", "rewrite", work, ...flags, "--airgap"])).code).toBe(2);
    expect((await run(["images", "rewrite", work, ...flags, "--frobnicate"])).code).toBe(2);
  });

  it("the real bin exits 1 with one line on stderr", async () => {
    const dir = withManifest("kind: Pod\nmetadata: {name: [\n");
    const r = await execFileP(process.execPath, ["cli/portcullis.js", "images", "rewrite", dir, ...flags]).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/app\.yaml:\d+: invalid YAML/);
  });

  it("pull-secret prints the Secret alone", async () => {
    const r = await run(["pull-secret", "--license-id", LICENSE, "--app", "acme-platform", "--namespace", "later", "--proxy-host", "https://proxy.example.com", "--registry-host", "registry.example.com:5000"]);
    expect(r.code).toBe(0);
    const [secret] = loadAll(r.out) as Obj[];
    expect(secret).toMatchObject({ kind: "Secret", type: "kubernetes.io/dockerconfigjson", metadata: { name: "acme-platform-registry", namespace: "later" } });
    expect(Object.keys(JSON.parse(Buffer.from(secret!.data[".dockerconfigjson"], "base64").toString()).auths)).toEqual(["proxy.example.com", "registry.example.com:5000"]);
    expect((await run(["pull-secret", "--app", "a", "--proxy-host", "p", "--registry-host", "r"])).code).toBe(1);
  });

  it("a license ID that starts with '-' works after --license-id, as the install instructions print it", async () => {
    const dashed = `-_${LICENSE.slice(2)}`;
    const r = await run(["pull-secret", "--license-id", dashed, "--app", "acme-platform", "--proxy-host", "proxy.example.com", "--registry-host", "registry.example.com"]);
    expect(r.code, r.err).toBe(0);
    const [secret] = loadAll(r.out) as Obj[];
    const auths = JSON.parse(Buffer.from(secret!.data[".dockerconfigjson"], "base64").toString()).auths as Record<string, { auth: string }>;
    expect(Buffer.from(auths["proxy.example.com"]!.auth, "base64").toString()).toBe(`LICENSE_ID:${dashed}`);
  });
});
