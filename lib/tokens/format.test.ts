import { describe, expect, it } from "vitest";
import { newApiToken, parseApiToken, TOKEN_PATTERN, tokenHintOf } from "./format";

describe("API token format", () => {
  it.each([
    ["user", "pcu_"],
    ["service_account", "pcs_"],
    ["team", "pct_"],
  ] as const)("%s tokens start with %s, match the scanner pattern and parse back", (kind, prefix) => {
    const { token, tokenHash, tokenHint } = newApiToken(kind);
    expect(token.startsWith(prefix)).toBe(true);
    expect(token).toMatch(TOKEN_PATTERN);
    expect(token).toHaveLength(40);
    expect(parseApiToken(token)).toBe(kind);
    expect(tokenHint).toBe(token.slice(0, 8));
    expect(tokenHash).not.toContain(token.slice(4));
  });

  it("is random", () => {
    const seen = new Set(Array.from({ length: 200 }, () => newApiToken("user").token));
    expect(seen.size).toBe(200);
  });

  it("refuses a mistyped token by its checksum, and anything else", () => {
    const { token } = newApiToken("service_account");
    const last = token.at(-1)!;
    const typo = token.slice(0, -1) + (last === "a" ? "b" : "a");
    expect(parseApiToken(typo)).toBeNull();
    const swapped = token.slice(0, 10) + token[11] + token[10] + token.slice(12);
    if (swapped !== token) expect(parseApiToken(swapped)).toBeNull();
    expect(parseApiToken("pcx_" + token.slice(4))).toBeNull();
    expect(parseApiToken("pct_" + token.slice(4))).toBeNull(); // the checksum covers the prefix
    expect(parseApiToken("")).toBeNull();
    expect(parseApiToken(token + "x")).toBeNull();
    expect(parseApiToken(` ${token}`)).toBeNull();
  });

  it("hints show the prefix and four characters", () => {
    expect(tokenHintOf("pcu_abcdefghij")).toBe("pcu_abcd");
  });
});
