import { describe, expect, it } from "vitest";
import { loadAll } from "js-yaml";
import { instructionsInput as base, LICENSE } from "@/test/support/instructions-input";
import { buildInstructions } from "./build";

const auth = Buffer.from(`LICENSE_ID:${LICENSE}`).toString("base64");

describe("install instructions", () => {
  it("log in to the proxy with LICENSE_ID and the license ID, and pull each image", () => {
    const i = buildInstructions(base);
    expect(i.dockerLogin).toBe(`echo '${LICENSE}' | docker login proxy.example.com --username LICENSE_ID --password-stdin`);
    expect(i.pullCommands).toBe("docker pull proxy.example.com/proxy/acme/quay.io/acme/api:1.4");
    expect(i.helmInstall).toBeNull();
  });

  it("add the hosted registry's login only when an image is hosted", () => {
    const i = buildInstructions({
      ...base,
      images: [...base.images, { reference: "registry.example.com/acme/web:2", source: "acme/web:2", via: "hosted", helmChart: false }],
    });
    expect(i.logins.map((l) => l.host)).toEqual(["proxy.example.com", "registry.example.com"]);
    expect(i.dockerLogin.split("\n")[1]).toBe(`echo '${LICENSE}' | docker login registry.example.com --username LICENSE_ID --password-stdin`);
  });

  it("write the <slug>-registry Secret once per namespace, each with both hosts", () => {
    const i = buildInstructions({ ...base, additionalNamespaces: ["jobs", "acme", "monitoring"] });
    expect(i.additionalNamespaces).toEqual(["jobs", "monitoring"]);
    const docs = loadAll(i.pullSecretYaml) as Array<{ metadata: { name: string; namespace: string }; type: string; data: Record<string, string> }>;
    expect(docs.map((d) => d.metadata)).toEqual([
      { name: "acme-registry", namespace: "acme" },
      { name: "acme-registry", namespace: "jobs" },
      { name: "acme-registry", namespace: "monitoring" },
    ]);
    const config = JSON.parse(Buffer.from(docs[0]!.data[".dockerconfigjson"]!, "base64").toString());
    expect(config).toEqual({ auths: { "proxy.example.com": { auth }, "registry.example.com": { auth } } });
    expect(i.rewriteCommand).toBe(
      `npx portcullis images rewrite ./manifests --app acme --license-id '${LICENSE}' \\\n` +
        "  --proxy-host proxy.example.com --registry-host registry.example.com --namespace acme --additional-namespaces jobs,monitoring",
    );
  });

  it("give Helm the pull secret and the registry override, and install a chart from its OCI reference", () => {
    const i = buildInstructions({
      ...base,
      images: [...base.images, { reference: "proxy.example.com/proxy/acme/ghcr.io/acme/charts/acme:0.3.1", source: "ghcr.io/acme/charts/acme:0.3.1", via: "proxy", helmChart: true }],
    });
    expect(i.helmValues).not.toMatch(/[&*]ref_/);
    const values = loadAll(i.helmValues)[0];
    expect(values).toEqual({
      global: { imageRegistry: "proxy.example.com/proxy/acme", imagePullSecrets: [{ name: "acme-registry" }] },
      imagePullSecrets: [{ name: "acme-registry" }],
    });
    expect(i.helmInstall).toBe(
      `echo '${LICENSE}' | helm registry login proxy.example.com --username LICENSE_ID --password-stdin\n` +
        "helm install acme oci://proxy.example.com/proxy/acme/ghcr.io/acme/charts/acme --version 0.3.1 --namespace acme --create-namespace -f values.yaml",
    );
    expect(i.pullCommands).not.toContain("charts");
  });
});
