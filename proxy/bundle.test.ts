import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

/**
 * What the proxy's bundle holds (scripts/build.ts bundles proxy/main.ts the same way). zod alone
 * adds ~14 MiB to a process: the proxy checks its configuration and the portal's answers by hand.
 */
describe("the proxy's bundle", () => {
  it("loads no zod, and the AWS SDK only on an ECR registry's first use", async () => {
    const result = await build({
      entryPoints: [path.join(root, "proxy", "main.ts")],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      outdir: path.join(root, "dist"),
      alias: { "server-only": path.join(root, "scripts", "server-only.ts") },
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((f) => f.includes("node_modules/zod/"))).toEqual([]);
    const staticImports = Object.entries(result.metafile.inputs).flatMap(([from, i]) => i.imports.filter((d) => d.kind === "import-statement" && !from.includes("node_modules/")).map((d) => d.path));
    expect(staticImports.filter((p) => p.includes("@aws-sdk"))).toEqual([]);
  });
});
