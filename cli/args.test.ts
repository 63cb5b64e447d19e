import { describe, expect, it } from "vitest";
import { parseFlags, stringFlags } from "./args";
import { UsageError } from "./errors";

describe("parseFlags", () => {
  const flags = stringFlags("namespace", "format");

  it("takes an argument that starts with '-' but is no option of ours for a positional, wherever it stands", () => {
    const id = "-_Zx4qv0RkT7m2Ww9yYcBbPp3aE"; // a license ID may start with '-'
    expect(parseFlags([id], flags, true).positionals).toEqual([id]);
    const parsed = parseFlags(["--namespace", "shop", id, "--format=json"], flags, true);
    expect(parsed.positionals).toEqual([id]);
    expect(parsed.values).toMatchObject({ namespace: "shop", format: "json" });
    expect(parseFlags(["a", "--", "-b", "--c"], flags, true).positionals).toEqual(["a", "-b", "--c"]);
  });

  it("takes a value that starts with '-' for its option's value", () => {
    const id = "-_Zx4qv0RkT7m2Ww9yYcBbPp3aE";
    expect(parseFlags(["--license-id", id, "--app", "shop"], stringFlags("license-id", "app")).values).toMatchObject({ "license-id": id, app: "shop" });
    expect(() => parseFlags(["--license-id", "--app"], stringFlags("license-id", "app"))).toThrow(UsageError);
  });

  it("still refuses unknown options, and positionals where none are allowed", () => {
    expect(() => parseFlags(["--colour"], flags, true)).toThrow(UsageError);
    expect(() => parseFlags(["-x"], flags, true)).toThrow(UsageError);
    expect(() => parseFlags(["-_Zx4qv0RkT7m2Ww9yYcBbPp3aE"], flags)).toThrow(UsageError);
    expect(parseFlags(["-h"], flags).values.help).toBe(true);
  });
});
