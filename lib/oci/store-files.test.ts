import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreFiles } from "./store-files";

/** A store's disk laid out as Distribution's filesystem driver lays it out: blobs by digest, a link per repository that holds one. */
describe("StoreFiles", () => {
  let root: string;
  let files: StoreFiles;
  const content = "a layer's bytes";
  const digest = `sha256:${crypto.createHash("sha256").update(content).digest("hex")}`;
  const hex = digest.slice(7);
  const v2 = () => path.join(root, "docker", "registry", "v2");
  const link = async (repository: string, text: string) => {
    const dir = path.join(v2(), "repositories", repository, "_layers", "sha256", hex);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "link"), text);
  };

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "store-files-"));
    files = new StoreFiles(root);
    const data = path.join(v2(), "blobs", "sha256", hex.slice(0, 2), hex);
    await fs.mkdir(data, { recursive: true });
    await fs.writeFile(path.join(data, "data"), content);
    await link("cache/team-a/acme/api", digest);
    await link("cache/team-c/acme/api", `sha256:${"0".repeat(64)}`);
  });

  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  it("reads a copy the repository links, with its size", async () => {
    const found = await files.open("cache/team-a/acme/api", digest);
    expect(found?.size).toBe(Buffer.byteLength(content));
    expect(await text(found!.body)).toBe(content);
    expect(await files.stat("cache/team-a/acme/api", digest)).toBe(Buffer.byteLength(content));
  });

  it("never reads a copy for a repository that doesn't link it, though the bytes are on the disk", async () => {
    expect(await files.open("cache/team-b/acme/api", digest)).toBeNull();
    expect(await files.stat("cache/team-b/acme/api", digest)).toBeNull();
    // A link that names another digest is no claim to this one.
    expect(await files.open("cache/team-c/acme/api", digest)).toBeNull();
  });

  it("gives nothing for names that aren't a repository and a digest, so no path leaves the store's tree", async () => {
    for (const repository of ["../team-a", "cache/../cache/team-a/acme/api", "/etc", "cache//team-a", "Cache/Team-A"]) {
      expect(await files.open(repository, digest)).toBeNull();
    }
    for (const wrong of [digest.toUpperCase().replace("SHA256", "sha256"), "sha256:../../x", `md5:${hex.slice(0, 32)}`, hex]) {
      expect(await files.open("cache/team-a/acme/api", wrong)).toBeNull();
    }
  });

  it("gives nothing when the linked data is gone (garbage-collected): the caller asks the store instead", async () => {
    const other = `sha256:${crypto.createHash("sha256").update("gone").digest("hex")}`;
    const dir = path.join(v2(), "repositories", "cache/team-a/acme/api", "_layers", "sha256", other.slice(7));
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "link"), other);
    expect(await files.open("cache/team-a/acme/api", other)).toBeNull();
    expect(await files.stat("cache/team-a/acme/api", other)).toBeNull();
  });
});
