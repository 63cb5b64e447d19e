import { describe, expect, it } from "vitest";
import { decideImages, suffixOf } from "@/lib/installer/decide";
import type { ImageUse } from "@/lib/installer/workloads";
import { proxyReference, type TeamRegistryRef } from "@/lib/registries/instructions";
import { ecrCommands } from "@/lib/tutorials/ecr";
import { InvalidReferenceError } from "./errors";
import { formatProxyReference, parseProxyPath } from "./proxy-path";
import { parseImageReference, type ImageReference } from "./reference";

const HUB = "registry-1.docker.io";
const PROXY = "proxy.portcullis.example";
const SLUG = "acme-app";
const D = `sha256:${"ab".repeat(32)}`;

/**
 * The proxy image name, there and back: what the vendor is shown (Images page, ECR tutorial,
 * installer) is a reference a Docker client can pull, and the proxy reads its request path back
 * as the same upstream registry, repository and tag or digest.
 */
interface Row {
  image: string;
  registries: TeamRegistryRef[];
}

const table: Row[] = [
  { image: "nginx", registries: [] },
  { image: "nginx:1.25", registries: [] },
  { image: "library/nginx@" + D, registries: [] },
  { image: "docker.io/org/app:2", registries: [] },
  { image: "index.docker.io/library/redis:7", registries: [] },
  { image: "org/app:1@" + D, registries: [{ host: "ghcr.io", name: "ghcr" }] },
  { image: "ghcr.io/org/app:1", registries: [{ host: "ghcr.io", name: "ghcr" }] },
  { image: "ghcr.io/org/app", registries: [{ host: "ghcr.io", name: null }] },
  { image: "quay.io/org/team/app@" + D, registries: [] },
  { image: "localhost/x:1", registries: [{ host: "localhost", name: "dev" }] },
  { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0", registries: [{ host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", name: "acme-ecr" }] },
  { image: "harbor.example.com:8443/team/app:1", registries: [{ host: "harbor.example.com:8443", name: "harbor" }] },
  { image: "127.0.0.1:5000/a/b/c@" + D, registries: [{ host: "127.0.0.1:5000", name: "local-reg" }] },
];

/** What the proxy makes of a reference a Docker client pulls: the request path, parsed. */
function proxyReads(reference: string, registries: readonly TeamRegistryRef[]) {
  // The client's side: PROXY_HOST/<repository>[:tag][@digest] → GET /v2/<repository>/manifests/<digest, tag or latest>.
  const pulled = parseImageReference(reference, { dockerHubRegistry: HUB });
  expect(pulled.registry).toBe(PROXY);
  const parsed = parseProxyPath(`/v2/${pulled.repository}/manifests/${pulled.digest ?? pulled.tag ?? "latest"}`, {
    dockerHubRegistry: HUB,
    isRegistryName: (name, appSlug) => appSlug === SLUG && registries.some((r) => r.name === name),
  });
  expect(parsed).not.toBeNull();
  const { upstream } = parsed!;
  const registry = upstream.via === "name" ? registries.find((r) => r.name === upstream.hostOrName)!.host : upstream.hostOrName;
  return { appSlug: parsed!.appSlug, registry, repository: upstream.repository, tag: pulled.tag, digest: pulled.digest, reference: parsed!.reference };
}

function expectSameUpstream(read: ReturnType<typeof proxyReads>, ref: ImageReference, label: string) {
  expect(read.appSlug, label).toBe(SLUG);
  expect({ registry: read.registry, repository: read.repository }, label).toEqual({ registry: ref.registry, repository: ref.repository });
  expect({ tag: read.tag, digest: read.digest }, label).toEqual({ tag: ref.tag, digest: ref.digest });
  expect(read.reference, label).toBe(ref.digest ?? ref.tag ?? "latest");
}

