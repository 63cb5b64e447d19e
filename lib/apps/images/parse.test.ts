import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { parseAppImage, type ParseContext } from "./parse";
import { pullReferenceOf } from "./pull-references";

const ctx: ParseContext = {
  appSlug: "acme",
  hostedHost: "registry.example.com",
  dockerHubRegistry: "registry-1.docker.io",
  registries: [
    { endpoint: "https://quay.io", name: null },
    { endpoint: "https://registry.internal:5000", name: "internal" },
    { endpoint: "https://registry-1.docker.io", name: "hub" },
  ],
};
const hosts = { proxyHost: "proxy.example.com", registryHost: "registry.example.com", dockerHubRegistry: "registry-1.docker.io" };
const fieldError = (text: string) => {
  try {
    parseAppImage(text, ctx);
  } catch (e) {
    return (e as AppError).fields?.reference;
  }
  return "parsed";
};
const pull = (text: string) => pullReferenceOf({ id: "00000000-0000-4000-8000-000000000000", createdAt: new Date(0), helmChart: false, ...parseAppImage(text, ctx) }, "acme", ctx.registries, hosts).pullReference;

describe("an app's image as the vendor types it", () => {
  it.each([
    ["quay.io/acme/api:1.4", { source: "upstream", registryHost: "quay.io", repository: "acme/api", reference: "1.4" }],
    ["registry.internal:5000/team/db", { source: "upstream", registryHost: "registry.internal:5000", repository: "team/db", reference: "latest" }],
    ["internal/team/db:2", { source: "upstream", registryHost: "registry.internal:5000", repository: "team/db", reference: "2" }],
    ["nginx:1.25", { source: "upstream", registryHost: "registry-1.docker.io", repository: "library/nginx", reference: "1.25" }],
    ["docker.io/library/nginx:1.25", { source: "upstream", registryHost: "registry-1.docker.io", repository: "library/nginx", reference: "1.25" }],
    [`quay.io/acme/api@sha256:${"a".repeat(64)}`, { source: "upstream", registryHost: "quay.io", repository: "acme/api", reference: `sha256:${"a".repeat(64)}` }],
    ["registry.example.com/acme/api:1.4", { source: "hosted", registryHost: "registry.example.com", repository: "acme/api", reference: "1.4" }],
  ])("%s", (text, parsed) => expect(parseAppImage(text, ctx)).toEqual(parsed));

  it("refuses, on the field, what no registry of the team serves, hosted images outside the slug, and junk", () => {
    expect(fieldError("ghcr.io/acme/api:1")).toBe("No registry of this team serves ghcr.io: add it on the Images page first, or push the image to the hosted registry.");
    expect(fieldError("registry.example.com/other/api:1")).toBe("Images of the hosted registry live under the app's slug: registry.example.com/acme/<image>.");
    expect(fieldError("Acme/API:1")).toMatch(/not a valid repository name/);
    expect(fieldError("")).toMatch(/empty/);
  });

  it("gives the reference customers pull: through the proxy (a name for host:port), or the hosted registry itself", () => {
    expect(pull("quay.io/acme/api:1.4")).toBe("proxy.example.com/proxy/acme/quay.io/acme/api:1.4");
    expect(pull("nginx:1.25")).toBe("proxy.example.com/proxy/acme/library/nginx:1.25");
    expect(pull("registry.internal:5000/team/db:2")).toBe("proxy.example.com/proxy/acme/internal/team/db:2");
    expect(pull(`quay.io/acme/api@sha256:${"a".repeat(64)}`)).toBe(`proxy.example.com/proxy/acme/quay.io/acme/api@sha256:${"a".repeat(64)}`);
    expect(pull("registry.example.com/acme/api:1.4")).toBe("registry.example.com/acme/api:1.4");
  });

  it("says why there is no reference when a host:port registry has no name", () => {
    const image = { id: "00000000-0000-4000-8000-000000000000", createdAt: new Date(0), helmChart: false, source: "upstream", registryHost: "10.0.0.5:5000", repository: "team/db", reference: "1" };
    const dto = pullReferenceOf(image, "acme", [{ endpoint: "https://10.0.0.5:5000", name: null }], hosts);
    expect(dto).toMatchObject({ pullReference: null, problem: "A proxy path can't hold a port (10.0.0.5:5000): give that registry a name on the Images page." });
  });
});
