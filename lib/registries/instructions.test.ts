import { describe, expect, it } from "vitest";
import { proxyReference, publicHost, pushCommands } from "./instructions";

describe("publicHost", () => {
  it("takes the host of the public URL, else localhost and the port", () => {
    expect(publicHost("https://registry.example.com", 5000)).toBe("registry.example.com");
    expect(publicHost("http://127.0.0.1:5050/", 5050)).toBe("127.0.0.1:5050");
    expect(publicHost(undefined, 5000)).toBe("localhost:5000");
  });
});

describe("pushCommands", () => {
  const base = { registryHost: "registry.example.com", slug: "acme", username: "dev@acme.test" };

  it("tags and pushes under the app's slug", () => {
    expect(pushCommands({ ...base, image: "api:1.2" })).toEqual({
      login: "docker login registry.example.com -u dev@acme.test",
      loginWithToken: 'echo "$PORTCULLIS_TOKEN" | docker login registry.example.com -u token --password-stdin',
      tag: "docker tag api:1.2 registry.example.com/acme/api:1.2",
      push: "docker push registry.example.com/acme/api:1.2",
      target: "registry.example.com/acme/api:1.2",
    });
  });

  it.each([
    ["ghcr.io/acme/api:2", "registry.example.com/acme/acme/api:2"],
    ["localhost:5000/tools/cli", "registry.example.com/acme/tools/cli:latest"],
    ["team/worker", "registry.example.com/acme/team/worker:latest"],
    ["", "registry.example.com/acme/IMAGE:TAG"],
  ])("%j → %s", (image, target) => expect(pushCommands({ ...base, image }).target).toBe(target));
});

describe("proxyReference", () => {
  const base = { slug: "acme", proxyHost: "proxy.example.com", dockerHubRegistry: "registry-1.docker.io" };
  const registries = [
    { host: "quay.io", name: null },
    { host: "harbor.example.com:8443", name: "harbor" },
    { host: "registry-1.docker.io", name: "hub" },
  ];

  it("keeps the image as written after proxy/<slug>/", () => {
    expect(proxyReference({ ...base, registries, image: " quay.io/acme/api:1.2 " })).toEqual({
      ok: true,
      reference: "proxy.example.com/proxy/acme/quay.io/acme/api:1.2",
      upstreamHost: "quay.io",
      known: true,
    });
  });

  it("Docker Hub names: as written, matched to the team's Docker Hub registry, with its name as an alternative", () => {
    expect(proxyReference({ ...base, registries, image: "nginx:1.25" })).toEqual({
      ok: true,
      reference: "proxy.example.com/proxy/acme/nginx:1.25",
      byName: "proxy.example.com/proxy/acme/hub/library/nginx:1.25",
      upstreamHost: "registry-1.docker.io",
      known: true,
    });
    expect(proxyReference({ ...base, registries, image: "docker.io/org/app" })).toMatchObject({ reference: "proxy.example.com/proxy/acme/docker.io/org/app", known: true });
  });

  it("a host with a port can only be reached through the registry's name", () => {
    expect(proxyReference({ ...base, registries, image: "harbor.example.com:8443/team/app@sha256:" + "a".repeat(64) })).toEqual({
      ok: true,
      reference: `proxy.example.com/proxy/acme/harbor/team/app@sha256:${"a".repeat(64)}`,
      upstreamHost: "harbor.example.com:8443",
      known: true,
    });
    const unnamed = proxyReference({ ...base, registries: [{ host: "harbor.example.com:8443", name: null }], image: "harbor.example.com:8443/team/app:1" });
    expect(unnamed).toEqual({ ok: false, error: "An image path can't hold a port (harbor.example.com:8443). Give the registry harbor.example.com:8443 a name above and pull it through that name." });
    expect(proxyReference({ ...base, registries: [], image: "localhost:5000/x:1" })).toMatchObject({ ok: false, error: expect.stringContaining("Add the registry localhost:5000 above") });
  });

  it("says when the team has no registry for the image's host", () => {
    expect(proxyReference({ ...base, registries, image: "ghcr.io/acme/tool:3" })).toMatchObject({ ok: true, known: false, upstreamHost: "ghcr.io" });
  });

  it("explains a malformed image", () => {
    expect(proxyReference({ ...base, registries, image: "Quay.io/UPPER/case" })).toMatchObject({ ok: false });
    expect(proxyReference({ ...base, registries, image: "a b" })).toEqual({ ok: false, error: '"a b" contains whitespace.' });
  });
});
