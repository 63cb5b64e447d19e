import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startDistribution, type Distribution } from "@/test/support/registry";
import { pushBenchImages, type BenchImage } from "./images";
import { load, machine } from "./measure";
import { buildProxyBundle } from "./node-servers";
import { skopeoCopy } from "./skopeo-copy";

/** The vendor's account on the benchmarks' upstream. */
export const vendor = { username: "vendor", password: "bench-upstream-password" };
export const vendorCreds = `${vendor.username}:${vendor.password}`;

export interface BenchSetup {
  /** A scratch directory, deleted when the process exits. */
  work: string;
  /** The proxy bundled as `npm run build:proxy` bundles it. */
  bundle: string;
  /** The upstream: Distribution with htpasswd (Basic) auth. */
  upstream: Distribution;
  /** A no-auth Distribution serving the upstream's storage (for Distribution's pull-through cache, which can't send Basic credentials). */
  open: Distribution;
  images: { big: BenchImage; many: BenchImage };
  loadAtStart: number;
  /** Stops what `onClose` was given, last first, then the registries. */
  close(): Promise<void>;
  onClose(fn: () => Promise<unknown> | unknown): void;
}

/**
 * What every proxy benchmark starts with: the machine on the first line, the proxy bundle, the
 * upstream and its no-auth twin, the two images pushed, and one pull of each from the upstream so
 * that its blobs are in the page cache.
 */
export async function setUpBench(name: string, opts: { sizeMib: number; layers: number }): Promise<BenchSetup> {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), `bench-${name}-`));
  process.on("exit", () => void fs.rmSync(work, { recursive: true, force: true }));
  console.log(`[bench] ${machine()}, load ${load()}`);
  const loadAtStart = os.loadavg()[0]!;
  const bundle = await buildProxyBundle(work);
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password }, logLevel: "error" });
  cleanups.push(() => upstream.stop());
  const open = await startDistribution({ storageDir: upstream.storageDir, logLevel: "error" });
  cleanups.push(() => open.stop());
  console.log(`[bench] building and pushing a ${opts.sizeMib} MiB single-layer image and a ${opts.layers}-layer image…`);
  const images = await pushBenchImages(work, upstream, vendor, opts);
  for (const image of [images.big, images.many]) await skopeoCopy(work, `${upstream.host}/${image.repository}:${image.tag}`, vendorCreds);
  return {
    work,
    bundle,
    upstream,
    open,
    images,
    loadAtStart,
    onClose: (fn) => void cleanups.push(fn),
    async close() {
      for (const c of cleanups.reverse()) await c();
    },
  };
}
