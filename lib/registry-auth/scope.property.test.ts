import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostileString, repository } from "@/test/support/arbitraries";
import { isValidRepository } from "@/lib/oci/names";
import { parseBasic } from "./credentials";
import { mergeRepositoryScopes, parseScope, scopeParams } from "./scope";

/**
 * Properties of the token service's input parsing: whatever a client sends as `scope` or as an
 * Authorization header, parsing never throws, and only plain repository scopes on valid names
 * with plain action words come out — the grants (grants.ts) never see anything else.
 */
const ACTIONS = ["pull", "push", "delete", "*", "PULL", "pull ", "", "pu,ll"];

describe("token scopes (properties)", () => {
  it("never throws, and keeps only repository scopes on valid names with plain actions", () => {
    const scope = fc.oneof(
      hostileString(60),
      fc
        .tuple(fc.constantFrom("repository", "registry", "repository(plugin)", "", "Repository"), fc.oneof(repository, hostileString(30)), fc.array(fc.constantFrom(...ACTIONS), { maxLength: 4 }))
        .map(([type, name, actions]) => `${type}:${name}:${actions.join(",")}`),
    );
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 8 }), (scopes) => {
        for (const s of scopes) parseScope(s);
        const merged = mergeRepositoryScopes(scopes);
        for (const [name, actions] of merged) {
          expect(isValidRepository(name)).toBe(true);
          for (const a of actions) expect(a).toMatch(/^(?:[a-z]+|\*)$/);
        }
        const params = new URLSearchParams(scopes.map((s) => ["scope", s]));
        for (const s of scopeParams(params)) expect(s).toMatch(/^[^ ]+$/);
      }),
      { numRuns: 2000 },
    );
  });

  it("merges repeated well-formed scopes into the union of their actions per repository", () => {
    const one = fc.tuple(repository, fc.subarray(["pull", "push", "delete"], { minLength: 1 }));
    fc.assert(
      fc.property(fc.array(one, { minLength: 1, maxLength: 6 }), (entries) => {
        const merged = mergeRepositoryScopes(entries.map(([name, actions]) => `repository:${name}:${actions.join(",")}`));
        const expected = new Map<string, Set<string>>();
        for (const [name, actions] of entries) expected.set(name, new Set([...(expected.get(name) ?? []), ...actions]));
        expect(merged).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe("HTTP Basic parsing (properties)", () => {
  it("never throws, and a header it accepts splits at the first colon of what was encoded", () => {
    const header = fc.oneof(
      hostileString(80).map((s) => `Basic ${s}`),
      fc.tuple(hostileString(20), hostileString(20)).map(([u, p]) => `Basic ${Buffer.from(`${u.replaceAll(":", "")}:${p}`).toString("base64")}`),
      hostileString(80),
    );
    fc.assert(
      fc.property(header, (h) => {
        const parsed = parseBasic(h);
        if (parsed) expect(parsed.username).not.toContain(":");
      }),
      { numRuns: 2000 },
    );
  });
});
