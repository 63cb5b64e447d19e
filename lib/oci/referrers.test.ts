import { describe, expect, it } from "vitest";
import { InvalidReferenceError } from "./errors";
import { emptyReferrersIndex, filterReferrers, isValidArtifactType, parseReferrersIndex, referrersTag } from "./referrers";

const SIG = "application/vnd.dev.cosign.artifact.sig.v1+json";
const SBOM = "application/spdx+json";
const d = (c: string) => `sha256:${c.repeat(64)}`;

describe("referrers tag schema", () => {
  it("names the tag <algorithm>-<encoded> (the spec's examples)", () => {
    expect(referrersTag(`sha256:${"a".repeat(64)}`)).toBe(`sha256-${"a".repeat(64)}`);
    // sha512: the encoded part is truncated to 64 characters.
    expect(referrersTag(`sha512:${"b".repeat(128)}`)).toBe(`sha512-${"b".repeat(64)}`);
  });

  it("refuses what is not a digest", () => {
    expect(() => referrersTag("sha256:abc")).toThrow(InvalidReferenceError);
    expect(() => referrersTag("latest")).toThrow(InvalidReferenceError);
  });
});

describe("referrers index", () => {
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("1"), size: 500, artifactType: SIG, annotations: { "dev.cosignproject.cosign/signature": "MEUC" } },
      { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("2"), size: 700, artifactType: SBOM, "x-extra": true },
      { mediaType: "application/vnd.oci.image.index.v1+json", digest: d("3"), size: 300 },
    ],
    annotations: { "org.example.list": "yes" },
  };

  it("reads an image index, keeping fields it doesn't know", () => {
    const parsed = parseReferrersIndex(Buffer.from(JSON.stringify(index)));
    expect(parsed).toEqual(index);
  });

  it("is not an index: no manifests array, another schema version, a bad descriptor, not JSON", () => {
    for (const doc of [
      { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json" },
      { ...index, schemaVersion: 1 },
      { ...index, mediaType: "application/vnd.oci.image.manifest.v1+json" },
      { ...index, manifests: [{ mediaType: "x/y", digest: "sha256:abc", size: 1 }] },
      { ...index, manifests: [{ mediaType: "x/y", digest: d("1"), size: -1 }] },
      { ...index, manifests: [{ mediaType: "x/y", digest: d("1"), size: 1, annotations: { n: 1 } }] },
      { ...index, manifests: [{ mediaType: "", digest: d("1"), size: 1 }] },
      { ...index, manifests: [{ mediaType: "x/y", digest: d("1"), size: 1.5 }] },
      { ...index, manifests: [{ mediaType: "x/y", digest: d("1"), size: "1" }] },
      { ...index, manifests: [{ mediaType: "x/y", digest: d("1"), size: 1, artifactType: 7 }] },
      { ...index, manifests: [{ mediaType: "x/y", digest: d("1"), size: 1, annotations: ["a"] }] },
      { ...index, manifests: [null] },
      [index],
    ]) {
      expect(parseReferrersIndex(Buffer.from(JSON.stringify(doc))), JSON.stringify(doc)).toBeUndefined();
    }
    expect(parseReferrersIndex(Buffer.from("404 page not found"))).toBeUndefined();
  });

  it("filters by artifactType, exactly; an index without artifactType matches no filter", () => {
    const parsed = parseReferrersIndex(Buffer.from(JSON.stringify(index)))!;
    expect(filterReferrers(parsed, SIG).manifests.map((m) => m.digest)).toEqual([d("1")]);
    expect(filterReferrers(parsed, SBOM).manifests.map((m) => m.digest)).toEqual([d("2")]);
    expect(filterReferrers(parsed, "application/SPDX+json").manifests).toEqual([]);
    expect(filterReferrers(parsed, SBOM).annotations).toEqual({ "org.example.list": "yes" });
  });

  it("the empty index", () => {
    expect(emptyReferrersIndex()).toEqual({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
  });

  it("an artifactType filter is a media type", () => {
    for (const ok of [SIG, SBOM, "application/vnd.cncf.helm.config.v1+json", "application/vnd.in-toto+json"]) expect(isValidArtifactType(ok), ok).toBe(true);
    for (const bad of ["", "sbom", "application/", "/json", "a/b/c", "application/json; charset=utf-8", "a/b\n", `a/${"x".repeat(200)}`]) expect(isValidArtifactType(bad), bad).toBe(false);
  });
});
