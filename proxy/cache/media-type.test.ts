import { describe, expect, it } from "vitest";
import { accepts, manifestMediaType, OCI_INDEX, OCI_MANIFEST } from "./media-type";

describe("a stored manifest's media type", () => {
  it("is its own mediaType field, else what its shape says", () => {
    const docker = "application/vnd.docker.distribution.manifest.v2+json";
    expect(manifestMediaType(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: docker, config: {}, layers: [] })))).toBe(docker);
    expect(manifestMediaType(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })))).toBe(OCI_INDEX);
    expect(manifestMediaType(Buffer.from(JSON.stringify({ schemaVersion: 2, config: {}, layers: [] })))).toBe(OCI_MANIFEST);
    expect(manifestMediaType(Buffer.from("not json"))).toBe(OCI_MANIFEST);
  });

  it("is served only to a client whose Accept takes it", () => {
    expect(accepts(undefined, OCI_INDEX)).toBe(true);
    expect(accepts("*/*", OCI_INDEX)).toBe(true);
    expect(accepts(`application/vnd.docker.distribution.manifest.v2+json, ${OCI_INDEX};q=0.9`, OCI_INDEX)).toBe(true);
    expect(accepts("application/vnd.docker.distribution.manifest.v2+json", OCI_INDEX)).toBe(false);
  });
});
