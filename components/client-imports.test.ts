import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * What the browser downloads: each client component bundled as Next bundles it for the browser
 * (server actions are references, React and Next are shared). Validation lives on the server;
 * zod alone is 107 kB of minified script, so a label imported from a schemas file was enough to
 * put it on a page.
 */

const root = path.resolve(import.meta.dirname, "..");

const useDirective = (file: string) => /^\s*["'](use client|use server)["']/.exec(fs.readFileSync(file, "utf8"))?.[1];

function clientComponents(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true }).flatMap((e) => {
    const file = path.relative(root, path.join(e.parentPath, e.name));
    if (!e.isFile() || !/\.tsx?$/.test(e.name) || /\.test\.tsx?$/.test(e.name)) return [];
    return useDirective(path.join(root, file)) === "use client" ? [file] : [];
  });
}

/**
 * The client components that validate a form in the browser with the server's own schema before
 * sending it. A page loads them on demand (next/dynamic), so zod reaches the browser only when such
 * a form opens.
 */
const validatesInTheBrowser = ["components/images/cache-settings-dialog.tsx"];

describe("client components", () => {
  it("do not bring zod to the browser as a page loads, except in a form checked with its schema before sending, loaded on demand", async () => {
    const entries = [...clientComponents("app"), ...clientComponents("components")];
    const result = await build({
      entryPoints: entries.map((f) => path.join(root, f)),
      absWorkingDir: root,
      outdir: "out",
      bundle: true,
      write: false,
      metafile: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      logLevel: "silent",
      jsx: "automatic",
      alias: { "@": root },
      external: ["react", "react-dom", "react/*", "react-dom/*", "next", "next/*", "next-auth", "next-auth/*", "node:*", "server-only"],
      plugins: [
        {
          name: "server-actions",
          // A server action reaches the browser as a reference, not as its module.
          setup: (b) =>
            b.onResolve({ filter: /^[@.]/ }, async (a) => {
              if (a.pluginData === "resolving") return undefined;
              const r = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: "resolving" });
              if (r.errors.length > 0 || !/\.tsx?$/.test(r.path)) return undefined;
              return useDirective(r.path) === "use server" ? { path: a.path, external: true } : undefined;
            }),
        },
      ],
    });
    const withZod = Object.values(result.metafile.outputs)
      .filter((o) => o.entryPoint && !validatesInTheBrowser.some((dir) => o.entryPoint!.startsWith(dir)))
      .filter((o) => {
        // The entry's own inputs and those of the chunks it imports as it loads (not those it loads on demand).
        const chunks = [o, ...o.imports.filter((i) => i.kind !== "dynamic-import").map((i) => result.metafile.outputs[i.path]).filter((c) => c !== undefined)];
        return chunks.some((c) => Object.keys(c.inputs).some((i) => i.includes("node_modules/zod/")));
      })
      .map((o) => o.entryPoint);
    expect(entries.length).toBeGreaterThan(20);
    expect(withZod).toEqual([]);
  });
});
