import { describe, expect, it } from "vitest";
import { mergeRepositoryScopes, parseScope, scopeParams } from "./scope";

const asObject = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v]]));

describe("registry token scopes", () => {
  it("parses type, name and actions", () => {
    expect(parseScope("repository:acme/api:pull,push")).toEqual({ type: "repository", name: "acme/api", actions: ["pull", "push"] });
    expect(parseScope("registry:catalog:*")).toEqual({ type: "registry", name: "catalog", actions: ["*"] });
    for (const bad of ["", "repository", "repository:acme", "repository:acme/api:", "repository:acme/api:PULL", ":acme:pull"]) expect(parseScope(bad)).toBeNull();
  });

  it("merges repeated scopes per repository, even identical ones", () => {
    const merged = mergeRepositoryScopes([
      "repository:acme/api:pull",
      "repository:acme/api:push",
      "repository:acme/api:pull",
      "repository:acme/base:pull",
      "repository:acme/api:pull,push",
    ]);
    expect(asObject(merged)).toEqual({ "acme/api": ["pull", "push"], "acme/base": ["pull"] });
  });

  it("keeps only plain repository scopes on valid names", () => {
    const merged = mergeRepositoryScopes(["registry:catalog:*", "repository(plugin):acme/x:pull", "repository:Acme/API:pull", "repository:acme/../x:pull", "repository:acme/ok:pull"]);
    expect(asObject(merged)).toEqual({ "acme/ok": ["pull"] });
  });

  it("reads repeated scope parameters and space-separated ones", () => {
    const params = new URLSearchParams("service=s&scope=repository:a/b:pull&scope=repository:a/c:push%20repository:a/d:pull");
    expect(scopeParams(params)).toEqual(["repository:a/b:pull", "repository:a/c:push", "repository:a/d:pull"]);
  });
});
