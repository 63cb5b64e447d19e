import { describe, expect, it } from "vitest";
import { classify, pullEventIdOf, registryEventSchema } from "./events";

const event = (over: Record<string, unknown> = {}, target: Record<string, unknown> = {}, method = "GET") =>
  registryEventSchema.parse({
    id: "e1",
    action: "pull",
    target: { mediaType: "application/vnd.oci.image.manifest.v1+json", repository: "acme/app", digest: "sha256:" + "a".repeat(64), size: 500, ...target },
    request: { method },
    actor: { name: "license:00000000-0000-4000-8000-000000000000" },
    ...over,
  });

describe("registry notifications", () => {
  it("keeps manifest pushes, GET pulls and deletes, and blob GETs; drops HEADs and mounts", () => {
    expect(classify(event())).toEqual({ action: "pull-manifest", status: 200 });
    expect(classify(event({ action: "push" }, {}, "PUT"))).toEqual({ action: "push-manifest", status: 201 });
    expect(classify(event({ action: "delete" }, {}, "DELETE"))).toEqual({ action: "delete-manifest", status: 202 });
    expect(classify(event({}, { mediaType: "application/vnd.oci.image.index.v1+json" }))).toEqual({ action: "pull-manifest", status: 200 });
    expect(classify(event({}, {}, "HEAD"))).toBeNull();
    // A blob GET: kept as pull-blob (ingestRegistryEvents keeps it for license pulls only); a blob HEAD is a probe.
    expect(classify(event({}, { mediaType: "application/octet-stream" }))).toEqual({ action: "pull-blob", status: 200 });
    expect(classify(event({}, { mediaType: "application/octet-stream" }, "HEAD"))).toBeNull();
    expect(classify(event({ action: "mount" }, { mediaType: "application/octet-stream" }, "POST"))).toBeNull();
    expect(classify(event({}, { mediaType: undefined, digest: undefined }))).toBeNull();
  });

  it("derives one stable UUID per event id (redeliveries collide on purpose)", () => {
    const id = pullEventIdOf("9f4b6a58-2d8e-4c1c-a1a6-2d7f3a6a0b11");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pullEventIdOf("9f4b6a58-2d8e-4c1c-a1a6-2d7f3a6a0b11")).toBe(id);
    expect(pullEventIdOf("another")).not.toBe(id);
  });
});
