import fsp from "node:fs/promises";
import path from "node:path";
import { buildOciImage, pushImage, type Creds, type Distribution } from "@/test/support/registry";
import { MiB } from "./measure";

/** The benchmarks' two images: one big layer, and many small ones (2, 4, 6, 8 MiB in turn). */
export interface BenchImage {
  repository: string;
  tag: string;
  /** Layer bytes. */
  bytes: number;
  label: string;
  layers: string[];
}

export async function pushBenchImages(work: string, upstream: Distribution, creds: Creds | undefined, opts: { sizeMib: number; layers: number }): Promise<{ big: BenchImage; many: BenchImage }> {
  const push = async (repository: string, tag: string, sizes: number[], label: string): Promise<BenchImage> => {
    const dir = path.join(work, tag);
    const built = await buildOciImage(dir, { layers: sizes.map((sizeBytes) => ({ sizeBytes })), tag });
    await pushImage(dir, `${upstream.host}/${repository}:${tag}`, { ...(creds && { creds }) });
    await fsp.rm(dir, { recursive: true, force: true });
    return { repository, tag, bytes: sizes.reduce((a, b) => a + b, 0), label, layers: built.layers.map((l) => l.digest) };
  };
  const manySizes = Array.from({ length: opts.layers }, (_, i) => (1 + (i % 4)) * 2 * MiB);
  const manyBytes = manySizes.reduce((a, b) => a + b, 0);
  return {
    big: await push("acme/big", "big", [opts.sizeMib * MiB], `${opts.sizeMib} MiB, 1 layer`),
    many: await push("acme/many", "many", manySizes, `${(manyBytes / MiB).toFixed(0)} MiB, ${opts.layers} layers`),
  };
}
