import { spawnSync } from "node:child_process";
import path from "node:path";
import { DEFAULT_IMAGE, podman } from "@/scripts/podman";

/**
 * The container image the containers tier runs: `PORTCULLIS_TEST_IMAGE` when set (an image built
 * elsewhere, used as it is), else DEFAULT_IMAGE built by `npm run build:images` — each time
 * (`rebuild`: the tier's first file, which tests the build itself), or only when it is missing (a
 * later file run on its own). Throws when the build fails or the image is not there after it.
 */
const root = path.resolve(import.meta.dirname, "../..");

export const testImageName = () => process.env.PORTCULLIS_TEST_IMAGE || DEFAULT_IMAGE;

export function ensureTestImage(opts: { rebuild: boolean }): string {
  const image = testImageName();
  const exists = () => podman(["image", "exists", image]).status === 0;
  if (!process.env.PORTCULLIS_TEST_IMAGE && (opts.rebuild || !exists())) {
    const built = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts", "build-images.ts")], { cwd: root, stdio: "inherit", env: { ...process.env, IMAGE: image } });
    if (built.status !== 0) throw new Error(`npm run build:images failed (exit ${built.status})`);
  }
  if (!exists()) throw new Error(`the image ${image} does not exist`);
  return image;
}
