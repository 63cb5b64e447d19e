import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { isValidDigest, isValidRepository, parseDigest } from "./names";

/**
 * A store's copies read off its disk: a CNCF Distribution with the filesystem storage driver
 * keeps a blob's bytes at `<root>/docker/registry/v2/blobs/<algorithm>/<first two hex>/<hex>/data`
 * and a repository's claim to it — what its blob API checks before it serves the blob to anyone
 * asking for that repository — at `<root>/docker/registry/v2/repositories/<name>/_layers/<algorithm>/<hex>/link`,
 * a file holding the digest. A copy is read here only when that repository's link names it, so a
 * copy stored for one team's registry is never read for another's; the store's own API still
 * takes every write and deletion.
 *
 * Read-only and best effort: anything not found or not readable is null, for the caller to ask
 * the store over HTTP instead (the store is the authority; this only saves it the work of
 * serving). The bytes are not checked here: the caller verifies them as it would the store's.
 */
export class StoreFiles {
  constructor(readonly root: string) {}

  /** The copy's size and an open stream of it; null when this repository holds none here (or the files can't be read). */
  async open(repository: string, digest: string): Promise<{ size: number; body: Readable } | null> {
    const data = await this.linked(repository, digest);
    if (!data) return null;
    const file = await fsp.open(data, "r").catch(() => null);
    if (!file) return null;
    try {
      const { size } = await file.stat();
      // The stream owns the descriptor from here: it closes it at its end, or when destroyed.
      return { size, body: file.createReadStream({ highWaterMark: READ_CHUNK }) };
    } catch {
      await file.close().catch(() => {});
      return null;
    }
  }

  /** The copy's size, or null as for `open`. */
  async stat(repository: string, digest: string): Promise<number | null> {
    const data = await this.linked(repository, digest);
    if (!data) return null;
    const stat = await fsp.stat(data).catch(() => null);
    return stat?.isFile() ? stat.size : null;
  }

  /** The data file's path when `repository` links `digest`; null otherwise. */
  private async linked(repository: string, digest: string): Promise<string | null> {
    // Names and digests that can only ever be path segments (no "..", no separators of their own);
    // upper-case hex is a name Distribution never stores under.
    if (!isValidRepository(repository) || !isValidDigest(digest) || digest !== digest.toLowerCase()) return null;
    const { algorithm, hex } = parseDigest(digest);
    const v2 = path.join(this.root, "docker", "registry", "v2");
    const link = await fsp.readFile(path.join(v2, "repositories", repository, "_layers", algorithm, hex, "link"), "utf8").catch(() => null);
    if (link?.trim() !== digest) return null;
    return path.join(v2, "blobs", algorithm, hex.slice(0, 2), hex, "data");
  }
}

/** Reads of a copy: as large as the batches the proxy writes to a client (proxy/verify-digest.ts). */
const READ_CHUNK = 256 * 1024;
