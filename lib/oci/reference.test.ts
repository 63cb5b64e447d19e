import { describe, expect, it } from "vitest";
import { InvalidReferenceError } from "./errors";
import { isValidDigest, isValidRepository, isValidTag } from "./names";
import { formatImageReference, parseImageReference } from "./reference";

const HUB = "registry-1.docker.io";
const D = `sha256:${"a".repeat(64)}`;
const parse = (s: string, hub = HUB) => parseImageReference(s, { dockerHubRegistry: hub });

describe("parseImageReference", () => {
  it.each([
    ["nginx", { registry: HUB, repository: "library/nginx" }],
    ["library/nginx:1.25", { registry: HUB, repository: "library/nginx", tag: "1.25" }],
    ["docker.io/library/nginx", { registry: HUB, repository: "library/nginx" }],
    ["docker.io/nginx", { registry: HUB, repository: "library/nginx" }],
    ["index.docker.io/bitnami/redis:7", { registry: HUB, repository: "bitnami/redis", tag: "7" }],
    ["org/app", { registry: HUB, repository: "org/app" }],
    [`quay.io/org/app@${D}`, { registry: "quay.io", repository: "org/app", digest: D }],
    [`quay.io/org/app:1.0@${D}`, { registry: "quay.io", repository: "org/app", tag: "1.0", digest: D }],
    ["localhost:5000/x", { registry: "localhost:5000", repository: "x" }],
    ["localhost/x:y", { registry: "localhost", repository: "x", tag: "y" }],
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com/app:tag", { registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com", repository: "app", tag: "tag" }],
    ["GHCR.IO/acme/api", { registry: "ghcr.io", repository: "acme/api" }],
    ["[::1]:5000/a/b", { registry: "[::1]:5000", repository: "a/b" }],
    ["us-docker.pkg.dev/proj/repo/img", { registry: "us-docker.pkg.dev", repository: "proj/repo/img" }],
  ])("%s", (input, expected) => expect(parse(input)).toEqual(expected));

  it("maps Docker Hub names to the configured host, which may be written as a URL", () => {
    expect(parse("nginx:1", "http://127.0.0.1:5000")).toEqual({ registry: "127.0.0.1:5000", repository: "library/nginx", tag: "1" });
    // The configured host itself is also Docker Hub, so `library/` applies to it too.
    expect(parse("127.0.0.1:5000/nginx", "127.0.0.1:5000")).toEqual({ registry: "127.0.0.1:5000", repository: "library/nginx" });
  });

  it("reads a first part without . : or localhost as a Hub namespace, not a host", () => {
    expect(parse("myregistry/app")).toEqual({ registry: HUB, repository: "myregistry/app" });
  });

  it.each([
    ["", "NAME_INVALID"],
    ["Nginx", "NAME_INVALID"],
    ["ngi nx", "NAME_INVALID"],
    ["quay.io/Org/app", "NAME_INVALID"],
    ["quay.io/org//app", "NAME_INVALID"],
    ["quay.io/../etc", "NAME_INVALID"],
    ["nginx:-bad", "TAG_INVALID"],
    [`nginx:${"a".repeat(129)}`, "TAG_INVALID"],
    ["nginx@sha256:abc", "DIGEST_INVALID"],
    [`nginx@md5:${"a".repeat(32)}`, "DIGEST_INVALID"],
    ["quay.io/", "NAME_INVALID"],
    ["bad_host.io:x/y", "NAME_INVALID"],
    [`quay.io/${"a".repeat(256)}`, "NAME_INVALID"],
  ])("refuses %j with %s", (input, code) => {
    const e = (() => {
      try {
        parse(input);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(InvalidReferenceError);
    expect((e as InvalidReferenceError).ociCode).toBe(code);
    expect((e as InvalidReferenceError).status).toBe(422);
  });

  it("formats back to the canonical form", () => {
    expect(formatImageReference(parse(`nginx:1@${D}`))).toBe(`${HUB}/library/nginx:1@${D}`);
  });
});

describe("OCI name grammar", () => {
  it.each(["a", "a/b", "a.b", "a_b", "a__b", "a---b", "a0/b-c/d.e_f"])("repository %s is valid", (n) => expect(isValidRepository(n)).toBe(true));
  it.each(["A", "a/", "/a", "a..b", "a___b", "-a", "a-", "a/.b", "a%2fb", "a:b"])("repository %s is invalid", (n) => expect(isValidRepository(n)).toBe(false));
  it.each(["latest", "_x", "1.0-rc.1", "A".repeat(128)])("tag %s is valid", (t) => expect(isValidTag(t)).toBe(true));
  it.each([".x", "-x", "a/b", "a:b", "", "A".repeat(129)])("tag %s is invalid", (t) => expect(isValidTag(t)).toBe(false));
  it("digests: sha256 and sha512 with exact lowercase hex lengths", () => {
    expect(isValidDigest(D)).toBe(true);
    expect(isValidDigest(`sha512:${"0".repeat(128)}`)).toBe(true);
    expect(isValidDigest(`sha256:${"A".repeat(64)}`)).toBe(false);
    expect(isValidDigest(`sha256:${"a".repeat(63)}`)).toBe(false);
    expect(isValidDigest(`sha256:${"a".repeat(64)}/../x`)).toBe(false);
  });
});
