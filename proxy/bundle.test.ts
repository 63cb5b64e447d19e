import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { EXTERNAL_PACKAGES } from "@/scripts/externals";

const root = path.resolve(import.meta.dirname, "..");

/**
 * What the proxy's bundle holds, built as scripts/build.ts builds dist/proxy.mjs. zod alone adds
 * ~14 MiB to a process (the proxy checks its configuration and the portal's answers by hand); the
 * ECR client inlined, 3.6 MiB before its first use.
 */
describe("the proxy's bundle", () => {
  it("holds no zod, and leaves the AWS SDK to be loaded on an ECR registry's first use", async () => {
    const result = await build({
      entryPoints: [path.join(root, "proxy", "main.ts")],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      outdir: path.join(root, "dist"),
      external: EXTERNAL_PACKAGES.flatMap((p) => [p, `${p}/*`]),
      alias: { "server-only": path.join(root, "scripts", "server-only.ts") },
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((f) => f.includes("node_modules/zod/"))).toEqual([]);
    expect(inputs.filter((f) => f.includes("node_modules/@aws-sdk/") || f.includes("node_modules/@smithy/"))).toEqual([]);
    const staticImports = Object.entries(result.metafile.inputs).flatMap(([from, i]) => i.imports.filter((d) => d.kind === "import-statement" && !from.includes("node_modules/")).map((d) => d.path));
    expect(staticImports.filter((p) => p.includes("@aws-sdk"))).toEqual([]);
  });
});
