import { describe, expect, it } from "vitest";
import { normalizeEndpoint } from "./endpoint";
import { realmMayReceiveCredentials } from "./realm";

const ep = (input: string) => normalizeEndpoint(input, { dockerHubRegistry: "registry-1.docker.io" });
const may = (realm: string, registry: string, allowed?: string[]) => realmMayReceiveCredentials(new URL(realm), ep(registry), allowed);

describe("which token realms may receive a registry's credentials", () => {
  it("the registry's own host, on any port", () => {
    expect(may("https://ghcr.io/token", "ghcr.io")).toBe(true);
    expect(may("https://harbor.example.com:8443/service/token", "harbor.example.com")).toBe(true);
  });

  it("known splits: Docker Hub → auth.docker.io, GitLab.com, Google's registry hosts", () => {
    expect(may("https://auth.docker.io/token", "docker.io")).toBe(true);
    expect(may("https://auth.docker.io/token", "registry-1.docker.io")).toBe(true);
    expect(may("https://gitlab.com/jwt/auth", "registry.gitlab.com")).toBe(true);
    expect(may("https://gcr.io/v2/token", "eu.gcr.io")).toBe(true);
    expect(may("https://europe-west1-docker.pkg.dev/v2/token", "europe-west1-docker.pkg.dev")).toBe(true);
  });

  it("any other host only when the vendor allowed it on the registry", () => {
    expect(may("https://auth.example.net/token", "registry.example.com")).toBe(false);
    expect(may("https://auth.docker.io/token", "registry.example.com")).toBe(false); // not a split of this registry
    expect(may("https://evil.example/token", "gcr.io")).toBe(false);
    expect(may("https://auth.example.net/token", "registry.example.com", ["auth.example.net"])).toBe(true);
    expect(may("https://AUTH.example.net:444/token", "registry.example.com", ["auth.example.net"])).toBe(true);
  });
});
