import { describe, expect, it } from "vitest";
import { formatPlatform, HELM_CHART_CONFIG, isHelmChart, MEDIA_TYPES, parseOciErrors, platformOfConfig, sha256Digest, summarizeManifest } from "./manifest";

const d = (c: string) => `sha256:${c.repeat(64)}`;

describe("summarizeManifest", () => {
  it("an index: its platforms, attestation entries left out", () => {
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: [
          { mediaType: MEDIA_TYPES.ociManifest, digest: d("a"), size: 1, platform: { os: "linux", architecture: "amd64" } },
          { mediaType: MEDIA_TYPES.ociManifest, digest: d("b"), size: 1, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
          { mediaType: MEDIA_TYPES.ociManifest, digest: d("c"), size: 1, platform: { os: "unknown", architecture: "unknown" } },
        ],
      }),
    );
    const s = summarizeManifest(body, "application/json");
    expect(s).toMatchObject({ kind: "index", mediaType: MEDIA_TYPES.ociIndex, digest: sha256Digest(body), size: body.length });
    expect(s.platforms.map(formatPlatform)).toEqual(["linux/amd64", "linux/arm64/v8"]);
  });

  it("a Docker manifest list without mediaType in the body is read from Content-Type", () => {
    const body = Buffer.from(JSON.stringify({ manifests: [] }));
    expect(summarizeManifest(body, `${MEDIA_TYPES.dockerList}; charset=utf-8`, d("f"))).toMatchObject({ kind: "index", mediaType: MEDIA_TYPES.dockerList, digest: d("f") });
  });

  it("a single image: layers, bytes, config", () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: { digest: d("c") }, layers: [{ size: 10 }, { size: 32 }] }));
    expect(summarizeManifest(body, undefined)).toMatchObject({ kind: "image", layers: 2, layerBytes: 42, configDigest: d("c"), platforms: [] });
  });

  it("a Helm chart is told by its config's media type; an image is not one", () => {
    const chart = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: HELM_CHART_CONFIG, digest: d("c"), size: 90 }, layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", size: 700 }] }),
    );
    const summary = summarizeManifest(chart, undefined);
    expect(summary).toMatchObject({ kind: "image", configMediaType: HELM_CHART_CONFIG, layerBytes: 700 });
    expect(isHelmChart(summary)).toBe(true);
    const image = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("c") }, layers: [] }));
    expect(isHelmChart(summarizeManifest(image, undefined))).toBe(false);
    expect(isHelmChart(summarizeManifest(Buffer.from(JSON.stringify({ manifests: [] })), MEDIA_TYPES.ociIndex))).toBe(false);
  });

  it("platformOfConfig", () => {
    expect(platformOfConfig(Buffer.from('{"os":"linux","architecture":"arm","variant":"v7"}'))).toEqual({ os: "linux", architecture: "arm", variant: "v7" });
    expect(platformOfConfig(Buffer.from("nope"))).toBeUndefined();
  });
});

describe("parseOciErrors", () => {
  it("reads the OCI error body and ignores anything else", () => {
    expect(parseOciErrors(Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}'))).toEqual([
      { code: "MANIFEST_UNKNOWN", message: "manifest unknown", detail: { Tag: "x" } },
    ]);
    expect(parseOciErrors(Buffer.from("<html>"))).toEqual([]);
    expect(parseOciErrors(Buffer.from('{"errors":[{"nocode":1}]}'))).toEqual([]);
    expect(parseOciErrors(undefined)).toEqual([]);
  });
});