describe("proxy image names round-trip (vendor's reference → proxy's parser → the same upstream)", () => {
  it.each(table)("Images page: $image", ({ image, registries }) => {
    const upstream = parseImageReference(image, { dockerHubRegistry: HUB });
    const shown = proxyReference({ image, slug: SLUG, proxyHost: PROXY, dockerHubRegistry: HUB, registries });
    expect(shown.ok).toBe(true);
    if (!shown.ok) return;
    expectSameUpstream(proxyReads(shown.reference, registries), upstream, shown.reference);
    if (shown.byName) expectSameUpstream(proxyReads(shown.byName, registries), upstream, shown.byName);
  });

  it.each(table)("installer: $image", async ({ image, registries }) => {
    const upstream = parseImageReference(image, { dockerHubRegistry: HUB });
    const use: ImageUse = { image, field: "containers", container: "app", file: "deploy.yaml", line: 1 };
    const [decision] = await decideImages([use], {
      appSlug: SLUG,
      proxyHost: PROXY,
      registryHost: "registry.portcullis.example",
      dockerHubRegistry: HUB,
      registryNames: Object.fromEntries(registries.filter((r) => r.name).map((r) => [r.host, r.name!])),
      probe: async () => ({ visibility: "private", reason: "refused anonymously", exchange: [] }),
    });
    const rewritten = `${decision!.newName}${suffixOf(image)}`;
    expectSameUpstream(proxyReads(rewritten, registries), upstream, rewritten);
  });

  it("ECR tutorial", () => {
    const registries = [{ host: "123456789012.dkr.ecr.eu-west-3.amazonaws.com", name: "acme-ecr" }];
    const values = { accountId: "123456789012", region: "eu-west-3", repository: "team/app", tag: "1.0", proxyHost: PROXY, registryHost: "r", appSlug: SLUG, licenseId: "x", namespace: "default" };
    const { image, proxied } = ecrCommands(values);
    expectSameUpstream(proxyReads(proxied, registries), parseImageReference(image, { dockerHubRegistry: HUB }), proxied);
  });
});

