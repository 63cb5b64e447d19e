import { describe, expect, it } from "vitest";
import { actionOf, ProxyRouter } from "./route";

const route = (url: string, method = "GET") => new ProxyRouter("registry-1.docker.io").route(url, method);

describe("proxy routes", () => {
  it("the service routes, by path alone", () => {
    expect(route("/healthz")).toEqual({ kind: "healthz" });
    expect(route("/readyz?x=1", "HEAD")).toEqual({ kind: "readyz" });
    expect(route("/metrics", "POST")).toEqual({ kind: "metrics" });
    expect(route("/v2/")).toEqual({ kind: "base" });
    expect(route("/constructor")).toMatchObject({ kind: "error", error: { status: 404, code: "UNSUPPORTED" } });
    expect(new ProxyRouter("registry-1.docker.io").notFound()).toMatchObject({ status: 404, code: "UNSUPPORTED" });
  });

  it("the registry's base and image routes", () => {
    expect(route("/v2/")).toEqual({ kind: "base" });
    expect(route("/v2", "HEAD")).toEqual({ kind: "base" });
    const tags = route("/v2/proxy/app/quay.io/org/api/tags/list?n=5");
    expect(tags).toMatchObject({ kind: "image", path: { appSlug: "app", image: ["quay.io", "org", "api"], imagePath: "quay.io/org/api", kind: "tags", name: "proxy/app/quay.io/org/api" } });
    expect(tags.kind === "image" && tags.query.get("n")).toBe("5");
    expect(route("/v2/proxy/app/nginx/manifests/1.25")).toMatchObject({ kind: "image", path: { kind: "manifests", reference: "1.25" } });
    const D = `sha256:${"0f".repeat(32)}`;
    const referrers = route(`/v2/proxy/app/nginx/referrers/${D}?artifactType=application/vnd.dev.cosign.artifact.sig.v1%2Bjson`, "HEAD");
    expect(referrers).toMatchObject({ kind: "image", path: { kind: "referrers", reference: D, name: "proxy/app/nginx" } });
    expect(referrers.kind === "image" && referrers.query.get("artifactType")).toBe("application/vnd.dev.cosign.artifact.sig.v1+json");
  });

  it("answers that need no credentials: too long, not a registry path, not a pull, not under /v2/proxy/", () => {
    expect(route(`/v2/proxy/app/${"a".repeat(5000)}/manifests/1`)).toMatchObject({ kind: "error", error: { status: 400, code: "NAME_INVALID" } });
    expect(route("/nothing-here")).toMatchObject({ kind: "error", error: { status: 404, code: "UNSUPPORTED" } });
    expect(route("/v2/proxy/app/nginx/manifests/1", "PUT")).toMatchObject({ kind: "error", error: { status: 405, code: "UNSUPPORTED", headers: { allow: "GET, HEAD" } } });
    expect(route("/v2/_catalog")).toMatchObject({ kind: "error", error: { status: 404, code: "NAME_UNKNOWN" } });
  });

  it("a malformed image path: 400 with its OCI code (404 for an endpoint the proxy doesn't serve), labelled by its endpoint", () => {
    expect(route("/v2/proxy/app/acme/api/manifests/-bad-")).toMatchObject({ kind: "bad-path", route: "manifests", error: { status: 400, code: "TAG_INVALID" } });
    expect(route("/v2/proxy/app/acme/api/blobs/md5:abc")).toMatchObject({ kind: "bad-path", route: "blobs", error: { status: 400, code: "DIGEST_INVALID" } });
    expect(route("/v2/proxy/app/acme/api/blobs/uploads/")).toMatchObject({ kind: "bad-path", route: "other", error: { status: 404, code: "UNSUPPORTED" } });
    expect(route("/v2/proxy/ACME/api/tags/list")).toMatchObject({ kind: "bad-path", route: "tags", error: { status: 400, code: "NAME_INVALID" } });
    expect(route("/v2/proxy/app/acme/api/referrers/sha256:abc")).toMatchObject({ kind: "bad-path", route: "referrers", error: { status: 400, code: "DIGEST_INVALID" } });
    expect(route(`/v2/proxy/app/../referrers/sha256:${"0f".repeat(32)}`)).toMatchObject({ kind: "bad-path", route: "referrers", error: { status: 400, code: "NAME_INVALID" } });
    expect(route(`/v2/proxy/app/acme/api/referrers/sha256:${"0f".repeat(32)}`, "DELETE")).toMatchObject({ kind: "error", error: { status: 405, code: "UNSUPPORTED" } });
  });

  it("the pull-log action of each image route", () => {
    expect(actionOf("manifests", "GET")).toBe("pull-manifest");
    expect(actionOf("manifests", "HEAD")).toBe("head-manifest");
    expect(actionOf("blobs", "GET")).toBe("pull-blob");
    expect(actionOf("blobs", "HEAD")).toBe("head-blob");
    expect(actionOf("tags", "GET")).toBe("list-tags");
    expect(actionOf("referrers", "GET")).toBe("list-referrers");
    expect(actionOf("referrers", "HEAD")).toBe("list-referrers");
  });

  it("a memo of image paths: the same reading for the same path, frozen, errors thrown every time, the oldest dropped past its size", () => {
    const router = new ProxyRouter("registry-1.docker.io", 2);
    const first = router.route("/v2/proxy/app/nginx/manifests/1.25", "HEAD");
    const again = router.route("/v2/proxy/app/nginx/manifests/1.25?x=1", "GET");
    expect(first).toMatchObject({ kind: "image", path: { appSlug: "app", image: ["nginx"], kind: "manifests", reference: "1.25", name: "proxy/app/nginx" } });
    expect(again.kind === "image" && first.kind === "image" && again.path).toBe(first.kind === "image" && first.path);
    expect(first.kind === "image" && Object.isFrozen(first.path) && Object.isFrozen(first.path.image)).toBe(true);
    expect(again.kind === "image" && again.query.get("x")).toBe("1");
    for (let i = 0; i < 2; i++) expect(router.route("/v2/proxy/app/UPPER/manifests/1", "GET")).toMatchObject({ kind: "bad-path", error: { code: "NAME_INVALID" } });
    expect(router.pathsKept).toBe(1);
    router.route("/v2/proxy/app/redis/manifests/7", "GET");
    router.route("/v2/proxy/app/alpine/manifests/3", "GET");
    expect(router.pathsKept).toBe(2);
    const reread = router.route("/v2/proxy/app/nginx/manifests/1.25", "HEAD");
    expect(reread.kind === "image" && first.kind === "image" && reread.path).not.toBe(first.kind === "image" && first.path);
    expect(reread).toEqual(first);
  });
});
