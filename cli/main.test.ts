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

  it("a license ID that starts with '-' given in place of a license's id gets the same hint, and is not echoed", async () => {
    const licenseId = "-_Zx4qv0RkT7m2Ww9yYcBbPp3aE";
    const r = await run(["licenses", "instructions", licenseId]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("not the license ID customers log in with");
    expect(r.err).not.toContain("-_");
  });

  it("an unexpected error is exit 1 with one line that carries no secret", async () => {
    const failing = { path: ["boom"], summary: "fails", usage: "Usage: portcullis boom", run: () => Promise.reject(new Error("connect postgresql://app:s3cr3t-pw@db:5432/x failed")) };
    const err: string[] = [];
    const code = await main(["boom"], { out: () => {}, err: (l) => err.push(l) }, [failing]);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^portcullis boom: unexpected error: connect postgresql:\/\/app:\*\*\*@db/);
    expect(err[0]).not.toContain("s3cr3t-pw");
  });
});
