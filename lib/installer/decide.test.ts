import { describe, expect, it } from "vitest";
import { decideImages, nameOf, suffixOf, type DecideOptions } from "./decide";
import type { ProbeResult } from "./probe";
import type { ImageUse } from "./workloads";

const use = (image: string, line = 1, field: ImageUse["field"] = "containers"): ImageUse => ({ image, field, container: "c", file: "m.yaml", line });
const probed: string[] = [];
const opts = (over: Partial<DecideOptions> = {}): DecideOptions => ({
  appSlug: "app",
  proxyHost: "proxy.example.com",
  registryHost: "registry.example.com",
  dockerHubRegistry: "registry-1.docker.io",
  probe: async (ref): Promise<ProbeResult> => {
    probed.push(`${ref.registry}/${ref.repository}:${ref.tag ?? ref.digest}`);
    return ref.repository.startsWith("acme/") || ref.tag === "private"
      ? { visibility: "private", reason: `401 from ${ref.registry}`, exchange: [] }
      : { visibility: "public", reason: "public: anonymous pull allowed", exchange: [] };
  },
  ...over,
});

describe("image names", () => {
  it("splits name and tag/digest as written", () => {
    expect(nameOf("nginx:1.25")).toBe("nginx");
    expect(nameOf("localhost:5000/a/b@sha256:" + "a".repeat(64))).toBe("localhost:5000/a/b");
    expect(nameOf("localhost:5000/a/b")).toBe("localhost:5000/a/b");
    expect(suffixOf("nginx:1.24@sha256:" + "0".repeat(64))).toBe(":1.24@sha256:" + "0".repeat(64));
  });
});

describe("decideImages", () => {
  it("probes each image once; private ones get the proxy name as written", async () => {
    probed.length = 0;
    const ds = await decideImages([use("acme/api:1"), use("acme/api:1", 9), use("nginx:1.25"), use("quay.io/org/x:private")], opts());
    expect(probed).toEqual(["registry-1.docker.io/acme/api:1", "registry-1.docker.io/library/nginx:1.25", "quay.io/org/x:private"]);
    expect(ds.map((d) => [d.image, d.decision, d.newName, d.uses.length])).toEqual([
      ["acme/api:1", "private", "proxy.example.com/proxy/app/acme/api", 2],
      ["nginx:1.25", "public", undefined, 1],
      ["quay.io/org/x:private", "private", "proxy.example.com/proxy/app/quay.io/org/x", 1],
    ]);
  });

  it("a repository with one private tag is rewritten for all of its tags", async () => {
    const ds = await decideImages([use("quay.io/org/x:1"), use("quay.io/org/x:private")], opts());
    expect(ds.map((d) => d.decision)).toEqual(["private", "private"]);
    expect(ds[0]!.reason).toMatch(/another tag of org\/x is private/);
  });

  it("images on the registry or proxy host are not probed nor rewritten", async () => {
    probed.length = 0;
    const ds = await decideImages([use("registry.example.com/app/api:1"), use("proxy.example.com/proxy/app/acme/api:1")], opts());
    expect(probed).toEqual([]);
    expect(ds.map((d) => [d.decision, d.newName])).toEqual([
      ["registry", undefined],
      ["proxy", undefined],
    ]);
  });

  it("a private image on host:port needs the registry's name", async () => {
    await expect(decideImages([use("127.0.0.1:5000/acme/api:1", 7)], opts({ probe: async () => ({ visibility: "private", reason: "401", exchange: [] }) }))).rejects.toThrow(
      /^m\.yaml:7: image 127\.0\.0\.1:5000\/acme\/api is private, but a proxy path can't hold a host with a port/,
    );
    const ds = await decideImages([use("127.0.0.1:5000/acme/api:1")], opts({ registryNames: { "127.0.0.1:5000": "internal" }, probe: async () => ({ visibility: "private", reason: "401", exchange: [] }) }));
    expect(ds[0]!.newName).toBe("proxy.example.com/proxy/app/internal/acme/api");
  });

  it("--airgap rewrites every image to the local registry and refuses digests", async () => {
    probed.length = 0;
    const ds = await decideImages([use("nginx:1.25"), use("quay.io/org/x:1"), use("registry.example.com/app/api:2")], opts({ airgap: { localRegistry: "local.lan:5000" } }));
    expect(probed).toEqual([]);
    expect(ds.map((d) => d.newName)).toEqual(["local.lan:5000/library/nginx", "local.lan:5000/org/x", "local.lan:5000/app/api"]);
    const digest = "sha256:" + "b".repeat(64);
    await expect(decideImages([use("nginx:1.25"), use(`quay.io/org/x@${digest}`, 12)], opts({ airgap: { localRegistry: "local.lan" } }))).rejects.toThrow(
      `--airgap can't use an image pinned by digest: copying images into an air-gapped registry can re-compress layers and change their digests; pin it by tag: quay.io/org/x@${digest} (m.yaml:12)`,
    );
    // Every digest-pinned image is named at once, not only the first.
    await expect(decideImages([use(`quay.io/org/x@${digest}`, 12), use("nginx:1.25"), use(`ghcr.io/org/y:2@${digest}`, 30)], opts({ airgap: { localRegistry: "local.lan" } }))).rejects.toThrow(
      `--airgap can't use 2 images pinned by digest: copying images into an air-gapped registry can re-compress layers and change their digests; pin them by tag: quay.io/org/x@${digest} (m.yaml:12), ghcr.io/org/y:2@${digest} (m.yaml:30)`,
    );
  });

  it("an invalid reference is an error at its line", async () => {
    await expect(decideImages([use("Nginx:1", 4)], opts())).rejects.toThrow(/^m\.yaml:4: image "Nginx:1": /);
  });
});
