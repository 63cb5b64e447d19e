import path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Files in name order: images.test.ts builds the image the later files run (kubernetes, quickstart). */
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The containers tier (`npm test -- containers`): the container image built and run with podman.
 * Its own configuration: one file at a time, long timeouts (the first test builds the image).
 */
export default defineConfig({
  root,
  resolve: { alias: { "@": root, "server-only": path.join(root, "test/support/empty.ts") } },
  test: {
    name: "containers",
    include: ["test/containers/**/*.test.ts"],
    environment: "node",
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
    sequence: { sequencer: ByName },
  },
});
