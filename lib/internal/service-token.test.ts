import { describe, expect, it } from "vitest";
import { isServiceAuthorized } from "./service-token";

describe("isServiceAuthorized", () => {
  const token = "s3cret-service-token-0123456789";
  it("accepts exactly Bearer <token>", () => {
    expect(isServiceAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(isServiceAuthorized(`bearer ${token}`, token)).toBe(true);
  });
  it("refuses anything else, including prefixes and an empty token", () => {
    for (const h of [null, undefined, "", token, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, `Basic ${token}`, "Bearer "]) {
      expect(isServiceAuthorized(h, token)).toBe(false);
    }
    expect(isServiceAuthorized("Bearer ", "")).toBe(false);
  });
});
