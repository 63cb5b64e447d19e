import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";

/**
 * Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) without Docker: gzip'd tar
 * layers streamed to disk (any size, flat memory), a config per platform with the layers'
 * uncompressed diff_ids, a manifest per platform and, when platforms are given, an image index.
 * Layers are gzip level 0 (stored deflate: fast and valid), so skopeo pushes them unchanged and
 * the digests computed here are the registry's digests.
 */

export type LayerSpec =
  /** One file `data.bin` of this many random bytes. */
  | { sizeBytes: number }
  /** Files by path inside the layer. */
  | { files: Record<string, string | Buffer> };

export interface BuildOptions {
  layers: LayerSpec[];
  /** e.g. ["linux/amd64", "linux/arm64/v8"]: builds an index. Omitted: one linux/amd64 image, no index. */
  platforms?: string[];
  /** The ref name in the layout's index.json (skopeo: oci:DIR:TAG). Default "latest". */
  tag?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface BuiltImage {
  dir: string;
  tag: string;
  /** The top-level descriptor: the index when platforms were given, else the manifest. */
  digest: string;
  mediaType: string;
  size: number;
  manifests: Array<Descriptor & { platform: { os: string; architecture: string; variant?: string }; config: Descriptor }>;
  layers: Array<Descriptor & { diffId: string }>;
}

export const MT = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

export async function buildOciImage(dir: string, opts: BuildOptions): Promise<BuiltImage> {
  const blobs = path.join(dir, "blobs", "sha256");
  await fsp.mkdir(blobs, { recursive: true });
  await fsp.writeFile(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const tag = opts.tag ?? "latest";

  const layers: BuiltImage["layers"] = [];
  for (const spec of opts.layers) layers.push(await writeLayer(blobs, spec));

  const manifests: BuiltImage["manifests"] = [];
  for (const p of opts.platforms ?? ["linux/amd64"]) {
    const [os, architecture, variant] = p.split("/") as [string, string, string | undefined];
    const platform = { os, architecture, ...(variant && { variant }) };
    const config = await writeJson(blobs, MT.config, {
      ...platform,
      created: "2024-01-01T00:00:00Z",
      config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: "2024-01-01T00:00:00Z", created_by: "portcullis test harness" })),
    });
    const manifest = await writeJson(blobs, MT.manifest, {
      schemaVersion: 2,
      mediaType: MT.manifest,
      config,
      layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    });
    manifests.push({ ...manifest, platform, config });
  }

  const top = opts.platforms
    ? await writeJson(blobs, MT.index, { schemaVersion: 2, mediaType: MT.index, manifests: manifests.map(({ mediaType, digest, size, platform }) => ({ mediaType, digest, size, platform })) })
    : { mediaType: MT.manifest, digest: manifests[0]!.digest, size: manifests[0]!.size };
  await addToLayoutIndex(dir, top, tag);
  return { dir, tag, ...top, manifests, layers };
}

/** index.json keeps other tags already in the layout, replacing this one. */
async function addToLayoutIndex(dir: string, top: Descriptor, tag: string) {
  const file = path.join(dir, "index.json");
  const REF = "org.opencontainers.image.ref.name";
  let existing: Array<Descriptor & { annotations?: Record<string, string> }> = [];
  try {
    existing = JSON.parse(await fsp.readFile(file, "utf8")).manifests ?? [];
  } catch {
    existing = [];
  }
  const manifests = [...existing.filter((m) => m.annotations?.[REF] !== tag), { ...top, annotations: { [REF]: tag } }];
  await fsp.writeFile(file, JSON.stringify({ schemaVersion: 2, mediaType: MT.index, manifests }));
}

async function writeJson(blobs: string, mediaType: string, doc: unknown): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(doc));
  const hex = crypto.createHash("sha256").update(bytes).digest("hex");
  await fsp.writeFile(path.join(blobs, hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

async function writeLayer(blobs: string, spec: LayerSpec): Promise<BuiltImage["layers"][number]> {
  const diff = crypto.createHash("sha256");
  const compressed = crypto.createHash("sha256");
  let size = 0;
  const tap = (hash: crypto.Hash, count = false) =>
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        if (count) size += chunk.length;
        cb(null, chunk);
      },
    });
  const tmp = path.join(blobs, `.tmp-${crypto.randomUUID()}`);
  await pipeline(Readable.from(tarStream(spec)), tap(diff), zlib.createGzip({ level: 0 }), tap(compressed, true), fs.createWriteStream(tmp));
  const hex = compressed.digest("hex");
  await fsp.rename(tmp, path.join(blobs, hex));
  return { mediaType: MT.layer, digest: `sha256:${hex}`, size, diffId: `sha256:${diff.digest("hex")}` };
}

const CHUNK = 1024 * 1024;

async function* tarStream(spec: LayerSpec): AsyncGenerator<Buffer> {
  const files: Array<[string, number, (() => Generator<Buffer>) | Buffer]> =
    "sizeBytes" in spec ? [["data.bin", spec.sizeBytes, () => randomChunks(spec.sizeBytes)]] : Object.entries(spec.files).map(([name, c]) => [name, Buffer.byteLength(c), Buffer.from(c)]);
  for (const [name, length, content] of files) {
    yield tarHeader(name, length);
    if (Buffer.isBuffer(content)) yield content;
    else yield* content();
    const pad = (512 - (length % 512)) % 512;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(1024); // two zero blocks end the archive
}

function* randomChunks(total: number): Generator<Buffer> {
  for (let left = total; left > 0; left -= CHUNK) yield crypto.randomBytes(Math.min(CHUNK, left));
}

/** A ustar header for a regular file (mtime 0, root-owned, 0644). */
function tarHeader(name: string, size: number): Buffer {
  const clean = name.replace(/^\/+/, "");
  if (Buffer.byteLength(clean) > 100) throw new Error(`tar name too long for this harness: ${clean}`);
  const h = Buffer.alloc(512);
  const put = (value: string, offset: number, length: number) => h.write(value, offset, length, "ascii");
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, "0") + "\0";
  h.write(clean, 0, 100, "utf8");
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put("        ", 148, 8); // checksum is computed with its own field as spaces
  put("0", 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put("root", 265, 32);
  put("root", 297, 32);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}
