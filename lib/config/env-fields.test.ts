import { describe, expect, it } from "vitest";
import { ConfigError, readBoolean, readChoice, readInsecureRegistries, readInteger, readSecret, readString, readUrl } from "./env-fields";

describe("configuration fields read without zod", () => {
  it("reads good values; empty or blank counts as unset", () => {
    const env = { N: " 42 ", U: "https://portal.example", B: "1", C: "test", S: "s".repeat(24), BLANK: "  ", I: "Mirror.Example:5000, other.example" };
    expect(readInteger(env, "N", 0, 100)).toBe(42);
    expect(readInteger(env, "BLANK", 0, 100, 7)).toBe(7);
    expect(readInteger(env, "MISSING", 0, 100)).toBeUndefined();
    expect(readUrl(env, "U")).toBe("https://portal.example");
    expect(readBoolean(env, "B")).toBe(true);
    expect(readBoolean(env, "BLANK")).toBeUndefined();
    expect(readChoice(env, "C", ["development", "production", "test"], "development")).toBe("test");
    expect(readSecret(env, "S", 24)).toBe("s".repeat(24));
    expect(readString(env, "BLANK")).toBeUndefined();
    expect(readInsecureRegistries(env, "I")).toEqual(["mirror.example:5000", "other.example"]);
    expect(readInsecureRegistries({})).toEqual([]);
  });

  it("refuses bad values with one line naming the variable", () => {
    const cases: Array<[() => unknown, string]> = [
      [() => readInteger({ N: "1.5" }, "N", 0, 10), "N must be an integer from 0 to 10"],
      [() => readInteger({ N: "11" }, "N", 0, 10), "N must be an integer from 0 to 10"],
      [() => readInteger({ N: "ten" }, "N", 0, 10), "N must be an integer from 0 to 10"],
      [() => readUrl({ U: "portal" }, "U"), "U must be a URL"],
      [() => readBoolean({ B: "yes" }, "B"), "B must be true, false, 1 or 0"],
      [() => readChoice({ C: "prod" }, "C", ["development", "production"], "development"), "C must be one of development, production"],
      [() => readSecret({ S: "short" }, "S", 24), "S must be at least 24 characters"],
      [() => readInsecureRegistries({ INSECURE_REGISTRIES: "https://mirror.example" }), "INSECURE_REGISTRIES must list host[:port] entries separated by commas (no scheme, no path)"],
      [() => readInsecureRegistries({ INSECURE_REGISTRIES: "mirror.example:70000" }), "INSECURE_REGISTRIES has a port above 65535"],
      [() => readInsecureRegistries({ INSECURE_REGISTRIES: Array.from({ length: 101 }, (_, i) => `h${i}`).join(",") }), "INSECURE_REGISTRIES must list at most 100 entries"],
    ];
    for (const [read, message] of cases) {
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(`Invalid configuration: ${message}`);
    }
  });
});