describe("a host with a port never stands in a proxy path", () => {
  it("is refused when formatting, and when the proxy reads a path", () => {
    expect(() => formatProxyReference({ proxyHost: PROXY, appSlug: SLUG, image: "harbor.example.com:8443/team/app:1" })).toThrow(InvalidReferenceError);
    expect(formatProxyReference({ proxyHost: PROXY, appSlug: SLUG, image: "harbor/team/app:1" })).toBe(`${PROXY}/proxy/${SLUG}/harbor/team/app:1`);
    for (const first of ["harbor.example.com:8443", "localhost:5000", "127.0.0.1:5000"]) {
      expect(() => parseProxyPath(`/v2/proxy/${SLUG}/${first}/team/app/manifests/1`, { dockerHubRegistry: HUB }), first).toThrow(/can't hold a port/);
    }
  });
});

describe("parseProxyPath", () => {
  const names = new Set(["acme-ecr", "harbor"]);
  const opts = { dockerHubRegistry: HUB, isRegistryName: (n: string) => names.has(n) };
  const p = (path: string) => parseProxyPath(path, opts);

  it("Docker Hub names: single names get library/", () => {
    expect(p("/v2/proxy/myapp/nginx/manifests/1.25")).toEqual({
      appSlug: "myapp",
      upstream: { via: "docker-hub", hostOrName: HUB, repository: "library/nginx" },
      kind: "manifests",
      reference: "1.25",
      name: "proxy/myapp/nginx",
    });
    expect(p("/v2/proxy/myapp/library/nginx/tags/list?n=10")).toMatchObject({
      upstream: { via: "docker-hub", repository: "library/nginx" },
      kind: "tags",
    });
    expect(p("/v2/proxy/myapp/docker.io/nginx/manifests/x")!.upstream).toEqual({ via: "docker-hub", hostOrName: HUB, repository: "library/nginx" });
  });

  it("a first part with a dot, or localhost, is a host", () => {
    expect(p(`/v2/proxy/myapp/quay.io/org/app/blobs/${D}`)).toMatchObject({
      upstream: { via: "host", hostOrName: "quay.io", repository: "org/app" },
      kind: "blobs",
      reference: D,
    });
    expect(p("/v2/proxy/a/123456789012.dkr.ecr.us-east-1.amazonaws.com/app/manifests/v1")!.upstream).toEqual({
      via: "host",
      hostOrName: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
      repository: "app",
    });
    expect(p("/v2/proxy/a/localhost/x/manifests/v1")!.upstream).toEqual({ via: "host", hostOrName: "localhost", repository: "x" });
  });

  it("a registry name is decided by the lookup, and only when a repository follows it", () => {
    expect(p("/v2/proxy/a/acme-ecr/team/app/manifests/v1")!.upstream).toEqual({ via: "name", hostOrName: "acme-ecr", repository: "team/app" });
    expect(p("/v2/proxy/a/other/app/manifests/v1")!.upstream).toEqual({ via: "docker-hub", hostOrName: HUB, repository: "other/app" });
    expect(p("/v2/proxy/a/harbor/manifests/v1")!.upstream).toEqual({ via: "docker-hub", hostOrName: HUB, repository: "library/harbor" });
    let seen: unknown[] = [];
    parseProxyPath("/v2/proxy/slug1/harbor/x/manifests/v1", { dockerHubRegistry: HUB, isRegistryName: (...a) => ((seen = a), true) });
    expect(seen).toEqual(["harbor", "slug1"]);
  });

  it("manifests by digest, including a percent-encoded colon", () => {
    expect(p(`/v2/proxy/a/nginx/manifests/${D}`)!.reference).toBe(D);
    expect(p(`/v2/proxy/a/nginx/manifests/${D.replace(":", "%3A")}`)!.reference).toBe(D);
  });

  it("repositories whose parts are named like endpoints are still read from the end", () => {
    expect(p("/v2/proxy/a/quay.io/manifests/blobs/manifests/v1")).toMatchObject({
      upstream: { repository: "manifests/blobs" },
      kind: "manifests",
      reference: "v1",
    });
  });

  it("referrers of a digest, including a percent-encoded colon; sha512 too", () => {
    expect(p(`/v2/proxy/a/quay.io/org/app/referrers/${D}`)).toEqual({
      appSlug: "a",
      upstream: { via: "host", hostOrName: "quay.io", repository: "org/app" },
      kind: "referrers",
      reference: D,
      name: "proxy/a/quay.io/org/app",
    });
    expect(p(`/v2/proxy/a/nginx/referrers/${D.replace(":", "%3a")}?artifactType=application/vnd.example+json`)!.reference).toBe(D);
    const d512 = `sha512:${"cd".repeat(64)}`;
    expect(p(`/v2/proxy/a/acme-ecr/team/app/referrers/${d512}`)).toMatchObject({ upstream: { via: "name", repository: "team/app" }, kind: "referrers", reference: d512 });
    // A repository whose last part is named "referrers" still has its manifests read from the end.
    expect(p("/v2/proxy/a/org/referrers/manifests/v1")).toMatchObject({ upstream: { repository: "org/referrers" }, kind: "manifests", reference: "v1" });
  });

  it("is not interested in other /v2/ paths", () => {
    expect(p("/v2/")).toBeNull();
    expect(p("/v2/_catalog")).toBeNull();
    expect(p("/v2/library/nginx/manifests/1")).toBeNull();
  });

  it.each([
    ["/v2/proxy/a/nginx/blobs/uploads/", "UNSUPPORTED"],
    ["/v2/proxy/a/nginx/referrers/x", "DIGEST_INVALID"],
    ["/v2/proxy/a/nginx/referrers/", "DIGEST_INVALID"],
    ["/v2/proxy/a/nginx/referrers/sha256:" + "ab".repeat(31), "DIGEST_INVALID"],
    ["/v2/proxy/a/nginx/referrers/sha256%2f" + "ab".repeat(32), "DIGEST_INVALID"],
    ["/v2/proxy/a/nginx/referrers/md5:" + "a".repeat(32), "DIGEST_INVALID"],
    ["/v2/proxy/a/nginx/referrers/" + D + "/x", "UNSUPPORTED"],
    ["/v2/proxy/a/nginx/referrers", "UNSUPPORTED"],
    ["/v2/proxy/a/../../etc/referrers/" + D, "NAME_INVALID"],
    ["/v2/proxy/a/quay.io/../referrers/" + D, "NAME_INVALID"],
    ["/v2/proxy/a/quay.io/a%2fb/referrers/" + D, "NAME_INVALID"],
    ["/v2/proxy/a/quay.io/%2e%2e/x/referrers/" + D, "NAME_INVALID"],
    ["/v2/proxy/a/referrers/" + D, "NAME_INVALID"],
    ["/v2/proxy/a/nginx/manifests/", "TAG_INVALID"],
    ["/v2/proxy/a/nginx/blobs/sha256:zz", "DIGEST_INVALID"],
    ["/v2/proxy/a/nginx/blobs/latest", "DIGEST_INVALID"],
    ["/v2/proxy/a/../../etc/manifests/x", "NAME_INVALID"],
    ["/v2/proxy/a/quay.io/%2e%2e/x/manifests/x", "NAME_INVALID"],
    ["/v2/proxy/a/quay.io/a%2fb/manifests/x", "NAME_INVALID"],
    ["/v2/proxy/a/quay.io//x/manifests/x", "NAME_INVALID"],
    ["/v2/proxy/a/quay.io/manifests/x", "NAME_INVALID"],
    ["/v2/proxy/Bad/nginx/manifests/x", "NAME_INVALID"],
    ["/v2/proxy//nginx/manifests/x", "NAME_INVALID"],
    ["/v2/proxy/a/manifests/x", "NAME_INVALID"],
    ["/v2/proxy/a/bad_host.io/x/manifests/x", "NAME_INVALID"],
    [`/v2/proxy/a/${"x/".repeat(200)}manifests/x`, "NAME_INVALID"],
  ])("%s → %s", (path, code) => {
    expect(() => p(path)).toThrowError(expect.objectContaining({ ociCode: code }));
  });
});
