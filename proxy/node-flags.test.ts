import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { missingNodeFlags, PROXY_NODE_FLAGS } from "./node-flags";

const scripts = (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "..", "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("the proxy's node flags", () => {
  it("are on the command line of every script that starts the proxy", () => {
    for (const name of ["proxy", "start:proxy"]) {
      const words = scripts[name]!.split(/\s+/);
      expect(words[0], name).toBe("node");
      expect(missingNodeFlags(words), name).toEqual([]);
    }
  });
  it("are on the container image's command line for the proxy", () => {
    const entrypoint = fs.readFileSync(path.join(import.meta.dirname, "..", "container", "entrypoint.sh"), "utf8");
    const line = entrypoint.split("\n").find((l) => l.trim().startsWith("proxy)"));
    expect(line, "entrypoint.sh has a proxy command").toBeDefined();
    expect(missingNodeFlags(line!.split(/\s+/))).toEqual([]);
  });
  it("names what is missing", () => {
    expect(missingNodeFlags(["--enable-source-maps"])).toEqual([...PROXY_NODE_FLAGS]);
    expect(missingNodeFlags([...PROXY_NODE_FLAGS, "--inspect"])).toEqual([]);
  });
});
