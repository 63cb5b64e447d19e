import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { component, digest, host, hostileString, repository, tag } from "@/test/support/arbitraries";
import { InvalidReferenceError } from "./errors";
import { isValidDigest, isValidRepository, isValidTag } from "./names";
import { parseProxyPath, type ProxyPath } from "./proxy-path";
import { formatImageReference, parseImageReference, type ImageReference } from "./reference";

/**
 * Properties of the two parsers every image name and proxy request goes through: whatever the
 * input, they answer or throw InvalidReferenceError (never another error, which would be a 500 in
 * the portal or a dropped connection at the proxy), and what they accept is valid by the OCI grammar.
 */
const HUB = "registry-1.docker.io";
const parse = (s: string) => parseImageReference(s, { dockerHubRegistry: HUB });

/** The result, or null when the parser refused the input with InvalidReferenceError. */
function attempt<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InvalidReferenceError) return null;
    throw e;
  }
}

function expectValidReference(ref: ImageReference) {
  expect(isValidRepository(ref.repository)).toBe(true);
  if (ref.tag !== undefined) expect(isValidTag(ref.tag)).toBe(true);
  if (ref.digest !== undefined) expect(isValidDigest(ref.digest)).toBe(true);
  expect(ref.registry).not.toMatch(/[\s/@\u0000]/);
  expect(ref.registry).toBe(ref.registry.toLowerCase());
}

describe("parseImageReference (properties)", () => {
  it("answers or refuses any input, and what it accepts is valid and re-parses to itself", () => {
    fc.assert(
      fc.property(hostileString(60), (input) => {
        const ref = attempt(() => parse(input));
        if (ref === null) return;
        expectValidReference(ref);
        expect(parse(formatImageReference(ref))).toEqual(ref);
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts every well-formed host/repository[:tag][@digest] and returns its parts", () => {
    fc.assert(
      fc.property(host, repository, fc.option(tag, { nil: undefined }), fc.option(digest, { nil: undefined }), (h, repo, t, d) => {
        const text = `${h}/${repo}${t !== undefined ? `:${t}` : ""}${d !== undefined ? `@${d}` : ""}`;
        expect(parse(text)).toEqual({ registry: h, repository: repo, ...(t !== undefined && { tag: t }), ...(d !== undefined && { digest: d }) });
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses a reference whose repository has an upper-case letter, a '..' or an encoded slash", () => {
    fc.assert(
      fc.property(host, repository, fc.constantFrom("A", "..", "%2f", "%2F", "\u0000", "é"), (h, repo, bad) => {
        expect(attempt(() => parse(`${h}/${repo}${bad}x`))).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});

const proxyParse = (path: string, names: readonly string[] = []) =>
  parseProxyPath(path, { dockerHubRegistry: HUB, isRegistryName: (name) => names.includes(name) });

function expectSafeProxyPath(p: ProxyPath) {
  expect(p.appSlug).toMatch(/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/);
  expect(isValidRepository(p.upstream.repository)).toBe(true);
  // Nothing that could climb or re-route an upstream URL survives into it.
  expect(p.upstream.repository.split("/")).not.toContain("..");
  expect(p.upstream.hostOrName).not.toMatch(/[\s/@%?#\u0000]/);
  if (p.kind === "blobs") expect(isValidDigest(p.reference!)).toBe(true);
  if (p.kind === "manifests") expect(isValidTag(p.reference!) || isValidDigest(p.reference!)).toBe(true);
  if (p.kind === "tags") expect(p.reference).toBeUndefined();
  expect(p.name.startsWith(`proxy/${p.appSlug}/`)).toBe(true);
}

describe("parseProxyPath (properties)", () => {
  const endings = fc.oneof(
    tag.map((t) => `manifests/${t}`),
    digest.map((d) => `manifests/${d}`),
    digest.map((d) => `blobs/${d}`),
    fc.constant("tags/list"),
  );

  it("answers, refuses or ignores any path under /v2/, and what it accepts is safe to send upstream", () => {
    const path = fc.oneof(
      hostileString(80).map((s) => `/v2/proxy/${s}`),
      fc.tuple(fc.array(hostileString(12), { maxLength: 6 }), endings).map(([segs, end]) => `/v2/proxy/${[...segs, end].join("/")}`),
      hostileString(80).map((s) => `/v2/${s}`),
    );
    fc.assert(
      fc.property(path, (p) => {
        const parsed = attempt(() => proxyParse(p, ["vendor"]));
        if (parsed) expectSafeProxyPath(parsed);
      }),
      { numRuns: 3000 },
    );
  });

  it("reads every well-formed proxy/<slug>/<host>/<repository>/<endpoint> as that slug, host, repository and endpoint", () => {
    fc.assert(
      fc.property(component, host, repository, endings, (slug, h, repo, end) => {
        const hostOnly = h.replace(/:\d+$/, "");
        const parsed = proxyParse(`/v2/proxy/${slug}/${hostOnly}/${repo}/${end}`);
        expect(parsed).not.toBeNull();
        expectSafeProxyPath(parsed!);
        expect(parsed!.appSlug).toBe(slug);
        expect(parsed!.upstream).toEqual({ via: "host", hostOrName: hostOnly, repository: repo });
        const [kind, ...ref] = end.split("/");
        expect(parsed!.kind).toBe(kind);
        if (kind !== "tags") expect(parsed!.reference).toBe(ref.join("/"));
      }),
      { numRuns: 1000 },
    );
  });

  it("never lets '..' or an encoded separator through as a repository component", () => {
    fc.assert(
      fc.property(component, repository, fc.constantFrom("..", "%2e%2e", "%2f", "a%2fb", ".", ""), endings, (slug, repo, bad, end) => {
        expect(attempt(() => proxyParse(`/v2/proxy/${slug}/ghcr.io/${repo}/${bad}/${end}`))).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});
