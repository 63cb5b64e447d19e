import { describe, expect, it } from "vitest";
import { main } from "./main";

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }).then((code) => ({ code, out: out.join("\n"), err: err.join("\n") }));
}

describe("portcullis CLI", () => {
  it("--help lists the commands and exits 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: portcullis <command>");
    expect(r.out).toContain("migrate");
  });

  it("no command is bad usage (exit 2)", async () => {
    expect((await run([])).code).toBe(2);
  });

  it("an unknown command is bad usage (exit 2) with a message", async () => {
    const r = await run(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
  });

  it("every command answers --help with its usage and exit 0", async () => {
    const { commands } = await import("./commands");
    for (const c of commands) {
      const r = await run([...c.path, "--help"]);
      expect(r.code, c.path.join(" ")).toBe(0);
      expect(r.out).toContain(`portcullis ${c.path.join(" ")}`);
    }
  });
});
