import { describe, expect, it } from "vitest";
import { upstreamFailureAnswer, upstreamStatusAnswer } from "./upstream-answers";

const refused = (status: number) =>
  `The upstream registry refused access to this repository with the credentials configured for it (HTTP ${status}): the repository may not exist there, or the vendor's registry credentials lack access.`;

describe("upstream status → the client's OCI error", () => {
  it("401/403: 502 DENIED naming the vendor's credentials, for manifests, blobs and tags", () => {
    for (const kind of ["manifests", "blobs", "tags"] as const) {
      for (const status of [401, 403]) {
        expect(upstreamStatusAnswer(kind, { status }), `${kind} ${status}`).toEqual({ error: { status: 502, code: "DENIED", message: refused(status) }, logError: `upstream ${status}` });
      }
    }
  });

  it("429: 429 TOOMANYREQUESTS, passing the upstream's Retry-After on", () => {
    expect(upstreamStatusAnswer("blobs", { status: 429, retryAfter: "30" })).toEqual({
      error: { status: 429, code: "TOOMANYREQUESTS", message: "The upstream registry is rate limiting; try again later.", headers: { "retry-after": "30" } },
    });
    expect(upstreamStatusAnswer("tags", { status: 429 })).toEqual({ error: { status: 429, code: "TOOMANYREQUESTS", message: "The upstream registry is rate limiting; try again later." } });
  });

  it("404: the upstream's own OCI error relayed when it sent JSON, else BLOB_UNKNOWN / MANIFEST_UNKNOWN; NAME_UNKNOWN for tags", () => {
    expect(upstreamStatusAnswer("manifests", { status: 404, json: true })).toBeUndefined();
    expect(upstreamStatusAnswer("blobs", { status: 404, json: true })).toBeUndefined();
    expect(upstreamStatusAnswer("blobs", { status: 404 })).toEqual({ error: { status: 404, code: "BLOB_UNKNOWN", message: "Blob unknown to the upstream registry." } });
    expect(upstreamStatusAnswer("manifests", { status: 404 })).toEqual({ error: { status: 404, code: "MANIFEST_UNKNOWN", message: "Manifest unknown to the upstream registry." } });
    expect(upstreamStatusAnswer("tags", { status: 404, json: true })?.error).toEqual({ status: 404, code: "NAME_UNKNOWN", message: "Repository unknown to the upstream registry." });
    expect(upstreamStatusAnswer("tags", { status: 404, json: true, message: "repository name not known to registry" })?.error.message).toBe("repository name not known to registry");
  });

  it("5xx, 1xx and redirects (but 304): 502 UNAVAILABLE with the status", () => {
    for (const status of [500, 502, 503, 101, 301, 302, 307]) {
      expect(upstreamStatusAnswer("manifests", { status }), String(status)).toEqual({
        error: { status: 502, code: "UNAVAILABLE", message: `The upstream registry answered HTTP ${status}.` },
        logError: `upstream ${status}`,
      });
    }
  });

  it("content and the client's own errors are relayed as they are: 2xx, 304, other 4xx", () => {
    for (const status of [200, 206, 304, 400]) {
      expect(upstreamStatusAnswer("blobs", { status }), String(status)).toBeUndefined();
      expect(upstreamStatusAnswer("manifests", { status }), String(status)).toBeUndefined();
    }
  });

  it("a blob range past the end is 416 in the OCI form, whatever body the upstream sent with it", () => {
    expect(upstreamStatusAnswer("blobs", { status: 416 })?.error).toMatchObject({ status: 416, code: "UNSUPPORTED", message: "The requested range is outside the blob." });
  });

  it("tags/list relays only a 200: any other status is 502 UNAVAILABLE", () => {
    expect(upstreamStatusAnswer("tags", { status: 200, json: true })).toBeUndefined();
    for (const status of [206, 304, 400, 500]) expect(upstreamStatusAnswer("tags", { status, json: true })?.error, String(status)).toMatchObject({ status: 502, code: "UNAVAILABLE" });
  });
});

describe("upstream failure without an answer → the client's OCI error", () => {
  it("by reason", () => {
    expect(upstreamFailureAnswer("timeout")).toEqual({ status: 504, code: "UNAVAILABLE", message: "The upstream registry did not answer in time." });
    for (const reason of ["blocked", "insecure"] as const) {
      expect(upstreamFailureAnswer(reason)).toEqual({ status: 502, code: "UNAVAILABLE", message: "The upstream registry's address is not allowed from this proxy." });
    }
    expect(upstreamFailureAnswer("realm", "auth.elsewhere.example")).toMatchObject({ status: 502, code: "DENIED" });
    expect(upstreamFailureAnswer("realm", "auth.elsewhere.example").message).toContain("auth.elsewhere.example, a host not allowed for it");
    expect(upstreamFailureAnswer("auth")).toEqual({ status: 502, code: "DENIED", message: "The upstream registry's authentication service refused the credentials configured for it." });
    for (const reason of ["dns", "refused", "unreachable", "tls", "reset", "protocol"] as const) {
      expect(upstreamFailureAnswer(reason), reason).toEqual({ status: 502, code: "UNAVAILABLE", message: "The upstream registry is unreachable or failed to answer." });
    }
  });
});
